/* spf_record - RFC 7208 record parser (see spf_record.h).
 * OWNS: struct spf_record and its strings. Terms are split on SP only (§4.6.1, §12);
 * any other control or non-ASCII byte in the record is a syntax error. */
#include "spf_record.h"
#include "spf_macro.h"
#include "strutil.h"
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static const char *const mech_names[] = {
	[SPF_MECH_ALL] = "all", [SPF_MECH_INCLUDE] = "include", [SPF_MECH_A] = "a",
	[SPF_MECH_MX] = "mx", [SPF_MECH_PTR] = "ptr", [SPF_MECH_IP4] = "ip4",
	[SPF_MECH_IP6] = "ip6", [SPF_MECH_EXISTS] = "exists",
};

const char *spf_mech_name(enum spf_mech m)
{
	if ((size_t)m < sizeof mech_names / sizeof mech_names[0])
		return mech_names[m];
	return "?";
}

bool spf_record_is_spf(const char *txt, size_t len)
{
	if (len < 6 || !am_memcaseeq(txt, 6, "v=spf1"))
		return false;
	return len == 6 || txt[6] == ' ';
}

void spf_record_free(struct spf_record *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nterms; i++) {
		free(r->terms[i].domain);
		free(r->terms[i].text);
	}
	free(r->terms);
	free(r->redirect);
	free(r->exp);
	free(r);
}

/* toplabel_valid - RFC 7208 §12: LDH, alphanumeric at both ends, and not all digits
 * (a dash also makes it valid: "1*alphanum "-" *(alphanum / "-") alphanum"). */
static bool toplabel_valid(const char *s, size_t len)
{
	bool alpha = false, dash = false;
	if (len == 0 || len > 63 || !am_isalnum((unsigned char)s[0]) || !am_isalnum((unsigned char)s[len - 1]))
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '-')
			dash = true;
		else if (am_isalpha(c))
			alpha = true;
		else if (!am_isdigit(c))
			return false;
	}
	return alpha || dash;
}

bool spf_domain_spec_valid(const char *s, size_t len, char *why, size_t whylen)
{
	size_t tail, end, dot;
	if (len == 0) {
		snprintf(why, whylen, "empty domain-spec");
		return false;
	}
	if (spf_macro_check(s, len, 0, &tail, why, whylen) < 0)
		return false;
	if (tail == len)
		return true;                    /* ends with a macro-expand */
	/* literal tail: "." toplabel [ "." ] */
	end = len;
	if (s[end - 1] == '.')
		end--;
	for (dot = end; dot > tail && s[dot - 1] != '.'; dot--)
		;
	if (dot == tail || !toplabel_valid(s + dot, end - dot)) {
		snprintf(why, whylen, "invalid domain-spec '%.*s' (needs a valid top label)", (int)(len > 80 ? 80 : len), s);
		return false;
	}
	return true;
}

/* parse_cidr_len - "/" ( "0" / %x31-39 0*N DIGIT ) with maxdigits digits at most */
static bool parse_cidr_len(const char *s, size_t len, unsigned max, unsigned *out)
{
	unsigned v = 0;
	if (len == 0 || len > 3 || (s[0] == '0' && len > 1))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!am_isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

static bool all_digits(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!am_isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* split_dual_cidr - strip "[/N][//M]" from the end of arg; returns false for a bad length. */
static bool split_dual_cidr(const char *arg, size_t *len, struct spf_term *t, char *why, size_t whylen)
{
	size_t l = *len;
	/* ip6-cidr-length: "//" digits at the very end */
	for (size_t i = l; i >= 2; i--) {
		if (arg[i - 1] == '/' && arg[i - 2] == '/' && all_digits(arg + i, l - i)) {
			if (!parse_cidr_len(arg + i, l - i, 128, &t->cidr6)) {
				snprintf(why, whylen, "invalid IPv6 CIDR length in '%s'", t->text);
				return false;
			}
			l = i - 2;
			break;
		}
		if (!am_isdigit((unsigned char)arg[i - 1]))
			break;
	}
	for (size_t i = l; i >= 1; i--) {
		if (arg[i - 1] == '/' && all_digits(arg + i, l - i)) {
			if (!parse_cidr_len(arg + i, l - i, 32, &t->cidr4)) {
				snprintf(why, whylen, "invalid IPv4 CIDR length in '%s'", t->text);
				return false;
			}
			l = i - 1;
			break;
		}
		if (!am_isdigit((unsigned char)arg[i - 1]))
			break;
	}
	*len = l;
	return true;
}

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* parse_ip_net - ip4:/ip6: argument "addr[/len]" */
static int parse_ip_net(const char *arg, size_t len, struct spf_term *t, char *why, size_t whylen)
{
	bool v6 = t->mech == SPF_MECH_IP6;
	unsigned max = v6 ? 128 : 32;
	char tmp[64];
	size_t alen = len;
	const char *slash = memchr(arg, '/', len);
	if (slash) {
		alen = (size_t)(slash - arg);
		if (!parse_cidr_len(slash + 1, len - alen - 1, max, v6 ? &t->cidr6 : &t->cidr4)) {
			snprintf(why, whylen, "invalid CIDR length in '%s'", t->text);
			return -1;
		}
	}
	if (alen == 0 || alen >= sizeof tmp) {
		snprintf(why, whylen, "invalid address in '%s'", t->text);
		return -1;
	}
	memcpy(tmp, arg, alen);
	tmp[alen] = '\0';
	memset(&t->net, 0, sizeof t->net);
	t->net.family = v6 ? AF_INET6 : AF_INET;
	if (inet_pton(t->net.family, tmp, t->net.addr) != 1) {
		snprintf(why, whylen, "invalid %s address in '%s'", v6 ? "IPv6" : "IPv4", t->text);
		return -1;
	}
	return 0;
}

static bool name_char(int c)
{
	return am_isalnum(c) || c == '-' || c == '_' || c == '.';
}

/* parse_term - one directive or modifier s[0..len) into r. */
static int parse_term(struct spf_record *r, const char *s, size_t len, char *why, size_t whylen)
{
	size_t i = 0, nstart, nlen;
	enum spf_result qual = SPF_PASS;
	bool has_qual = false;
	struct spf_term *t;
	static const struct {
		const char *name;
		enum spf_mech mech;
	} mechs[] = {
		{ "all", SPF_MECH_ALL }, { "include", SPF_MECH_INCLUDE }, { "a", SPF_MECH_A },
		{ "mx", SPF_MECH_MX }, { "ptr", SPF_MECH_PTR }, { "ip4", SPF_MECH_IP4 },
		{ "ip6", SPF_MECH_IP6 }, { "exists", SPF_MECH_EXISTS },
	};
	size_t m;

	switch (s[0]) {
	case '+': qual = SPF_PASS; has_qual = true; break;
	case '-': qual = SPF_FAIL; has_qual = true; break;
	case '~': qual = SPF_SOFTFAIL; has_qual = true; break;
	case '?': qual = SPF_NEUTRAL; has_qual = true; break;
	}
	if (has_qual)
		i++;
	nstart = i;
	if (i < len && am_isalpha((unsigned char)s[i]))
		while (i < len && name_char((unsigned char)s[i]))
			i++;
	nlen = i - nstart;
	if (nlen == 0) {
		snprintf(why, whylen, "invalid term '%.*s'", (int)(len > 80 ? 80 : len), s);
		return -1;
	}
	/* modifier: name "=" macro-string */
	if (i < len && s[i] == '=' && !has_qual) {
		const char *val = s + i + 1;
		size_t vlen = len - i - 1;
		char **slot = NULL;
		if (am_memcaseeq(s + nstart, nlen, "redirect"))
			slot = &r->redirect;
		else if (am_memcaseeq(s + nstart, nlen, "exp"))
			slot = &r->exp;
		if (slot == NULL) {
			/* unknown modifier: only its macro-string syntax matters (§6); every
			 * macro letter is syntactically valid here (terms never hold a SP) */
			return spf_macro_check(val, vlen, SPF_MACRO_EXP, NULL, why, whylen) < 0 ? -1 : 0;
		}
		if (*slot) {
			snprintf(why, whylen, "%.*s= appears more than once", (int)nlen, s + nstart);
			return -1;
		}
		if (!spf_domain_spec_valid(val, vlen, why, whylen))
			return -1;
		*slot = dup_n(val, vlen);
		return *slot ? 0 : -2;
	}
	for (m = 0; m < sizeof mechs / sizeof mechs[0]; m++)
		if (am_memcaseeq(s + nstart, nlen, mechs[m].name))
			break;
	if (m == sizeof mechs / sizeof mechs[0]) {
		snprintf(why, whylen, "unknown mechanism '%.*s'", (int)(len > 80 ? 80 : len), s);
		return -1;
	}
	if (r->nterms >= SPF_RECORD_MAX_TERMS) {
		snprintf(why, whylen, "too many terms");
		return -1;
	}
	t = &r->terms[r->nterms];
	memset(t, 0, sizeof *t);
	t->mech = mechs[m].mech;
	t->qual = qual;
	t->cidr4 = 32;
	t->cidr6 = 128;
	t->text = dup_n(s, len);
	if (t->text == NULL)
		return -2;
	r->nterms++;         /* from here the term is owned by r */
	{
		const char *arg = s + i;
		size_t alen = len - i;
		switch (t->mech) {
		case SPF_MECH_ALL:
			if (alen != 0) {
				snprintf(why, whylen, "'all' takes no argument: '%s'", t->text);
				return -1;
			}
			return 0;
		case SPF_MECH_INCLUDE:
		case SPF_MECH_EXISTS:
			if (alen == 0 || arg[0] != ':') {
				snprintf(why, whylen, "'%s' needs ':domain'", spf_mech_name(t->mech));
				return -1;
			}
			arg++, alen--;
			break;
		case SPF_MECH_PTR:
			if (alen != 0 && arg[0] != ':') {
				snprintf(why, whylen, "invalid ptr mechanism '%s'", t->text);
				return -1;
			}
			if (alen == 0)
				return 0;
			arg++, alen--;
			break;
		case SPF_MECH_A:
		case SPF_MECH_MX:
			if (!split_dual_cidr(arg, &alen, t, why, whylen))
				return -1;
			if (alen == 0)
				return 0;
			if (arg[0] != ':') {
				snprintf(why, whylen, "invalid %s mechanism '%s'", spf_mech_name(t->mech), t->text);
				return -1;
			}
			arg++, alen--;
			break;
		case SPF_MECH_IP4:
		case SPF_MECH_IP6:
			if (alen == 0 || arg[0] != ':') {
				snprintf(why, whylen, "'%s' needs ':address'", spf_mech_name(t->mech));
				return -1;
			}
			return parse_ip_net(arg + 1, alen - 1, t, why, whylen);
		}
		if (!spf_domain_spec_valid(arg, alen, why, whylen))
			return -1;
		t->domain = dup_n(arg, alen);
		return t->domain ? 0 : -2;
	}
}

int spf_record_parse(const char *txt, size_t len, struct spf_record **out, char *why, size_t whylen)
{
	struct spf_record *r;
	size_t i = 6, nterms = 0;
	int rc = 0;

	*out = NULL;
	if (!spf_record_is_spf(txt, len)) {
		snprintf(why, whylen, "not an SPF record");
		return -1;
	}
	for (size_t k = 0; k < len; k++) {
		unsigned char c = (unsigned char)txt[k];
		if (c != ' ' && (c < 0x21 || c > 0x7e)) {
			snprintf(why, whylen, "invalid character 0x%02x in record", c);
			return -1;
		}
		if (c == ' ' && k + 1 < len && txt[k + 1] != ' ')
			nterms++;
	}
	if (nterms > SPF_RECORD_MAX_TERMS) {
		snprintf(why, whylen, "too many terms (%zu)", nterms);
		return -1;
	}
	r = calloc(1, sizeof *r);
	if (r == NULL)
		return -2;
	r->terms = calloc(nterms ? nterms : 1, sizeof *r->terms);
	if (r->terms == NULL) {
		free(r);
		return -2;
	}
	while (i < len && rc == 0) {
		size_t start;
		while (i < len && txt[i] == ' ')
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && txt[i] != ' ')
			i++;
		rc = parse_term(r, txt + start, i - start, why, whylen);
	}
	if (rc != 0) {
		spf_record_free(r);
		if (rc == -2)
			snprintf(why, whylen, "out of memory");
		return rc;
	}
	*out = r;
	return 0;
}
