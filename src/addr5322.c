/* addr5322 - RFC 5322 address-list parser returning the addr-spec domains (see
 * addr5322.h). A small lexer (atoms, quoted strings, domain literals, specials; comments
 * and folding whitespace skipped) feeds a recursive-descent-shaped loop without recursion. */
#include "addr5322.h"
#include "strutil.h"
#include <stdio.h>
#include <string.h>

enum tok {
	T_END = 0, T_ATOM, T_QSTR, T_DLIT, T_LT, T_GT, T_AT, T_COMMA, T_SEMI, T_COLON, T_DOT,
	T_ERROR,
};

struct lexer {
	const unsigned char *s;
	size_t len, pos;
	/* current token */
	enum tok t;
	size_t start, tlen;
	char *err;
	size_t errlen;
	bool failed;
};

static void fail(struct lexer *lx, const char *what, size_t at)
{
	if (!lx->failed && lx->err && lx->errlen)
		snprintf(lx->err, lx->errlen, "%s at offset %zu", what, at);
	lx->failed = true;
	lx->t = T_ERROR;
}

static bool is_atext(unsigned char c)
{
	return am_isalnum(c) || c >= 0x80 || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* skip_cfws - whitespace, line breaks and (nested) comments; false on a bad comment. */
static bool skip_cfws(struct lexer *lx)
{
	while (lx->pos < lx->len) {
		unsigned char c = lx->s[lx->pos];
		if (am_isspace(c)) {
			lx->pos++;
			continue;
		}
		if (c != '(')
			return true;
		size_t open = lx->pos, depth = 0;
		for (; lx->pos < lx->len; lx->pos++) {
			c = lx->s[lx->pos];
			if (c == '\\') {
				lx->pos++;       /* quoted-pair: skip the next byte */
			} else if (c == '(') {
				depth++;
			} else if (c == ')') {
				if (--depth == 0)
					break;
			}
		}
		if (lx->pos >= lx->len) {
			fail(lx, "unterminated comment", open);
			return false;
		}
		lx->pos++;
	}
	return true;
}

/* encoded_word - length of an RFC 2047 encoded word at p, or 0. */
static size_t encoded_word(const unsigned char *p, size_t n)
{
	size_t i = 2, q = 0;
	if (n < 8 || p[0] != '=' || p[1] != '?')
		return 0;
	for (; i < n; i++) {
		unsigned char c = p[i];
		if (c <= ' ' || c == 0x7f)
			return 0;
		if (c == '?') {
			q++;
			if (q == 3) {
				if (i + 1 < n && p[i + 1] == '=')
					return i + 2;
				return 0;
			}
			if (q == 1 && i == 2)
				return 0;        /* empty charset */
			if (q == 2 && (p[i - 2] != '?' || strchr("BbQq", p[i - 1]) == NULL))
				return 0;
		}
	}
	return 0;
}

/* next - lex the next token into lx->t. */
static void next(struct lexer *lx)
{
	if (lx->failed) {
		lx->t = T_ERROR;
		return;
	}
	if (!skip_cfws(lx))
		return;
	lx->start = lx->pos;
	lx->tlen = 0;
	if (lx->pos >= lx->len) {
		lx->t = T_END;
		return;
	}
	unsigned char c = lx->s[lx->pos];
	size_t ew;
	switch (c) {
	case '<': lx->t = T_LT; lx->pos++; break;
	case '>': lx->t = T_GT; lx->pos++; break;
	case '@': lx->t = T_AT; lx->pos++; break;
	case ',': lx->t = T_COMMA; lx->pos++; break;
	case ';': lx->t = T_SEMI; lx->pos++; break;
	case ':': lx->t = T_COLON; lx->pos++; break;
	case '.': lx->t = T_DOT; lx->pos++; break;
	case '"':
		for (lx->pos++; lx->pos < lx->len && lx->s[lx->pos] != '"'; lx->pos++) {
			if (lx->s[lx->pos] == '\\')
				lx->pos++;
		}
		if (lx->pos >= lx->len) {
			fail(lx, "unterminated quoted string", lx->start);
			return;
		}
		lx->pos++;
		lx->t = T_QSTR;
		break;
	case '[':
		for (lx->pos++; lx->pos < lx->len && lx->s[lx->pos] != ']'; lx->pos++) {
			if (lx->s[lx->pos] == '\\')
				lx->pos++;
			else if (lx->s[lx->pos] == '[')
				break;
		}
		if (lx->pos >= lx->len || lx->s[lx->pos] != ']') {
			fail(lx, "unterminated domain literal", lx->start);
			return;
		}
		lx->pos++;
		lx->t = T_DLIT;
		break;
	default:
		if ((ew = encoded_word(lx->s + lx->pos, lx->len - lx->pos)) > 0) {
			lx->pos += ew;
			lx->t = T_ATOM;
			break;
		}
		if (!is_atext(c)) {
			fail(lx, c == ')' ? "unbalanced ')'" : "unexpected character", lx->pos);
			return;
		}
		while (lx->pos < lx->len && is_atext(lx->s[lx->pos]))
			lx->pos++;
		lx->t = T_ATOM;
		break;
	}
	lx->tlen = lx->pos - lx->start;
}

/* utf8_ok - well-formed UTF-8 (no overlongs, no surrogates) in p[0..n). */
static bool utf8_ok(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		size_t k;
		unsigned cp;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) { k = 1; cp = c & 0x1f; }
		else if (c >= 0xe0 && c <= 0xef) { k = 2; cp = c & 0x0f; }
		else if (c >= 0xf0 && c <= 0xf4) { k = 3; cp = c & 0x07; }
		else return false;
		for (size_t j = 1; j <= k; j++) {
			if (i + j >= n || (p[i + j] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + j] & 0x3f);
		}
		if ((k == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (k == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		i += k + 1;
	}
	return true;
}

/* label_ok - one domain label: LDH (plus '_' and UTF-8 for U-labels). */
static bool label_ok(const unsigned char *p, size_t n, bool *utf8)
{
	if (n == 0 || n > 63 || p[0] == '-' || p[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (p[i] >= 0x80)
			*utf8 = true;
		else if (!am_isalnum(p[i]) && p[i] != '-' && p[i] != '_')
			return false;
	}
	return true;
}

/* parse_domain - dot-atom / obs-domain after '@'; the current token is its first. */
static bool parse_domain(struct lexer *lx, struct addr5322_list *out)
{
	char d[AM_DOMAIN_MAX];
	size_t dl = 0;
	bool utf8 = false;
	size_t at = lx->start;
	if (lx->t == T_DLIT) {
		fail(lx, "domain literal instead of a domain name", lx->start);
		return false;
	}
	for (;;) {
		if (lx->t != T_ATOM) {
			fail(lx, "domain name expected", lx->start);
			return false;
		}
		if (!label_ok(lx->s + lx->start, lx->tlen, &utf8) || dl + lx->tlen + 1 >= sizeof d) {
			fail(lx, "invalid domain name", lx->start);
			return false;
		}
		for (size_t i = 0; i < lx->tlen; i++)
			d[dl++] = (char)am_tolower(lx->s[lx->start + i]);
		next(lx);
		if (lx->t != T_DOT)
			break;
		d[dl++] = '.';
		next(lx);
	}
	d[dl] = '\0';
	if (dl > 253 || (utf8 && !utf8_ok((const unsigned char *)d, dl))) {
		fail(lx, "invalid domain name", at);
		return false;
	}
	if (out->stored < ADDR5322_MAX) {
		memcpy(out->a[out->stored].domain, d, dl + 1);
		out->a[out->stored].utf8 = utf8;
		out->stored++;
	}
	out->count++;
	return true;
}

/* parse_words - words and dots (a phrase or a local-part); returns how many words. */
static size_t parse_words(struct lexer *lx, bool *dots)
{
	size_t words = 0;
	*dots = false;
	while (lx->t == T_ATOM || lx->t == T_QSTR || lx->t == T_DOT) {
		if (lx->t == T_DOT)
			*dots = true;
		else
			words++;
		next(lx);
	}
	return words;
}

/* parse_angle - after '<': [obs-route] addr-spec '>'. */
static bool parse_angle(struct lexer *lx, struct addr5322_list *out)
{
	bool dots;
	next(lx);
	if (lx->t == T_AT) {             /* obs-route: "@a,@b:" */
		while (lx->t == T_AT || lx->t == T_COMMA) {
			if (lx->t == T_AT) {
				next(lx);
				struct addr5322_list scratch = { 0 };
				if (!parse_domain(lx, &scratch))
					return false;
			} else {
				next(lx);
			}
		}
		if (lx->t != T_COLON) {
			fail(lx, "bad route in angle address", lx->start);
			return false;
		}
		next(lx);
	}
	if (parse_words(lx, &dots) == 0) {
		fail(lx, "local-part expected", lx->start);
		return false;
	}
	if (lx->t != T_AT) {
		fail(lx, "'@' expected", lx->start);
		return false;
	}
	next(lx);
	if (!parse_domain(lx, out))
		return false;
	if (lx->t != T_GT) {
		fail(lx, "'>' expected", lx->start);
		return false;
	}
	next(lx);
	return true;
}

/* parse_mailbox - name-addr or addr-spec; in_group forbids a nested group. */
static bool parse_mailbox(struct lexer *lx, struct addr5322_list *out, bool in_group, bool *group)
{
	bool dots;
	size_t words = parse_words(lx, &dots);
	*group = false;
	switch (lx->t) {
	case T_LT:
		return parse_angle(lx, out);
	case T_AT:
		if (words == 0) {
			fail(lx, "local-part expected", lx->start);
			return false;
		}
		next(lx);
		return parse_domain(lx, out);
	case T_COLON:
		if (in_group || words == 0) {
			fail(lx, in_group ? "nested group" : "group name expected", lx->start);
			return false;
		}
		*group = true;
		next(lx);
		return true;
	case T_ERROR:
		return false;
	default:
		fail(lx, "'<', '@' or ':' expected", lx->start);
		return false;
	}
}

int addr5322_domains(const char *value, size_t len, struct addr5322_list *out, char *err,
		     size_t errlen)
{
	struct lexer lx = { .s = (const unsigned char *)value, .len = len, .err = err, .errlen = errlen };
	bool in_group = false;
	memset(out, 0, sizeof *out);
	if (err && errlen)
		err[0] = '\0';
	if (value == NULL)
		lx.len = 0, lx.s = (const unsigned char *)"";
	next(&lx);
	/* Each iteration consumes at least one token or fails, so this ends. */
	while (lx.t != T_END) {
		bool group;
		if (lx.t == T_ERROR)
			return -1;
		if (lx.t == T_COMMA) {       /* obs-mbox-list / obs-group-list empty element */
			next(&lx);
			continue;
		}
		if (in_group && lx.t == T_SEMI) {
			in_group = false;
			next(&lx);
			if (lx.t != T_END && lx.t != T_COMMA) {
				fail(&lx, "',' expected after group", lx.start);
				return -1;
			}
			continue;
		}
		if (!parse_mailbox(&lx, out, in_group, &group))
			return -1;
		if (group) {
			in_group = true;
			continue;
		}
		if (lx.t == T_COMMA || lx.t == T_END || (in_group && lx.t == T_SEMI))
			continue;
		fail(&lx, "',' expected between addresses", lx.start);
		return -1;
	}
	if (in_group) {
		fail(&lx, "group not closed with ';'", lx.pos);
		return -1;
	}
	if (lx.failed)
		return -1;
	return 0;
}
