/* taglist - RFC 6376 §3.2 tag=value lists, shared by DKIM-Signature, DKIM key records
 * and DMARC records. Pure and non-allocating: entries point into the caller's text.
 * Values are trimmed of surrounding whitespace; inner folding whitespace is kept (the
 * caller strips it where the tag allows, e.g. b=, bh=, p=). A duplicate tag name, a
 * missing '=', a name that is not ALPHA *(ALNUM / "_"), or a control character is a
 * syntax error (RFC 6376 §3.2: "Tags with duplicate names MUST NOT occur"). */
#ifndef AM_TAGLIST_H
#define AM_TAGLIST_H
#include <stddef.h>

#define TAGLIST_MAX 64

struct taglist_entry {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

struct taglist {
	struct taglist_entry tags[TAGLIST_MAX];
	size_t count;
};

/* taglist_parse - 0 on success; -1 with a reason in err on a syntax error. */
int taglist_parse(const char *s, size_t len, struct taglist *out, char *err, size_t errlen);
/* taglist_get - the entry named name (case-sensitive, as RFC 6376 says), or NULL. */
const struct taglist_entry *taglist_get(const struct taglist *tl, const char *name);
/* taglist_strip_fws - copy value without any whitespace into out (NUL-terminated);
 * returns length, or (size_t)-1 if it does not fit. */
size_t taglist_strip_fws(const char *v, size_t vlen, char *out, size_t outcap);
#endif
