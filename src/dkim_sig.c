/* dkim_sig - DKIM-Signature parsing for verification and the b=-stripped copy
 * (see dkim_sig.h). Pure; works on caller buffers only. */
#include "dkim_sig.h"
#include "base64.h"
#include "strutil.h"
#include "taglist.h"
#include <stdio.h>
#include <string.h>

enum dkim_hash dkim_sig_hash(enum dkim_alg alg)
{
	return alg == DKIM_ALG_RSA_SHA1 ? DKIM_HASH_SHA1 : DKIM_HASH_SHA256;
}

const char *dkim_sig_alg_name(enum dkim_alg alg)
{
	switch (alg) {
	case DKIM_ALG_ED25519_SHA256:
		return "ed25519-sha256";
	case DKIM_ALG_RSA_SHA1:
		return "rsa-sha1";
	default:
		return "rsa-sha256";
	}
}

static int fail(char *reason, size_t rlen, const char *fmt, const char *arg)
{
	snprintf(reason, rlen, fmt, arg);
	return -1;
}

/* eq - value equals the literal exactly. */
static bool eq(const struct taglist_entry *e, const char *lit)
{
	size_t n = strlen(lit);
	return e->value_len == n && memcmp(e->value, lit, n) == 0;
}

/* parse_digits - 1*maxd DIGIT into *out; false otherwise (also on overflow). */
static bool parse_digits(const char *s, size_t len, size_t maxd, uint64_t *out)
{
	uint64_t v = 0;
	if (len == 0 || len > maxd)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!am_isdigit((unsigned char)s[i]))
			return false;
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* copy_domain - validate a DNS name and store it lower-cased without a trailing dot. */
static bool copy_domain(const char *s, size_t len, char *out, size_t cap)
{
	if (!am_domain_valid(s, len))
		return false;
	if (s[len - 1] == '.')
		len--;
	if (len + 1 > cap)
		return false;
	for (size_t i = 0; i < len; i++)
		out[i] = (char)am_tolower((unsigned char)s[i]);
	out[len] = '\0';
	return true;
}

static int parse_h(const struct taglist_entry *e, struct dkim_sig *s, char *reason, size_t rlen)
{
	size_t i = 0, used = 0;
	bool from = false;
	s->h_count = 0;
	while (i <= e->value_len) {
		size_t st = i, en, nl;
		while (i < e->value_len && e->value[i] != ':')
			i++;
		en = i;
		while (st < en && am_isspace((unsigned char)e->value[st]))
			st++;
		while (en > st && am_isspace((unsigned char)e->value[en - 1]))
			en--;
		nl = en - st;
		if (nl == 0)
			return fail(reason, rlen, "%sempty header name in h=", "");
		for (size_t k = st; k < en; k++) {
			unsigned char c = (unsigned char)e->value[k];
			if (c < 33 || c > 126)
				return fail(reason, rlen, "%sbad header name in h=", "");
		}
		if (s->h_count == DKIM_SIG_H_MAX || used + nl + 1 > DKIM_SIG_H_STORE)
			return fail(reason, rlen, "%stoo many header names in h=", "");
		s->h_off[s->h_count++] = (uint16_t)used;
		memcpy(s->h_store + used, e->value + st, nl);
		s->h_store[used + nl] = '\0';
		if (am_strcaseeq(s->h_store + used, "from"))
			from = true;
		used += nl + 1;
		i++;    /* past ':' (or the end) */
	}
	if (!from)
		return fail(reason, rlen, "%sh= does not include From", "");
	return 0;
}

static int parse_c(const struct taglist_entry *e, struct dkim_sig *s, char *reason, size_t rlen)
{
	const char *slash = memchr(e->value, '/', e->value_len);
	size_t hl = slash ? (size_t)(slash - e->value) : e->value_len;
	if (!dkim_canon_parse(e->value, hl, &s->hcanon))
		return fail(reason, rlen, "%sunknown header canonicalization in c=", "");
	if (slash && !dkim_canon_parse(slash + 1, e->value_len - hl - 1, &s->bcanon))
		return fail(reason, rlen, "%sunknown body canonicalization in c=", "");
	return 0;
}

static int parse_i(const struct taglist_entry *e, struct dkim_sig *s, char *reason, size_t rlen)
{
	const char *at = NULL;
	size_t dl;
	for (size_t k = 0; k < e->value_len; k++) {
		unsigned char c = (unsigned char)e->value[k];
		if (c <= 32 || c >= 127)
			return fail(reason, rlen, "%si= is malformed", "");
		if (c == '@')
			at = e->value + k;
	}
	if (at == NULL)
		return fail(reason, rlen, "%si= has no '@'", "");
	dl = e->value_len - (size_t)(at + 1 - e->value);
	if (!am_domain_valid(at + 1, dl))
		return fail(reason, rlen, "%si= domain is not a valid domain name", "");
	if (e->value_len + 1 > sizeof s->identity)
		return fail(reason, rlen, "%si= is too long", "");
	{
		char idom[AM_DOMAIN_MAX];
		if (!copy_domain(at + 1, dl, idom, sizeof idom))
			return fail(reason, rlen, "%si= domain is not a valid domain name", "");
		if (!am_domain_is_sub(idom, s->domain))
			return fail(reason, rlen, "%si= domain is not within d=", "");
	}
	memcpy(s->identity, e->value, e->value_len);
	s->identity[e->value_len] = '\0';
	return 0;
}

static int parse_q(const struct taglist_entry *e, char *reason, size_t rlen)
{
	size_t i = 0;
	while (i <= e->value_len) {
		size_t st = i, en;
		while (i < e->value_len && e->value[i] != ':')
			i++;
		en = i;
		while (st < en && am_isspace((unsigned char)e->value[st]))
			st++;
		while (en > st && am_isspace((unsigned char)e->value[en - 1]))
			en--;
		if (en - st == 7 && am_memcaseeq(e->value + st, 7, "dns/txt"))
			return 0;
		i++;
	}
	return fail(reason, rlen, "%sq= does not offer dns/txt", "");
}

int dkim_sig_parse(const char *value, size_t len, struct dkim_sig *s, char *reason, size_t rlen)
{
	struct taglist tl;
	const struct taglist_entry *e;
	char err[96];
	uint64_t n;

	memset(s, 0, sizeof *s);
	s->hcanon = s->bcanon = DKIM_CANON_SIMPLE;
	if (rlen)
		reason[0] = '\0';
	if (taglist_parse(value, len, &tl, err, sizeof err) < 0)
		return fail(reason, rlen, "signature syntax: %s", err);

	/* d= and s= first: they name the key and appear in the results even on failure */
	if ((e = taglist_get(&tl, "d")) == NULL)
		return fail(reason, rlen, "%smissing d= tag", "");
	if (!copy_domain(e->value, e->value_len, s->domain, sizeof s->domain))
		return fail(reason, rlen, "%sd= is not a valid domain name", "");
	if ((e = taglist_get(&tl, "s")) == NULL)
		return fail(reason, rlen, "%smissing s= tag", "");
	if (!copy_domain(e->value, e->value_len, s->selector, sizeof s->selector))
		return fail(reason, rlen, "%ss= is not a valid selector", "");
	if (strlen(s->selector) + strlen("._domainkey.") + strlen(s->domain) > 253) {
		s->selector[0] = '\0';
		return fail(reason, rlen, "%ss=._domainkey.d= is too long for DNS", "");
	}

	if ((e = taglist_get(&tl, "a")) == NULL)
		return fail(reason, rlen, "%smissing a= tag", "");
	if (eq(e, "rsa-sha256"))
		s->alg = DKIM_ALG_RSA_SHA256;
	else if (eq(e, "ed25519-sha256"))
		s->alg = DKIM_ALG_ED25519_SHA256;
	else if (eq(e, "rsa-sha1"))
		s->alg = DKIM_ALG_RSA_SHA1;
	else
		return fail(reason, rlen, "%sunknown algorithm in a=", "");
	snprintf(s->a_text, sizeof s->a_text, "%s", dkim_sig_alg_name(s->alg));

	if ((e = taglist_get(&tl, "b")) == NULL)
		return fail(reason, rlen, "%smissing b= tag", "");
	{
		size_t k = 0;
		for (size_t j = 0; j < e->value_len && k < 8; j++) {
			unsigned char c = (unsigned char)e->value[j];
			if (am_isspace(c))
				continue;
			if (!(am_isalnum(c) || c == '+' || c == '/' || c == '='))
				break;
			s->b_prefix[k++] = (char)c;
		}
		s->b_prefix[k] = '\0';
	}
	s->b_len = base64_decode(e->value, e->value_len, s->b, sizeof s->b);
	if (s->b_len == (size_t)-1 || s->b_len == 0) {
		s->b_len = 0;
		s->b_prefix[0] = '\0';
		return fail(reason, rlen, "%sb= is empty or not valid base64", "");
	}

	/* i= defaults to "@" d */
	if ((e = taglist_get(&tl, "i")) != NULL) {
		if (parse_i(e, s, reason, rlen) < 0)
			return -1;
	} else {
		snprintf(s->identity, sizeof s->identity, "@%s", s->domain);
	}

	if ((e = taglist_get(&tl, "v")) == NULL)
		return fail(reason, rlen, "%smissing v= tag", "");
	if (!eq(e, "1"))
		return fail(reason, rlen, "%sunsupported version in v=", "");

	if ((e = taglist_get(&tl, "bh")) == NULL)
		return fail(reason, rlen, "%smissing bh= tag", "");
	s->bh_len = base64_decode(e->value, e->value_len, s->bh, sizeof s->bh);
	if (s->bh_len == (size_t)-1 || s->bh_len == 0) {
		s->bh_len = 0;
		return fail(reason, rlen, "%sbh= is empty or not valid base64", "");
	}

	if ((e = taglist_get(&tl, "h")) == NULL)
		return fail(reason, rlen, "%smissing h= tag", "");
	if (parse_h(e, s, reason, rlen) < 0)
		return -1;

	if ((e = taglist_get(&tl, "c")) != NULL && parse_c(e, s, reason, rlen) < 0)
		return -1;
	if ((e = taglist_get(&tl, "q")) != NULL && parse_q(e, reason, rlen) < 0)
		return -1;
	if ((e = taglist_get(&tl, "l")) != NULL) {
		if (!parse_digits(e->value, e->value_len, 76, &n))
			return fail(reason, rlen, "%sl= is not a number", "");
		s->has_l = true;
		s->l = n;
	}
	if ((e = taglist_get(&tl, "t")) != NULL) {
		if (!parse_digits(e->value, e->value_len, 12, &n))
			return fail(reason, rlen, "%st= is not a timestamp", "");
		s->has_t = true;
		s->t = (int64_t)n;
	}
	if ((e = taglist_get(&tl, "x")) != NULL) {
		if (!parse_digits(e->value, e->value_len, 12, &n))
			return fail(reason, rlen, "%sx= is not a timestamp", "");
		s->has_x = true;
		s->x = (int64_t)n;
	}
	if (s->has_t && s->has_x && s->x <= s->t)
		return fail(reason, rlen, "%sx= is not after t=", "");
	return 0;
}

int dkim_sig_strip_b(const char *value, size_t len, struct buf *out)
{
	size_t i = 0;
	while (i < len) {
		size_t ts = i, ns, ne;
		/* one tag: [FWS] name [FWS] "=" value up to ';' */
		while (i < len && am_isspace((unsigned char)value[i]))
			i++;
		ns = i;
		while (i < len && (am_isalnum((unsigned char)value[i]) || value[i] == '_'))
			i++;
		ne = i;
		while (i < len && am_isspace((unsigned char)value[i]))
			i++;
		if (ne - ns == 1 && value[ns] == 'b' && i < len && value[i] == '=') {
			if (buf_append(out, value + ts, i + 1 - ts) < 0)
				return -1;
			while (i < len && value[i] != ';')
				i++;
			if (i < len) {
				if (buf_putc(out, ';') < 0)
					return -1;
				i++;
			}
			continue;
		}
		while (i < len && value[i] != ';')
			i++;
		if (i < len)
			i++;
		if (buf_append(out, value + ts, i - ts) < 0)
			return -1;
	}
	return 0;
}
