/* dns_stack - the resolver the daemon (and the CLI tools with a configuration) use,
 * assembled from settings: an in-memory zone file, or c-ares on the configured servers
 * (or /etc/resolv.conf) behind the shared cache. Refcounted, so a configuration reload
 * whose DNS settings did not change keeps the same resolver and its warm cache.
 * OWNS: the zone or the c-ares resolver and its cache. THREADS: ref/unref are atomic. */
#ifndef AM_DNS_STACK_H
#define AM_DNS_STACK_H
#include "dns.h"
#include <stddef.h>

struct dns_stack_settings {
	const char *zone_file;             /* non-NULL: answer from this file */
	const char *const *servers;        /* host:port list; none: /etc/resolv.conf */
	size_t n_servers;
	unsigned timeout_ms, tries;
	size_t cache_size;                 /* 0: no cache */
	unsigned min_ttl, max_ttl, negative_ttl;
};

struct dns_stack;

/* dns_stack_new - build it; NULL with a reason in err. */
struct dns_stack *dns_stack_new(const struct dns_stack_settings *s, char *err, size_t errlen);
/* dns_stack_same - were these settings used to build st (so it can be shared)? */
int dns_stack_same(const struct dns_stack *st, const struct dns_stack_settings *s);
const struct dns_resolver *dns_stack_resolver(const struct dns_stack *st);
struct dns_stack *dns_stack_ref(struct dns_stack *st);
void dns_stack_unref(struct dns_stack *st);
#endif
