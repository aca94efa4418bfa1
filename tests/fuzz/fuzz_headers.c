/* fuzz_headers - the raw-message header splitter (hdr_split_message, after and without
 * hdr_to_crlf) and the Authentication-Results "claims our authserv-id" matcher
 * (authres_claims_id) on arbitrary bytes. Input: an authserv-id line, then the message.
 * Invariants: the body offset lies within the message; the list never exceeds
 * HDR_MAX_FIELDS; every field has a name without ':' or line breaks and a value whose
 * recorded length fits its allocation; the matcher only claims a value that holds the id
 * (case-insensitively) and always claims "<id>; none". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "authres.h"
#include "buf.h"
#include "hdr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_list(const struct hdr_list *l, const char *id)
{
	if (l->count > HDR_MAX_FIELDS || l->count > l->cap)
		abort();
	for (size_t i = 0; i < l->count; i++) {
		const struct hdr_field *f = &l->f[i];
		if (f->name == NULL || f->value == NULL || strpbrk(f->name, ":\r\n") != NULL)
			abort();
		if (f->value[f->value_len] != '\0')
			abort();
		if (id[0] != '\0' && authres_claims_id(f->value, id) && strcasestr(f->value, id) == NULL)
			abort();
	}
}

static void split(const char *msg, size_t len, const char *id)
{
	struct hdr_list l;
	size_t body = (size_t)-1;
	hdr_list_init(&l);
	if (hdr_split_message(msg, len, &l, &body) == 0) {
		if (body > len)
			abort();
	}
	check_list(&l, id);
	hdr_list_clear(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size < 256 ? size : 256);
	size_t idlen = nl ? (size_t)(nl - data) : 0;
	const char *msg = nl ? (const char *)nl + 1 : (const char *)data;
	size_t len = nl ? size - idlen - 1 : size;
	char id[257];
	struct buf b;
	memcpy(id, data, idlen);
	id[idlen] = '\0';
	split(msg, len, id);

	buf_init(&b);
	if (hdr_to_crlf(msg, len, &b) == 0) {
		/* every line break is CRLF now */
		for (size_t i = 0; i < b.len; i++)
			if ((b.data[i] == '\r' && (i + 1 >= b.len || b.data[i + 1] != '\n')) ||
			    (b.data[i] == '\n' && (i == 0 || b.data[i - 1] != '\r')))
				abort();
		split(b.data, b.len, id);
	}
	buf_clear(&b);

	/* the matcher on the id itself followed by "; none", when the id is one token */
	if (idlen > 0 && strlen(id) == idlen && strpbrk(id, " \t\r\n;()\"") == NULL) {
		struct buf v;
		buf_init(&v);
		if (buf_puts(&v, id) == 0 && buf_puts(&v, "; none") == 0 && !authres_claims_id(v.data, id))
			abort();
		buf_clear(&v);
	}
	return 0;
}
