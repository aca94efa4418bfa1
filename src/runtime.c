/* runtime - objects built from a configuration snapshot (see runtime.h). */
#include "runtime.h"
#include <stdlib.h>

void runtime_dns_settings(const struct conf *c, const struct cli_globals *g, struct dns_stack_settings *out)
{
	out->zone_file = g ? g->dns_zone_file : NULL;
	if (g && g->n_dns_servers > 0) {
		out->servers = g->dns_servers;
		out->n_servers = g->n_dns_servers;
	} else {
		out->servers = (const char *const *)c->dns.servers.v;
		out->n_servers = c->dns.servers.n;
	}
	out->timeout_ms = (unsigned)c->dns.timeout;
	out->tries = (unsigned)c->dns.tries;
	out->cache_size = (size_t)c->dns.cache_size;
	out->min_ttl = (unsigned)c->dns.min_ttl;
	out->max_ttl = (unsigned)c->dns.max_ttl;
	out->negative_ttl = (unsigned)c->dns.negative_ttl;
}

struct runtime *runtime_new(const struct conf *c, const struct cli_globals *g, const struct runtime *prev,
			    char *err, size_t errlen)
{
	struct runtime *rt = calloc(1, sizeof *rt);
	struct dns_stack_settings ds;
	if (rt == NULL)
		return NULL;
	runtime_dns_settings(c, g, &ds);
	if (prev && dns_stack_same(prev->dns_stack, &ds))
		rt->dns_stack = dns_stack_ref(prev->dns_stack);
	else
		rt->dns_stack = dns_stack_new(&ds, err, errlen);
	if (rt->dns_stack == NULL) {
		free(rt);
		return NULL;
	}
	rt->dns = dns_stack_resolver(rt->dns_stack);
	return rt;
}

void runtime_free(void *p)
{
	struct runtime *rt = p;
	if (rt == NULL)
		return;
	dns_stack_unref(rt->dns_stack);
	free(rt);
}
