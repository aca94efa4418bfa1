/* strutil - locale-free ASCII helpers and domain-name normalisation.
 * OWNS: nothing; every function works on caller buffers.
 * THREADS: all functions are reentrant. */
#ifndef AM_STRUTIL_H
#define AM_STRUTIL_H
#include <stddef.h>
#include <stdbool.h>

static inline bool am_isdigit(int c) { return c >= '0' && c <= '9'; }
static inline bool am_isalpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static inline bool am_isalnum(int c) { return am_isdigit(c) || am_isalpha(c); }
static inline bool am_isxdigit(int c) { return am_isdigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
static inline bool am_iswsp(int c) { return c == ' ' || c == '\t'; }
static inline bool am_isspace(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
static inline int am_tolower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }
static inline int am_toupper(int c) { return (c >= 'a' && c <= 'z') ? c - 32 : c; }

/* am_strcaseeq - ASCII case-insensitive equality of two NUL-terminated strings. */
bool am_strcaseeq(const char *a, const char *b);
/* am_strncaseeq - ASCII case-insensitive equality of a[0..alen) and NUL-terminated b. */
bool am_memcaseeq(const char *a, size_t alen, const char *b);
/* am_strlower - lower-case s in place (ASCII only); returns s. */
char *am_strlower(char *s);
/* am_strndup_lower - copy len bytes, lower-cased, NUL-terminated; NULL on ENOMEM. */
char *am_strndup_lower(const char *s, size_t len);
/* am_trim - strip leading/trailing WSP/CR/LF; returns pointer into s, writes new length. */
const char *am_trim(const char *s, size_t len, size_t *outlen);
/* am_domain_valid - true for a syntactically valid DNS name (LDH labels, 1..63 per label,
 * at most 253 chars, optional trailing dot; underscores allowed for _domainkey/_dmarc). */
bool am_domain_valid(const char *s, size_t len);
/* am_domain_normalize - lower-case, drop one trailing dot; returns new string or NULL. */
char *am_domain_normalize(const char *s, size_t len);
/* am_domain_is_sub - true when sub equals parent or ends in "." parent (case-insensitive). */
bool am_domain_is_sub(const char *sub, const char *parent);
/* am_domain_labels - number of labels in a domain name ("a.b.c" -> 3). */
int am_domain_labels(const char *d);
#endif
