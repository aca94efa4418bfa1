/* hdr - ordered header-field list and raw-message splitting (see hdr.h). */
#include "hdr.h"
#include "strutil.h"
#include <stdlib.h>
#include <string.h>

void hdr_list_init(struct hdr_list *l)
{
	l->f = NULL;
	l->count = l->cap = 0;
}

void hdr_list_clear(struct hdr_list *l)
{
	for (size_t i = 0; i < l->count; i++) {
		free(l->f[i].name);
		free(l->f[i].value);
	}
	free(l->f);
	hdr_list_init(l);
}

int hdr_to_crlf(const char *in, size_t len, struct buf *out)
{
	for (size_t i = 0; i < len; i++) {
		if (in[i] == '\r') {
			if (buf_append(out, "\r\n", 2) < 0)
				return -1;
			if (i + 1 < len && in[i + 1] == '\n')
				i++;
		} else if (in[i] == '\n') {
			if (buf_append(out, "\r\n", 2) < 0)
				return -1;
		} else if (buf_putc(out, in[i]) < 0) {
			return -1;
		}
	}
	return 0;
}

int hdr_list_add(struct hdr_list *l, const char *name, const char *value)
{
	struct buf v;
	char *n;
	if (l->count >= HDR_MAX_FIELDS)
		return -1;
	if (l->count == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16;
		struct hdr_field *nf = realloc(l->f, ncap * sizeof *nf);
		if (nf == NULL)
			return -1;
		l->f = nf;
		l->cap = ncap;
	}
	buf_init(&v);
	if (hdr_to_crlf(value, strlen(value), &v) < 0 || (n = strdup(name)) == NULL) {
		buf_clear(&v);
		return -1;
	}
	l->f[l->count].name = n;
	l->f[l->count].value_len = v.len;
	l->f[l->count].value = buf_steal(&v);
	if (l->f[l->count].value == NULL) {
		free(n);
		return -1;
	}
	l->count++;
	return 0;
}

size_t hdr_list_count(const struct hdr_list *l, const char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < l->count; i++)
		if (am_strcaseeq(l->f[i].name, name))
			n++;
	return n;
}

const struct hdr_field *hdr_list_find(const struct hdr_list *l, const char *name, size_t n)
{
	for (size_t i = 0; i < l->count; i++)
		if (am_strcaseeq(l->f[i].name, name) && n-- == 0)
			return &l->f[i];
	return NULL;
}

/* line_end - offset just past the CRLF ending the line at i (or len). */
static size_t line_end(const char *m, size_t i, size_t len)
{
	while (i < len) {
		if (m[i] == '\r' && i + 1 < len && m[i + 1] == '\n')
			return i + 2;
		i++;
	}
	return len;
}

int hdr_split_each(const char *msg, size_t len, hdr_field_fn fn, void *arg, size_t *body_off)
{
	size_t i = 0;
	while (i < len) {
		size_t colon, start = i, end, vend;
		char *name, *value;
		int rc;
		if (msg[i] == '\r' && i + 1 < len && msg[i + 1] == '\n') {
			*body_off = i + 2;
			return 0;
		}
		for (colon = i; colon < len && msg[colon] != ':' && msg[colon] != '\r' && msg[colon] != '\n'; colon++)
			;
		if (colon >= len || msg[colon] != ':' || colon == start) {
			*body_off = start;     /* not a header field: the body starts here */
			return 0;
		}
		end = line_end(msg, colon, len);
		while (end < len && am_iswsp((unsigned char)msg[end]))
			end = line_end(msg, end, len);
		vend = end;
		if (vend >= 2 && msg[vend - 2] == '\r' && msg[vend - 1] == '\n')
			vend -= 2;
		{
			size_t nlen = colon;
			while (nlen > start && am_iswsp((unsigned char)msg[nlen - 1]))
				nlen--;
			name = strndup(msg + start, nlen - start);
		}
		value = strndup(msg + colon + 1, vend - colon - 1);
		rc = (name && value) ? fn(name, value, arg) : -1;
		free(name);
		free(value);
		if (rc < 0)
			return -1;
		i = end;
	}
	*body_off = len;
	return 0;
}

static int add_to_list(const char *name, const char *value, void *arg)
{
	return hdr_list_add(arg, name, value);
}

int hdr_split_message(const char *msg, size_t len, struct hdr_list *l, size_t *body_off)
{
	return hdr_split_each(msg, len, add_to_list, l, body_off);
}
