/* outbound - outbound-mail decision from macros, client address and configuration
 * (see outbound.h). */
#include "outbound.h"
#include <string.h>

bool cidrlist_match(const struct conf_cidrlist *l, const struct am_ip *ip)
{
	if (ip == NULL)
		return false;
	for (size_t i = 0; i < l->n; i++)
		if (am_cidr_match(&l->v[i], ip))
			return true;
	return false;
}

enum outbound_reason outbound_decide(const struct conf *c, const struct am_ip *ip,
				     const char *auth_authen, const char *daemon_name)
{
	if (c->outbound.authenticated && auth_authen && auth_authen[0])
		return OUTBOUND_AUTH;
	if (cidrlist_match(&c->outbound.internal_hosts, ip))
		return OUTBOUND_INTERNAL;
	if (daemon_name && daemon_name[0]) {
		for (size_t i = 0; i < c->outbound.submission_daemons.n; i++)
			if (strcmp(c->outbound.submission_daemons.v[i], daemon_name) == 0)
				return OUTBOUND_DAEMON;
	}
	return OUTBOUND_NO;
}

const char *outbound_reason_name(enum outbound_reason r)
{
	switch (r) {
	case OUTBOUND_AUTH:
		return "authenticated";
	case OUTBOUND_INTERNAL:
		return "internal_host";
	case OUTBOUND_DAEMON:
		return "submission_daemon";
	default:
		return "inbound";
	}
}
