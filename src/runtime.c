/* runtime - objects built from a configuration snapshot (see runtime.h). */
#include "runtime.h"
#include "dkim_keycache.h"
#include "dkim_signer.h"
#include "dkim_signer_conf.h"
#include "dmarc_conf.h"
#include "dmarc_psl.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void runtime_dns_settings(const struct conf *c, const struct cli_globals *g, struct dns_stack_settings *out)
{
	memset(out, 0, sizeof *out);
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
	if (rt->dns_stack == NULL)
		goto fail;
	rt->dns = dns_stack_resolver(rt->dns_stack);
	if (c->dkim.sign && c->dkim.nkeys > 0) {
		/* values folded with CRLF: the verdict's convention; the milter adapts them */
		rt->signer = dkim_signer_from_conf(c, false, &rt->key_errors, err, errlen);
		if (rt->signer == NULL)
			goto fail;
	}
	if (strcmp(c->dmarc.org_domain_method, "psl") == 0) {
		rt->psl = dmarc_psl_load(c->dmarc.psl_file, err, errlen);
		if (rt->psl == NULL)
			goto fail;
	}
	rt->key_cache = dkim_keycache_new(0);
	if (rt->key_cache == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	dmarc_options_from_conf(c, rt->psl, &rt->dmarc);
	rt->env.conf = c;
	rt->env.dns = rt->dns;
	rt->env.signer = rt->signer;
	rt->env.dmarc = c->dmarc.enabled ? &rt->dmarc : NULL;
	rt->env.key_cache = rt->key_cache;
	return rt;
fail:
	runtime_free(rt);
	return NULL;
}

void runtime_free(void *p)
{
	struct runtime *rt = p;
	if (rt == NULL)
		return;
	dkim_signer_free(rt->signer);
	dmarc_psl_free(rt->psl);
	dkim_keycache_free(rt->key_cache);
	dns_stack_unref(rt->dns_stack);
	free(rt);
}
