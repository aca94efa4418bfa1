/* runtime - the long-lived objects built from one configuration snapshot and used by
 * the milter threads: today the DNS resolver; later the signing key store and metrics.
 * It is attached to the conf snapshot (conf_live.h), so a message uses the resolver and
 * keys of the configuration it started with, and they are freed with that snapshot.
 * OWNS: everything it points to. */
#ifndef AM_RUNTIME_H
#define AM_RUNTIME_H
#include "conf.h"
#include "dns.h"

struct runtime {
	struct dns_resolver dns;     /* what the checks query */
	void *dns_impl;              /* owner of dns.impl (resolver object) */
	void (*dns_free)(void *);
};

/* runtime_new - build from conf; NULL with a reason in err on failure (the daemon then
 * keeps the previous configuration, or refuses to start). */
struct runtime *runtime_new(const struct conf *c, const char *const *dns_override, size_t n_override,
			    char *err, size_t errlen);
void runtime_free(void *rt);
#endif
