/* summary - the one log line per message: queue id, client, direction, each check's
 * result, final action, milliseconds spent; as key=value text or as a JSON object.
 * Never includes bodies or key material. Pure: formats into a buffer. */
#ifndef AM_SUMMARY_H
#define AM_SUMMARY_H
#include "buf.h"
#include "msg_eval.h"
#include "verdict.h"
#include <stdbool.h>

int summary_format(const struct msg_eval *me, const struct conn_info *conn, const struct verdict *v,
		   uint64_t elapsed_ms, bool json, struct buf *out);
#endif
