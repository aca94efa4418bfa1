/* hdr - the message's header fields as an ordered list, and raw-message splitting.
 * A field keeps its name as given and its raw value: the text after the colon, leading
 * whitespace and folding included, with every line break normalised to CRLF. Both the
 * milter (header callbacks) and the CLI (a message on stdin) fill the same list, so the
 * DKIM and DMARC code sees one model.
 * OWNS: the copies of names and values. THREADS: one owner at a time. */
#ifndef AM_HDR_H
#define AM_HDR_H
#include <stdbool.h>
#include <stddef.h>
#include "buf.h"

#define HDR_MAX_FIELDS 1000    /* more header fields than this: the list refuses them */

struct hdr_field {
	char *name;
	char *value;
	size_t value_len;
};

struct hdr_list {
	struct hdr_field *f;
	size_t count, cap;
};

void hdr_list_init(struct hdr_list *l);
void hdr_list_clear(struct hdr_list *l);
/* hdr_list_add - append a copy; bare LF and bare CR in value become CRLF. 0, or -1
 * (ENOMEM or more than HDR_MAX_FIELDS fields). */
int hdr_list_add(struct hdr_list *l, const char *name, const char *value);
/* hdr_list_count - how many fields are named name (case-insensitive). */
size_t hdr_list_count(const struct hdr_list *l, const char *name);
/* hdr_list_find - the n-th field (0-based, top down) named name, or NULL. */
const struct hdr_field *hdr_list_find(const struct hdr_list *l, const char *name, size_t n);

/* hdr_to_crlf - copy text into out with every line break as CRLF (LF, CR, CRLF in). */
int hdr_to_crlf(const char *in, size_t len, struct buf *out);
/* hdr_split_message - parse a CRLF message: fill l with its header fields and set
 * *body_off to the first body byte (len when there is no body). A line that is neither
 * a field nor a continuation ends the header (as MTAs treat it). 0, or -1 on ENOMEM. */
int hdr_split_message(const char *msg, size_t len, struct hdr_list *l, size_t *body_off);
/* hdr_split_each - the same walk, handing each field to fn (name and raw value as
 * NUL-terminated copies, valid during the call) instead of a list: no field limit, so a
 * caller can see every field as the milter does. fn returns 0 to go on; a negative
 * return stops the walk and is returned (-1 also on ENOMEM). */
typedef int (*hdr_field_fn)(const char *name, const char *value, void *arg);
int hdr_split_each(const char *msg, size_t len, hdr_field_fn fn, void *arg, size_t *body_off);
#endif
