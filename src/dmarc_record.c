/* dmarc_record - DMARC Policy Record parser (RFC 9989 §4.7, §4.8). See dmarc_record.h
 * for the rules; docs/dmarc.md explains the compatibility choices. */
#include "dmarc_record.h"
#include "strutil.h"
#include <stdio.h>
#include <string.h>

struct term {
	const char *name, *val;
	size_t nlen, vlen;
};

/* trim_wsp - strip WSP (and stray CR/LF) on both sides. */
static void trim_wsp(const char **s, size_t *len)
{
	while (*len > 0 && am_isspace((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && am_isspace((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

/* split_term - "name = value" into its parts; false when it is not a tag (no '=',
 * a name that is not 1*ALPHA, an empty value or a value character outside dmarc-value). */
static bool split_term(const char *s, size_t len, struct term *t)
{
	const char *eq = memchr(s, '=', len);
	if (eq == NULL)
		return false;
	t->name = s;
	t->nlen = (size_t)(eq - s);
	t->val = eq + 1;
	t->vlen = len - t->nlen - 1;
	trim_wsp(&t->name, &t->nlen);
	trim_wsp(&t->val, &t->vlen);
	if (t->nlen == 0 || t->vlen == 0)
		return false;
	for (size_t i = 0; i < t->nlen; i++)
		if (!am_isalpha((unsigned char)t->name[i]))
			return false;
	for (size_t i = 0; i < t->vlen; i++) {
		unsigned char c = (unsigned char)t->val[i];
		if (c < 0x20 || c > 0x7e || c == ';')
			return false;
	}
	return true;
}

/* next_term - the next ';'-separated term from *pos; false at the end. */
static bool next_term(const char *txt, size_t len, size_t *pos, const char **s, size_t *slen)
{
	if (*pos >= len)
		return false;
	const char *start = txt + *pos;
	const char *semi = memchr(start, ';', len - *pos);
	size_t n = semi ? (size_t)(semi - start) : len - *pos;
	*pos += n + (semi ? 1 : 0);
	*s = start;
	*slen = n;
	trim_wsp(s, slen);
	return true;
}

static bool version_ok(const char *txt, size_t len, size_t *after)
{
	size_t pos = 0, slen;
	const char *s;
	struct term t;
	if (!next_term(txt, len, &pos, &s, &slen) || !split_term(s, slen, &t))
		return false;
	if (!am_memcaseeq(t.name, t.nlen, "v"))
		return false;
	if (t.vlen != 6 || memcmp(t.val, "DMARC1", 6) != 0)
		return false;
	if (after)
		*after = pos;
	return true;
}

bool dmarc_record_is_dmarc(const char *txt, size_t len)
{
	return txt != NULL && version_ok(txt, len, NULL);
}

static bool parse_request(const struct term *t, enum dmarc_policy *out)
{
	if (am_memcaseeq(t->val, t->vlen, "none"))
		*out = DMARC_POLICY_NONE;
	else if (am_memcaseeq(t->val, t->vlen, "quarantine"))
		*out = DMARC_POLICY_QUARANTINE;
	else if (am_memcaseeq(t->val, t->vlen, "reject"))
		*out = DMARC_POLICY_REJECT;
	else
		return false;
	return true;
}

static bool parse_fo(const struct term *t, char *out, size_t outcap)
{
	bool seen0 = false, seen1 = false, seend = false, seens = false;
	size_t i = 0, o = 0;
	if (t->vlen >= outcap)
		return false;
	while (i < t->vlen) {
		size_t j = i;
		while (j < t->vlen && t->val[j] != ':')
			j++;
		if (j - i != 1)
			return false;
		switch (am_tolower((unsigned char)t->val[i])) {
		case '0': if (seen0 || seen1) return false; seen0 = true; break;
		case '1': if (seen0 || seen1) return false; seen1 = true; break;
		case 'd': if (seend) return false; seend = true; break;
		case 's': if (seens) return false; seens = true; break;
		default: return false;
		}
		if (o > 0)
			out[o++] = ':';
		out[o++] = (char)am_tolower((unsigned char)t->val[i]);
		if (j == t->vlen - 1)
			return false;            /* trailing ':' */
		i = j + 1;
	}
	out[o] = '\0';
	return o > 0;
}

/* uri_char - RFC 3986 unreserved / reserved / '%' (',' and '!' are separators here). */
static bool uri_char(unsigned char c)
{
	if (am_isalnum(c))
		return true;
	return strchr("-._~:/?#[]@$&'()*+;=%", c) != NULL && c != '\0';
}

/* uri_valid - a syntactically valid DMARC reporting URI (see dmarc_record.h). */
static bool uri_valid(const char *u, size_t len)
{
	size_t i = 0;
	if (len == 0 || !am_isalpha((unsigned char)u[0]))
		return false;
	while (i < len && (am_isalnum((unsigned char)u[i]) || u[i] == '+' || u[i] == '-' || u[i] == '.'))
		i++;
	if (i >= len || u[i] != ':' || i + 1 >= len)
		return false;
	for (size_t k = i + 1; k < len; k++) {
		unsigned char c = (unsigned char)u[k];
		if (!uri_char(c))
			return false;
		if (c == '%' && (k + 2 >= len || !am_isxdigit((unsigned char)u[k + 1]) ||
				 !am_isxdigit((unsigned char)u[k + 2])))
			return false;
	}
	if (i == 6 && am_memcaseeq(u, 6, "mailto")) {
		const char *addr = u + 7;
		size_t alen = len - 7, at;
		const char *q = memchr(addr, '?', alen);
		if (q)
			alen = (size_t)(q - addr);
		const char *a = memchr(addr, '@', alen);
		if (a == NULL)
			return false;
		at = (size_t)(a - addr);
		if (at == 0 || at + 1 >= alen)
			return false;
		if (!am_domain_valid(a + 1, alen - at - 1))
			return false;
	}
	return true;
}

/* strip_size - remove an obsolete "!" 1*DIGIT [k/m/g/t] suffix (RFC 9989 §4.8). */
static size_t strip_size(const char *u, size_t len)
{
	const char *bang = NULL;
	for (size_t i = 0; i < len; i++)
		if (u[i] == '!')
			bang = u + i;
	if (bang == NULL)
		return len;
	size_t k = (size_t)(bang - u) + 1, digits = 0;
	while (k < len && am_isdigit((unsigned char)u[k])) {
		k++;
		digits++;
	}
	if (k < len && strchr("kmgtKMGT", u[k]) != NULL)
		k++;
	if (digits == 0 || k != len)
		return len;              /* not a size suffix: leave it, the URI check fails */
	return (size_t)(bang - u);
}

static void parse_urilist(const struct term *t, struct dmarc_urilist *l)
{
	size_t i = 0;
	while (i <= t->vlen) {
		size_t j = i;
		while (j < t->vlen && t->val[j] != ',')
			j++;
		const char *u = t->val + i;
		size_t ulen = j - i;
		trim_wsp(&u, &ulen);
		ulen = strip_size(u, ulen);
		if (uri_valid(u, ulen)) {
			l->valid++;
			if (l->count < DMARC_URI_MAX && ulen < DMARC_URI_LEN) {
				memcpy(l->uri[l->count], u, ulen);
				l->uri[l->count][ulen] = '\0';
				l->count++;
			}
		} else {
			l->invalid++;
		}
		i = j + 1;
	}
}

static bool parse_number(const struct term *t, size_t maxdigits, long *out)
{
	long v = 0;
	if (t->vlen == 0 || t->vlen > maxdigits)
		return false;
	for (size_t i = 0; i < t->vlen; i++) {
		if (!am_isdigit((unsigned char)t->val[i]))
			return false;
		v = v * 10 + (t->val[i] - '0');
	}
	*out = v;
	return true;
}

static void discard(struct dmarc_record *rec, const char *what, const char *s, size_t len)
{
	rec->discarded++;
	if (rec->note[0] == '\0')
		snprintf(rec->note, sizeof rec->note, "%s: \"%.*s\"", what,
			 (int)(len > 40 ? 40 : len), s);
}

/* Tags we know, as bits, to detect repeats. */
enum {
	TAG_P = 1u << 0, TAG_SP = 1u << 1, TAG_NP = 1u << 2, TAG_ADKIM = 1u << 3,
	TAG_ASPF = 1u << 4, TAG_T = 1u << 5, TAG_PSD = 1u << 6, TAG_FO = 1u << 7,
	TAG_RUA = 1u << 8, TAG_RUF = 1u << 9, TAG_PCT = 1u << 10, TAG_RF = 1u << 11,
	TAG_RI = 1u << 12, TAG_V = 1u << 13,
};

static unsigned tag_bit(const struct term *t)
{
	static const struct {
		const char *name;
		unsigned bit;
	} tags[] = {
		{ "p", TAG_P }, { "sp", TAG_SP }, { "np", TAG_NP }, { "adkim", TAG_ADKIM },
		{ "aspf", TAG_ASPF }, { "t", TAG_T }, { "psd", TAG_PSD }, { "fo", TAG_FO },
		{ "rua", TAG_RUA }, { "ruf", TAG_RUF }, { "pct", TAG_PCT }, { "rf", TAG_RF },
		{ "ri", TAG_RI }, { "v", TAG_V },
	};
	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
		if (am_memcaseeq(t->name, t->nlen, tags[i].name))
			return tags[i].bit;
	return 0;
}

/* apply_tag - store one known tag; false when its value is invalid. */
static bool apply_tag(struct dmarc_record *rec, unsigned bit, const struct term *t)
{
	long n;
	switch (bit) {
	case TAG_P:
		if (!parse_request(t, &rec->p)) { rec->p_invalid = true; return false; }
		return true;
	case TAG_SP:
		if (!parse_request(t, &rec->sp)) { rec->sp_invalid = true; return false; }
		return true;
	case TAG_NP:
		if (!parse_request(t, &rec->np)) { rec->np_invalid = true; return false; }
		return true;
	case TAG_ADKIM:
	case TAG_ASPF: {
		enum dmarc_align a;
		if (am_memcaseeq(t->val, t->vlen, "r"))
			a = DMARC_ALIGN_RELAXED;
		else if (am_memcaseeq(t->val, t->vlen, "s"))
			a = DMARC_ALIGN_STRICT;
		else
			return false;
		if (bit == TAG_ADKIM)
			rec->adkim = a;
		else
			rec->aspf = a;
		return true;
	}
	case TAG_T:
		if (am_memcaseeq(t->val, t->vlen, "y"))
			rec->t = true;
		else if (am_memcaseeq(t->val, t->vlen, "n"))
			rec->t = false;
		else
			return false;
		rec->t_given = true;
		return true;
	case TAG_PSD:
		if (am_memcaseeq(t->val, t->vlen, "y"))
			rec->psd = DMARC_PSD_Y;
		else if (am_memcaseeq(t->val, t->vlen, "n"))
			rec->psd = DMARC_PSD_N;
		else if (am_memcaseeq(t->val, t->vlen, "u"))
			rec->psd = DMARC_PSD_U;
		else
			return false;
		return true;
	case TAG_FO: {
		char fo[sizeof rec->fo];
		if (!parse_fo(t, fo, sizeof fo))
			return false;
		memcpy(rec->fo, fo, sizeof fo);
		return true;
	}
	case TAG_RUA:
		parse_urilist(t, &rec->rua);
		return rec->rua.invalid == 0;
	case TAG_RUF:
		parse_urilist(t, &rec->ruf);
		return rec->ruf.invalid == 0;
	case TAG_PCT:
		if (!parse_number(t, 3, &n) || n > 100)
			return false;
		rec->pct = (int)n;
		return true;
	case TAG_RF:
		if (t->vlen >= sizeof rec->rf)
			return false;
		memcpy(rec->rf, t->val, t->vlen);
		rec->rf[t->vlen] = '\0';
		return true;
	case TAG_RI:
		if (!parse_number(t, 10, &n))
			return false;
		rec->ri = n;
		return true;
	default:
		return false;
	}
}

bool dmarc_record_parse(const char *txt, size_t len, struct dmarc_record *rec, char *why,
			size_t whylen)
{
	size_t pos;
	unsigned seen = TAG_V;
	const char *s;
	size_t slen;

	memset(rec, 0, sizeof *rec);
	rec->pct = -1;
	rec->ri = -1;
	if (txt == NULL || !version_ok(txt, len, &pos)) {
		if (why && whylen)
			snprintf(why, whylen, "not a DMARC record (v=DMARC1 must be the first tag)");
		return false;
	}
	strcpy(rec->fo, "0");
	/* RFC 9989 §4.8: terms are bounded by the record length; each is looked at once. */
	while (next_term(txt, len, &pos, &s, &slen)) {
		struct term t;
		unsigned bit;
		if (slen == 0)
			continue;                    /* trailing or doubled ';' */
		if (!split_term(s, slen, &t)) {
			discard(rec, "syntax error", s, slen);
			continue;
		}
		bit = tag_bit(&t);
		if (bit == 0)
			continue;                    /* unknown tag: ignored (RFC 9989 §4.7) */
		if (seen & bit) {
			discard(rec, "repeated tag", s, slen);
			continue;
		}
		seen |= bit;
		if (!apply_tag(rec, bit, &t))
			discard(rec, "invalid value", s, slen);
	}
	/* RFC 9989 §4.10.1: a missing/invalid p, or an invalid sp/np. */
	if (rec->p == DMARC_POLICY_UNSET || rec->sp_invalid || rec->np_invalid) {
		if (rec->rua.valid > 0) {
			rec->apply = true;
			rec->forced_none = true;
		} else {
			rec->apply = false;
		}
	} else {
		rec->apply = true;
	}
	if (why && whylen)
		snprintf(why, whylen, "%s", rec->note);
	return true;
}

enum dmarc_policy dmarc_record_policy(const struct dmarc_record *rec)
{
	if (!rec->apply)
		return DMARC_POLICY_UNSET;
	if (rec->forced_none)
		return DMARC_POLICY_NONE;
	return rec->p;
}

const char *dmarc_align_name(enum dmarc_align a)
{
	return a == DMARC_ALIGN_STRICT ? "s" : "r";
}

const char *dmarc_psd_name(enum dmarc_psd p)
{
	return p == DMARC_PSD_Y ? "y" : p == DMARC_PSD_N ? "n" : "u";
}
