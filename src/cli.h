/* cli - what every subcommand receives from main.c: the global options, and the
 * resolver a command-line tool uses. Subcommands live in cmd_<name>.c, one per file. */
#ifndef AM_CLI_H
#define AM_CLI_H
#include "dns.h"
#include <stdbool.h>
#include <stddef.h>

#define CLI_DNS_SERVERS_MAX 8

struct cli_globals {
	const char *config_path;                         /* -c FILE, or the default path */
	bool config_given;                               /* -c was on the command line */
	const char *dns_servers[CLI_DNS_SERVERS_MAX];    /* --dns-server HOST:PORT, repeatable */
	size_t n_dns_servers;
	const char *dns_zone_file;                       /* --dns-zone FILE: answer from a file */
	bool foreground;                                 /* -f */
};

/* cmd_fn - a subcommand: argv[0] is the subcommand name (for "dkim sign", argv[0] is
 * "sign"); global options are removed.
 * Returns the process exit status. */
typedef int (*cmd_fn)(int argc, char **argv, const struct cli_globals *g);

int cmd_serve(int argc, char **argv, const struct cli_globals *g);
int cmd_config_test(int argc, char **argv, const struct cli_globals *g);
int cmd_version(int argc, char **argv, const struct cli_globals *g);
int cmd_help(int argc, char **argv, const struct cli_globals *g);
int cmd_evaluate(int argc, char **argv, const struct cli_globals *g);
int cmd_spf(int argc, char **argv, const struct cli_globals *g);
int cmd_dkim_sign(int argc, char **argv, const struct cli_globals *g);
int cmd_dkim_verify(int argc, char **argv, const struct cli_globals *g);
int cmd_dns(int argc, char **argv, const struct cli_globals *g);

/* A resolver for a command-line tool: --dns-zone FILE (in-memory), else --dns-server,
 * else dns.servers from the configuration when -c was given, else /etc/resolv.conf.
 * cli_resolver_open returns 0, or -1 after printing the reason to stderr. */
struct cli_resolver {
	struct dns_resolver r;
	void *stack;     /* struct dns_stack *: zone file, or c-ares + cache */
};
int cli_resolver_open(const struct cli_globals *g, struct cli_resolver *out);
void cli_resolver_close(struct cli_resolver *cr);
#endif
