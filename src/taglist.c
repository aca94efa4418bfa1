/* taglist - RFC 6376 §3.2 tag=value list parser (see taglist.h). */
#include "taglist.h"
#include "strutil.h"
#include <stdio.h>
#include <string.h>

static size_t skip_fws(const char *s, size_t i, size_t len)
{
	while (i < len && am_isspace((unsigned char)s[i]))
		i++;
	return i;
}

int taglist_parse(const char *s, size_t len, struct taglist *out, char *err, size_t errlen)
{
	size_t i = 0;
	out->count = 0;
	for (;;) {
		size_t ns, ne, vs, ve;
		i = skip_fws(s, i, len);
		if (i >= len)
			return 0;
		ns = i;
		if (!am_isalpha((unsigned char)s[i])) {
			snprintf(err, errlen, "bad tag name at offset %zu", i);
			return -1;
		}
		while (i < len && (am_isalnum((unsigned char)s[i]) || s[i] == '_'))
			i++;
		ne = i;
		i = skip_fws(s, i, len);
		if (i >= len || s[i] != '=') {
			snprintf(err, errlen, "tag '%.*s' has no '='", (int)(ne - ns), s + ns);
			return -1;
		}
		i = skip_fws(s, i + 1, len);
		vs = i;
		while (i < len && s[i] != ';') {
			unsigned char c = (unsigned char)s[i];
			if (c < 0x20 && !am_isspace(c)) {
				snprintf(err, errlen, "control character in tag '%.*s'", (int)(ne - ns), s + ns);
				return -1;
			}
			if (c == 0x7f) {
				snprintf(err, errlen, "control character in tag '%.*s'", (int)(ne - ns), s + ns);
				return -1;
			}
			i++;
		}
		ve = i;
		while (ve > vs && am_isspace((unsigned char)s[ve - 1]))
			ve--;
		for (size_t k = 0; k < out->count; k++) {
			if (out->tags[k].name_len == ne - ns && memcmp(out->tags[k].name, s + ns, ne - ns) == 0) {
				snprintf(err, errlen, "duplicate tag '%.*s'", (int)(ne - ns), s + ns);
				return -1;
			}
		}
		if (out->count == TAGLIST_MAX) {
			snprintf(err, errlen, "more than %d tags", TAGLIST_MAX);
			return -1;
		}
		out->tags[out->count].name = s + ns;
		out->tags[out->count].name_len = ne - ns;
		out->tags[out->count].value = s + vs;
		out->tags[out->count].value_len = ve - vs;
		out->count++;
		if (i < len)
			i++; /* the ';' */
	}
}

const struct taglist_entry *taglist_get(const struct taglist *tl, const char *name)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i < tl->count; i++)
		if (tl->tags[i].name_len == nl && memcmp(tl->tags[i].name, name, nl) == 0)
			return &tl->tags[i];
	return NULL;
}

size_t taglist_strip_fws(const char *v, size_t vlen, char *out, size_t outcap)
{
	size_t n = 0;
	for (size_t i = 0; i < vlen; i++) {
		if (am_isspace((unsigned char)v[i]))
			continue;
		if (n + 1 >= outcap)
			return (size_t)-1;
		out[n++] = v[i];
	}
	if (outcap)
		out[n] = '\0';
	return n;
}
