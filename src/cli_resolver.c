/* cli_resolver - the resolver a command-line tool uses (see cli.h): --dns-zone FILE
 * (in-memory zone), else the --dns-server list, else /etc/resolv.conf; the c-ares
 * resolvers are wrapped in a dns_cache.
 * OWNS: the zone or the c-ares resolver and its cache, until cli_resolver_close(). */
#include "cli.h"
#include "dns_ares.h"
#include "dns_cache.h"
#include "dns_zone.h"
#include "conf.h"
#include "dns_stack.h"
#include "runtime.h"
#include <stdio.h>
#include <string.h>

/* cli_resolver_ares - c-ares on these servers (none: /etc/resolv.conf), plus a cache.
 * The place to feed dns.servers/dns.timeout/dns.tries from the configuration later. */
static int cli_resolver_ares(const char *const *servers, size_t n, struct cli_resolver *out)
{
	struct dns_ares_options o = { .servers = servers, .n_servers = n };
	struct dns_cache_options co = { 0 };
	struct dns_resolver inner;
	char err[256] = "";
	struct dns_ares *a = dns_ares_new(&o, err, sizeof err);
	struct dns_cache *c;
	if (a == NULL) {
		fprintf(stderr, "authmilter: DNS resolver: %s\n", err);
		return -1;
	}
	inner = dns_ares_resolver(a);
	c = dns_cache_new(&inner, &co);
	if (c == NULL) {
		fprintf(stderr, "authmilter: DNS cache: out of memory\n");
		dns_ares_free(a);
		return -1;
	}
	out->ares = a;
	out->cache = c;
	out->r = dns_cache_resolver(c);
	return 0;
}

static int cli_resolver_zone(const char *path, struct cli_resolver *out)
{
	char err[512] = "";
	struct dns_zone *z = dns_zone_new();
	if (z == NULL) {
		fprintf(stderr, "authmilter: out of memory\n");
		return -1;
	}
	if (dns_zone_load_file(z, path, err, sizeof err) < 0) {
		fprintf(stderr, "authmilter: --dns-zone: %s\n", err);
		dns_zone_free(z);
		return -1;
	}
	out->zone = z;
	out->r = dns_zone_resolver(z);
	return 0;
}

/* cli_resolver_conf - dns.* from the configuration file (with the command-line
 * overrides applied), built the way the daemon builds it. */
static int cli_resolver_conf(const struct cli_globals *g, struct cli_resolver *out)
{
	char err[8192] = "";
	struct dns_stack_settings ds;
	struct dns_stack *st;
	struct conf *c = conf_load(g->config_path, err, sizeof err);
	if (c == NULL) {
		fputs(err, stderr);
		return -1;
	}
	runtime_dns_settings(c, g, &ds);
	st = dns_stack_new(&ds, err, sizeof err);
	conf_free(c);
	if (st == NULL) {
		fprintf(stderr, "authmilter: DNS resolver: %s\n", err);
		return -1;
	}
	out->stack = st;
	out->r = *dns_stack_resolver(st);
	return 0;
}

int cli_resolver_open(const struct cli_globals *g, struct cli_resolver *out)
{
	memset(out, 0, sizeof *out);
	if (g->dns_zone_file)
		return cli_resolver_zone(g->dns_zone_file, out);
	if (g->config_given)
		return cli_resolver_conf(g, out);
	if (g->n_dns_servers > 0)
		return cli_resolver_ares(g->dns_servers, g->n_dns_servers, out);
	return cli_resolver_ares(NULL, 0, out);
}

void cli_resolver_close(struct cli_resolver *cr)
{
	if (cr == NULL)
		return;
	dns_stack_unref(cr->stack);
	dns_cache_free(cr->cache);
	dns_ares_free(cr->ares);
	dns_zone_free(cr->zone);
	memset(cr, 0, sizeof *cr);
}
