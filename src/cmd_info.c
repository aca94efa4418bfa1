/* cmd_info - `authmilter version` and `authmilter help`. */
#include "cli.h"
#include <stdio.h>
#include <openssl/opensslv.h>
#include <ares_version.h>

int cmd_version(int argc, char **argv, const struct cli_globals *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	printf("authmilter %s (OpenSSL %s, c-ares %s)\n", AM_VERSION, OPENSSL_VERSION_STR, ARES_VERSION_STR);
	return 0;
}

int cmd_help(int argc, char **argv, const struct cli_globals *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	printf("usage: authmilter [global options] [command] [command options]\n"
	       "\n"
	       "commands:\n"
	       "  serve                 run the milter daemon (the default command)\n"
	       "  config-test           parse and validate the configuration, print it, exit 0/1\n"
	       "  spf                   evaluate SPF: --ip IP --sender ADDR [--helo NAME]\n"
	       "  dkim sign             sign a message read from stdin\n"
	       "  dkim verify           verify the DKIM signatures of a message on stdin\n"
	       "  evaluate              run the whole pipeline on a message from stdin:\n"
	       "                        --ip IP --helo NAME --sender ADDR [--auth USER]\n"
	       "  dns                   look up NAME [TYPE] with the configured resolver\n"
	       "  version               print the version\n"
	       "  help                  this text\n"
	       "\n"
	       "global options:\n"
	       "  -c, --config FILE     configuration file (default /etc/authmilter/authmilter.conf)\n"
	       "  -f, --foreground      serve: stay in the foreground, log to stderr\n"
	       "  --dns-server HOST:PORT  use this DNS server (repeatable; IPv6 as [addr]:port)\n"
	       "  --dns-zone FILE       answer DNS from a zone file instead (testing)\n"
	       "\n"
	       "See authmilter(8) and authmilter.conf(5).\n");
	return 0;
}
