/* outbound - is this message outbound (to be signed, not judged)? Pure.
 * Outbound when: the client authenticated ({auth_authen} set, if outbound.authenticated),
 * or the client address is in outbound.internal_hosts, or the {daemon_name} macro is one
 * of outbound.submission_daemons. Returns the reason for the summary line. */
#ifndef AM_OUTBOUND_H
#define AM_OUTBOUND_H
#include "cidr.h"
#include "conf.h"
#include <stdbool.h>

enum outbound_reason { OUTBOUND_NO = 0, OUTBOUND_AUTH, OUTBOUND_INTERNAL, OUTBOUND_DAEMON };

/* outbound_decide - ip may be NULL (unknown client address, e.g. a local pickup). */
enum outbound_reason outbound_decide(const struct conf *c, const struct am_ip *ip,
				     const char *auth_authen, const char *daemon_name);
const char *outbound_reason_name(enum outbound_reason r);
/* cidrlist_match - is ip inside any prefix of the list? */
bool cidrlist_match(const struct conf_cidrlist *l, const struct am_ip *ip);
#endif
