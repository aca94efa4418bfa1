/* cli_resolver - the resolver a command-line tool uses (see cli.h). It is built exactly
 * as the daemon builds its own (dns_stack from runtime_dns_settings): --dns-zone FILE,
 * else the --dns-server list, else dns.servers from the configuration given with -c,
 * else /etc/resolv.conf; c-ares answers go through the shared cache.
 * OWNS: one reference to the dns_stack, until cli_resolver_close(). */
#include "cli.h"
#include "conf.h"
#include "dns_stack.h"
#include "runtime.h"
#include <stdio.h>
#include <string.h>

int cli_resolver_open(const struct cli_globals *g, struct cli_resolver *out)
{
	char err[8192] = "";
	struct dns_stack_settings ds;
	struct dns_stack *st;
	struct conf *c;

	memset(out, 0, sizeof *out);
	c = g->config_given ? conf_load(g->config_path, err, sizeof err) : conf_defaults();
	if (c == NULL) {
		fputs(err[0] ? err : "authmilter: out of memory\n", stderr);
		return -1;
	}
	runtime_dns_settings(c, g, &ds);
	st = dns_stack_new(&ds, err, sizeof err);
	conf_free(c);        /* ds points into c: used only while the stack is built */
	if (st == NULL) {
		fprintf(stderr, "authmilter: DNS: %s\n", err);
		return -1;
	}
	out->stack = st;
	out->r = *dns_stack_resolver(st);
	return 0;
}

void cli_resolver_close(struct cli_resolver *cr)
{
	if (cr == NULL)
		return;
	dns_stack_unref(cr->stack);
	memset(cr, 0, sizeof *cr);
}
