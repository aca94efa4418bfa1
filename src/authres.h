/* authres - Authentication-Results (RFC 8601): the writer for our header, and the
 * matcher that recognises an existing header claiming our authserv-id (forgery
 * protection: such headers are removed before ours is added). Pure. */
#ifndef AM_AUTHRES_H
#define AM_AUTHRES_H
#include "buf.h"
#include "results.h"
#include <stdbool.h>

/* authres_claims_id - does this A-R header value start with authserv_id (case-
 * insensitive, any leading CFWS/comments/folding; RFC 8601 §2.2)? */
bool authres_claims_id(const char *value, const char *authserv_id);
/* authres_format - the value of our header (without the name), lines folded with
 * fold (e.g. "\r\n\t" or "\n\t"). "authserv-id; none" when nothing was checked. */
int authres_format(const struct msg_results *r, const char *authserv_id, const char *fold, struct buf *out);
#endif
