/* main - parses the global options and dispatches to a subcommand (cmd_*.c).
 * Nothing else lives here. */
#include "cli.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef AM_DEFAULT_CONFIG
#define AM_DEFAULT_CONFIG "/etc/authmilter/authmilter.conf"
#endif

static const struct {
	const char *name;
	cmd_fn fn;
} commands[] = {
	{ "serve", cmd_serve },
	{ "config-test", cmd_config_test },
	{ "evaluate", cmd_evaluate },
	{ "spf", cmd_spf },
	{ "dkim sign", cmd_dkim_sign },
	{ "dkim verify", cmd_dkim_verify },
	{ "dns", cmd_dns },
	{ "version", cmd_version },
	{ "help", cmd_help },
};

/* take_value - the value of an option given as "--opt VALUE" or "--opt=VALUE". */
static const char *take_value(int argc, char **argv, int *i, const char *opt)
{
	size_t ol = strlen(opt);
	if (argv[*i][ol] == '=')
		return argv[*i] + ol + 1;
	if (*i + 1 >= argc) {
		fprintf(stderr, "authmilter: %s needs a value\n", opt);
		exit(2);
	}
	return argv[++*i];
}

static bool is_opt(const char *arg, const char *opt)
{
	size_t ol = strlen(opt);
	return strncmp(arg, opt, ol) == 0 && (arg[ol] == '\0' || arg[ol] == '=');
}

int main(int argc, char **argv)
{
	struct cli_globals g = { .config_path = AM_DEFAULT_CONFIG };
	char **rest = calloc((size_t)argc + 2, sizeof *rest);
	int nrest = 0, rc;
	const char *sub = NULL;

	if (rest == NULL)
		return 1;
	/* Global options may stand anywhere; everything else goes to the subcommand. */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (is_opt(a, "--dns-server")) {
			if (g.n_dns_servers == CLI_DNS_SERVERS_MAX) {
				fprintf(stderr, "authmilter: at most %d --dns-server options\n", CLI_DNS_SERVERS_MAX);
				return 2;
			}
			g.dns_servers[g.n_dns_servers++] = take_value(argc, argv, &i, "--dns-server");
		} else if (is_opt(a, "--dns-zone")) {
			g.dns_zone_file = take_value(argc, argv, &i, "--dns-zone");
		} else if (strcmp(a, "-c") == 0 || is_opt(a, "--config")) {
			g.config_path = take_value(argc, argv, &i, a[1] == 'c' ? "-c" : "--config");
			g.config_given = true;
		} else if (strcmp(a, "-f") == 0 || strcmp(a, "--foreground") == 0) {
			g.foreground = true;
		} else if (sub == NULL && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
			sub = "help";
			rest[nrest++] = "help";
		} else if (sub == NULL && (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0)) {
			sub = "version";
			rest[nrest++] = "version";
		} else {
			if (sub == NULL && a[0] != '-')
				sub = a;
			rest[nrest++] = argv[i];
		}
	}
	if (sub == NULL) {
		sub = "serve";
		memmove(rest + 1, rest, (size_t)nrest * sizeof *rest);
		rest[0] = "serve";
		nrest++;
	} else if (strcmp(rest[0], sub) != 0) {
		/* options before the subcommand name: move the name to the front */
		for (int i = 0; i < nrest; i++)
			if (rest[i] == sub) {
				memmove(rest + 1, rest, (size_t)i * sizeof *rest);
				rest[0] = (char *)sub;
				break;
			}
	}
	rest[nrest] = NULL;
	/* two-word commands ("dkim sign") are looked up as one name */
	if (nrest >= 2 && rest[1][0] != '-') {
		char two[64];
		snprintf(two, sizeof two, "%s %s", rest[0], rest[1]);
		for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
			if (strcmp(commands[i].name, two) == 0) {
				rc = commands[i].fn(nrest - 1, rest + 1, &g);
				free(rest);
				return rc;
			}
		}
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(commands[i].name, sub) == 0) {
			rc = commands[i].fn(nrest, rest, &g);
			free(rest);
			return rc;
		}
	}
	fprintf(stderr, "authmilter: unknown command '%s' (try 'authmilter help')\n", sub);
	free(rest);
	return 2;
}
