/* spf_header - the Received-SPF header field value (RFC 7208 §9.1) from a finished
 * check's outcome and its request. PURE: formats into a struct buf.
 * Every value taken from the SMTP session is sanitised: control and non-ASCII bytes
 * become '?', comment text escapes '(' ')' '\', and key values are written as a
 * dot-atom when possible, else as a quoted-string. */
#ifndef AM_SPF_HEADER_H
#define AM_SPF_HEADER_H
#include "buf.h"
#include "results.h"
#include "spf_eval.h"

/* spf_header_received_spf - append the value (without "Received-SPF:") to out: result,
 * a comment, then receiver=, client-ip=, envelope-from=, helo=, identity=, and
 * mechanism= or problem= when known. mechanism may be NULL. fold (e.g. "\r\n\t") goes
 * before each key=value pair; NULL keeps everything on one line (single spaces).
 * Returns 0, or -1 on ENOMEM. */
int spf_header_received_spf(const struct spf_outcome *o, const struct spf_request *req,
			    const char *mechanism, const char *fold, struct buf *out);
#endif
