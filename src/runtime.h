/* runtime - the long-lived objects built from one configuration snapshot and used by
 * the milter threads: the DNS resolver (shared with the previous snapshot when the DNS
 * settings did not change), and later the signing key store and metrics.
 * It is attached to the conf snapshot (conf_live.h), so a message uses the resolver and
 * keys of the configuration it started with, and they are freed with that snapshot.
 * OWNS: a reference to its dns_stack, and everything else it points to. */
#ifndef AM_RUNTIME_H
#define AM_RUNTIME_H
#include "cli.h"
#include "conf.h"
#include "dns.h"
#include "dns_stack.h"

struct runtime {
	struct dns_stack *dns_stack;
	const struct dns_resolver *dns;    /* what the checks query */
};

/* runtime_new - build from conf and the command-line overrides (--dns-server,
 * --dns-zone); prev (may be NULL) lends objects that can be shared. NULL with a reason
 * in err on failure (the daemon then keeps the previous configuration, or refuses to
 * start). */
struct runtime *runtime_new(const struct conf *c, const struct cli_globals *g, const struct runtime *prev,
			    char *err, size_t errlen);
void runtime_free(void *rt);
/* runtime_dns_settings - the resolver settings conf + overrides give. */
void runtime_dns_settings(const struct conf *c, const struct cli_globals *g, struct dns_stack_settings *out);
#endif
