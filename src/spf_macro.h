/* spf_macro - RFC 7208 §7 macro expansion. PURE: the caller supplies every value,
 * including the validated %{p} name (the evaluator resolves it first, §5.5/§7.3).
 * OWNS: nothing; output goes into a caller buffer with a hard bound.
 * Domain mode: the result is truncated from the left, label by label, to 253 octets
 * (§7.3) and c/r/t are refused. Explanation mode: c/r/t and spaces are allowed and the
 * output is cut at the buffer size. */
#ifndef AM_SPF_MACRO_H
#define AM_SPF_MACRO_H
#include "cidr.h"
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define SPF_MACRO_EXP 0x1          /* explain-string: c/r/t and SP allowed */
#define SPF_MACRO_VALUE_MAX 1024    /* longest input value a macro may carry */
#define SPF_MACRO_DIGITS_MAX 128    /* larger digit transformers act like "all parts" */

struct spf_macro_ctx {
	const char *sender;          /* s: local-part@domain */
	const char *local;           /* l */
	const char *sender_domain;   /* o */
	const char *domain;          /* d: the current domain */
	const struct am_ip *ip;      /* i, c, v */
	const char *ptr_name;        /* p: validated name, NULL = "unknown" */
	const char *helo;            /* h */
	const char *receiver;        /* r: NULL = "unknown" */
	time_t now;                  /* t */
};

/* spf_macro_check - syntax of a macro-string (flags: SPF_MACRO_EXP). Returns 0, or -1
 * with a reason. *tail (may be NULL) gets the offset where the trailing run of literal
 * characters starts (len when the string ends with a macro-expand). */
int spf_macro_check(const char *s, size_t len, unsigned flags, size_t *tail, char *why, size_t whylen);

/* spf_macro_expand - expand s[0..len) into out (NUL-terminated, at most outcap-1 bytes).
 * Without SPF_MACRO_EXP the result is a domain: truncated to 253 octets from the left.
 * Returns the output length, or -1 on a syntax error or an over-long value (why). */
int spf_macro_expand(const char *s, size_t len, const struct spf_macro_ctx *ctx, unsigned flags,
		     char *out, size_t outcap, char *why, size_t whylen);

/* spf_macro_uses_p - does the string contain a %{p} macro (needs the PTR procedure)? */
bool spf_macro_uses_p(const char *s, size_t len);

/* spf_macro_ip_dotted - %{i} text: dotted quad, or 32 dotted nibbles for IPv6. */
void spf_macro_ip_dotted(const struct am_ip *ip, char *out, size_t outlen);
#endif
