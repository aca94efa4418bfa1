/* spf_macro - RFC 7208 §7 macro expansion (see spf_macro.h).
 * OWNS: nothing. Every loop is bounded by the input length or a fixed constant. */
#include "spf_macro.h"
#include "strutil.h"
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define DOMAIN_MAX 253
#define TAIL_KEEP 1024             /* domain mode keeps at least this much of the tail */

/* out_buf - bounded writer. Domain mode keeps the tail (only the last 253 octets
 * matter); explanation mode keeps the head and drops what does not fit. */
struct out_buf {
	char *p;
	size_t cap, len;
	bool keep_tail;
	char tail[2 * TAIL_KEEP];
};

static void out_putc(struct out_buf *o, char c)
{
	if (o->keep_tail) {
		if (o->len == sizeof o->tail) {
			memmove(o->tail, o->tail + TAIL_KEEP, sizeof o->tail - TAIL_KEEP);
			o->len -= TAIL_KEEP;
		}
		o->tail[o->len++] = c;
		return;
	}
	if (o->len + 1 < o->cap)
		o->p[o->len++] = c;
}

static void out_put(struct out_buf *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out_putc(o, s[i]);
}

static bool is_delim(int c)
{
	return c == '.' || c == '-' || c == '+' || c == ',' || c == '/' || c == '_' || c == '=';
}

static bool is_literal(int c, unsigned flags)
{
	if (c == ' ' && (flags & SPF_MACRO_EXP))
		return true;
	return c >= 0x21 && c <= 0x7e && c != '%';
}

static bool is_letter(int c, unsigned flags, char *why, size_t whylen)
{
	switch (am_tolower(c)) {
	case 's': case 'l': case 'o': case 'd': case 'i': case 'p': case 'h': case 'v':
		return true;
	case 'c': case 'r': case 't':
		if (flags & SPF_MACRO_EXP)
			return true;
		snprintf(why, whylen, "macro %%{%c} is only allowed in explanation text", c);
		return false;
	default:
		if (c >= 0x21 && c <= 0x7e)
			snprintf(why, whylen, "unknown macro letter '%c'", c);
		else
			snprintf(why, whylen, "unknown macro letter 0x%02x", (unsigned char)c);
		return false;
	}
}

/* macro_spec - the parsed inside of %{...} */
struct macro_spec {
	char letter;          /* as written (case tells URL escaping) */
	unsigned digits;      /* 0 = all parts */
	bool reverse;
	char delims[8];       /* NUL-terminated set, "" = "." */
};

/* parse_expand - at s[i] == '%': parse one macro-expand. Returns the number of bytes
 * consumed, or 0 on a syntax error. kind: 'm' (a %{}), or the literal char to emit. */
static size_t parse_expand(const char *s, size_t len, size_t i, unsigned flags, struct macro_spec *m,
			   char *kind, char *why, size_t whylen)
{
	size_t j = i + 1;
	if (j >= len) {
		snprintf(why, whylen, "'%%' at end of macro-string");
		return 0;
	}
	switch (s[j]) {
	case '%':
		*kind = '%';
		return 2;
	case '_':
		*kind = ' ';
		return 2;
	case '-':
		*kind = '-';
		return 2;
	case '{':
		break;
	default:
		if (s[j] >= 0x21 && s[j] <= 0x7e)
			snprintf(why, whylen, "invalid macro '%%%c'", s[j]);
		else
			snprintf(why, whylen, "invalid macro '%%' followed by 0x%02x", (unsigned char)s[j]);
		return 0;
	}
	*kind = 'm';
	memset(m, 0, sizeof *m);
	j++;
	if (j >= len || !is_letter((unsigned char)s[j], flags, why, whylen)) {
		if (j >= len)
			snprintf(why, whylen, "unterminated macro");
		return 0;
	}
	m->letter = s[j++];
	if (j < len && am_isdigit((unsigned char)s[j])) {
		unsigned long v = 0;
		while (j < len && am_isdigit((unsigned char)s[j])) {
			if (v < 100000)
				v = v * 10 + (unsigned long)(s[j] - '0');
			j++;
		}
		if (v == 0) {
			snprintf(why, whylen, "macro digit transformer must be nonzero");
			return 0;
		}
		m->digits = v > SPF_MACRO_DIGITS_MAX ? SPF_MACRO_DIGITS_MAX : (unsigned)v;
	}
	if (j < len && am_tolower((unsigned char)s[j]) == 'r') {
		m->reverse = true;
		j++;
	}
	{
		size_t nd = 0;
		while (j < len && is_delim((unsigned char)s[j])) {
			if (strchr(m->delims, s[j]) == NULL && nd + 1 < sizeof m->delims)
				m->delims[nd++] = s[j];
			j++;
		}
	}
	if (j >= len || s[j] != '}') {
		snprintf(why, whylen, "malformed macro (expected '}')");
		return 0;
	}
	return j + 1 - i;
}

int spf_macro_check(const char *s, size_t len, unsigned flags, size_t *tail, char *why, size_t whylen)
{
	size_t i = 0, t = 0;
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			struct macro_spec m;
			char kind;
			size_t n = parse_expand(s, len, i, flags, &m, &kind, why, whylen);
			if (n == 0)
				return -1;
			i += n;
			t = i;
		} else if (is_literal(c, flags)) {
			i++;
		} else {
			snprintf(why, whylen, "invalid character 0x%02x in macro-string", c);
			return -1;
		}
	}
	if (tail)
		*tail = t;
	return 0;
}

bool spf_macro_uses_p(const char *s, size_t len)
{
	for (size_t i = 0; i + 2 < len; i++) {
		if (s[i] == '%' && s[i + 1] == '%') {
			i++;
			continue;
		}
		if (s[i] == '%' && s[i + 1] == '{' && am_tolower((unsigned char)s[i + 2]) == 'p')
			return true;
	}
	return false;
}

void spf_macro_ip_dotted(const struct am_ip *ip, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	if (outlen == 0)
		return;
	if (ip->family == AF_INET) {
		snprintf(out, outlen, "%u.%u.%u.%u", ip->addr[0], ip->addr[1], ip->addr[2], ip->addr[3]);
		return;
	}
	for (int i = 0; i < 16 && n + 4 < outlen; i++) {
		out[n++] = hex[ip->addr[i] >> 4];
		out[n++] = '.';
		out[n++] = hex[ip->addr[i] & 15];
		out[n++] = '.';
	}
	if (n > 0)
		n--;              /* no trailing dot */
	out[n] = '\0';
}

/* macro_value - the raw value of a macro letter. */
static const char *macro_value(const struct spf_macro_ctx *ctx, char letter, char *tmp, size_t tmplen)
{
	switch (am_tolower((unsigned char)letter)) {
	case 's':
		return ctx->sender ? ctx->sender : "";
	case 'l':
		return ctx->local ? ctx->local : "postmaster";
	case 'o':
		return ctx->sender_domain ? ctx->sender_domain : "";
	case 'd':
		return ctx->domain ? ctx->domain : "";
	case 'i':
		if (ctx->ip == NULL)
			return "";
		spf_macro_ip_dotted(ctx->ip, tmp, tmplen);
		return tmp;
	case 'c':
		if (ctx->ip == NULL)
			return "";
		am_ip_format(ctx->ip, tmp, tmplen);
		return tmp;
	case 'v':
		return ctx->ip && ctx->ip->family == AF_INET6 ? "ip6" : "in-addr";
	case 'p':
		return ctx->ptr_name && ctx->ptr_name[0] ? ctx->ptr_name : "unknown";
	case 'h':
		return ctx->helo ? ctx->helo : "";
	case 'r':
		return ctx->receiver && ctx->receiver[0] ? ctx->receiver : "unknown";
	case 't':
		snprintf(tmp, tmplen, "%lld", (long long)ctx->now);
		return tmp;
	}
	return "";
}

static bool url_unreserved(int c)
{
	return am_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* emit_macro - split, reverse, keep the right-most digits parts, join with '.'. */
static int emit_macro(struct out_buf *o, const struct macro_spec *m, const struct spf_macro_ctx *ctx,
		      char *why, size_t whylen)
{
	char tmp[128];
	const char *v = macro_value(ctx, m->letter, tmp, sizeof tmp);
	size_t vlen = strlen(v), np = 0, first;
	size_t start[SPF_MACRO_VALUE_MAX + 1], plen[SPF_MACRO_VALUE_MAX + 1];
	const char *delims = m->delims[0] ? m->delims : ".";
	bool escape = am_toupper((unsigned char)m->letter) == m->letter;
	static const char hex[] = "0123456789ABCDEF";

	if (vlen > SPF_MACRO_VALUE_MAX) {
		snprintf(why, whylen, "macro value too long");
		return -1;
	}
	start[0] = 0;
	for (size_t i = 0; i <= vlen; i++) {
		if (i == vlen || strchr(delims, v[i]) != NULL) {
			plen[np] = i - start[np];
			np++;
			if (i < vlen)
				start[np] = i + 1;
		}
	}
	first = m->digits && m->digits < np ? np - m->digits : 0;
	for (size_t k = first; k < np; k++) {
		size_t idx = m->reverse ? np - 1 - k : k;   /* the list reversed, if asked */
		if (k > first)
			out_putc(o, '.');
		for (size_t b = 0; b < plen[idx]; b++) {
			unsigned char c = (unsigned char)v[start[idx] + b];
			if (escape && !url_unreserved(c)) {
				out_putc(o, '%');
				out_putc(o, hex[c >> 4]);
				out_putc(o, hex[c & 15]);
			} else {
				out_putc(o, (char)c);
			}
		}
	}
	return 0;
}

int spf_macro_expand(const char *s, size_t len, const struct spf_macro_ctx *ctx, unsigned flags,
		     char *out, size_t outcap, char *why, size_t whylen)
{
	struct out_buf ob;
	struct out_buf *o = &ob;
	size_t i = 0;

	if (outcap == 0)
		return -1;
	o->p = out;
	o->cap = outcap;
	o->len = 0;
	o->keep_tail = !(flags & SPF_MACRO_EXP);
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			struct macro_spec m;
			char kind;
			size_t n = parse_expand(s, len, i, flags, &m, &kind, why, whylen);
			if (n == 0)
				return -1;
			if (kind == 'm') {
				if (emit_macro(o, &m, ctx, why, whylen) < 0)
					return -1;
			} else if (kind == ' ') {
				out_putc(o, ' ');
			} else if (kind == '-') {
				out_put(o, "%20", 3);
			} else {
				out_putc(o, '%');
			}
			i += n;
		} else if (is_literal(c, flags)) {
			out_putc(o, (char)c);
			i++;
		} else {
			snprintf(why, whylen, "invalid character 0x%02x in macro-string", c);
			return -1;
		}
	}
	if (!o->keep_tail) {
		out[o->len] = '\0';
		return (int)o->len;
	}
	/* domain: drop left-most labels until at most 253 octets remain (§7.3) */
	{
		const char *d = o->tail;
		size_t dl = o->len;
		if (dl > 0 && d[dl - 1] == '.')
			dl--;       /* a trailing dot does not count toward the length */
		while (dl > DOMAIN_MAX) {
			const char *dot = memchr(d, '.', dl);
			if (dot == NULL) {
				d += dl;
				dl = 0;
				break;
			}
			dl -= (size_t)(dot + 1 - d);
			d = dot + 1;
		}
		if (dl + 1 > outcap) {
			snprintf(why, whylen, "expanded domain does not fit");
			return -1;
		}
		memcpy(out, d, dl);
		out[dl] = '\0';
		return (int)dl;
	}
}
