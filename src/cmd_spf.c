/* cmd_spf - `authmilter spf --ip IP --sender ADDR [--helo NAME]`: one RFC 7208 check
 * through the resolver every command uses (--dns-zone, --dns-server, /etc/resolv.conf).
 * Prints the result word, then the explanation (exp= text or default explanation on
 * fail, the reason on an error) or, for other results, what decided it in parentheses.
 * --received-spf adds the Received-SPF header line. With -c, the limits come from the
 * configuration's spf section (the options here override them). Exit 0 whenever a
 * result was reached, 1 when the check could not run, 2 for usage errors. */
#include "buf.h"
#include "cli.h"
#include "clock.h"
#include "conf.h"
#include "spf_conf.h"
#include "spf_eval.h"
#include "spf_header.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int spf_usage(void)
{
	fprintf(stderr,
		"usage: authmilter spf --ip IP --sender ADDR [--helo NAME] [--identity mailfrom|helo]\n"
		"                      [--receiver NAME] [--void-limit N] [--time-limit SECONDS]\n"
		"                      [--received-spf]   (global: --dns-server HOST:PORT, --dns-zone FILE)\n"
		"  --sender '' or --sender '<>' is the null reverse-path (checks postmaster@HELO)\n");
	return 2;
}

/* spf_opt - "--name VALUE" or "--name=VALUE"; NULL when argv[*i] is not this option. */
static const char *spf_opt(int argc, char **argv, int *i, const char *name, int *bad)
{
	size_t n = strlen(name);
	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		fprintf(stderr, "authmilter spf: %s needs a value\n", name);
		*bad = 1;
		return NULL;
	}
	return argv[++*i];
}

static int spf_number(const char *s, unsigned long max, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int cmd_spf(int argc, char **argv, const struct cli_globals *g)
{
	struct spf_request req = { 0 };
	struct spf_limits lim;
	struct cli_resolver cr;
	struct spf_check *c;
	struct spf_outcome o;
	unsigned time_limit = 20, void_limit = 2;
	int header = 0, bad = 0, have_sender = 0, set_void = 0, set_time = 0;
	char host[256] = "";
	const char *v;

	spf_limits_default(&lim);
	for (int i = 1; i < argc; i++) {
		if ((v = spf_opt(argc, argv, &i, "--ip", &bad)) != NULL) {
			req.ip = v;
		} else if ((v = spf_opt(argc, argv, &i, "--sender", &bad)) != NULL) {
			req.sender = v;
			have_sender = 1;
		} else if ((v = spf_opt(argc, argv, &i, "--helo", &bad)) != NULL) {
			req.helo = v;
		} else if ((v = spf_opt(argc, argv, &i, "--receiver", &bad)) != NULL) {
			req.receiver = v;
		} else if ((v = spf_opt(argc, argv, &i, "--identity", &bad)) != NULL) {
			if (strcmp(v, "mailfrom") == 0)
				req.identity = SPF_ID_MAILFROM;
			else if (strcmp(v, "helo") == 0)
				req.identity = SPF_ID_HELO;
			else
				return spf_usage();
		} else if ((v = spf_opt(argc, argv, &i, "--void-limit", &bad)) != NULL) {
			if (spf_number(v, 1000, &void_limit) < 0)
				return spf_usage();
			set_void = 1;
		} else if ((v = spf_opt(argc, argv, &i, "--time-limit", &bad)) != NULL) {
			if (spf_number(v, 3600, &time_limit) < 0 || time_limit == 0)
				return spf_usage();
			set_time = 1;
		} else if (strcmp(argv[i], "--received-spf") == 0) {
			header = 1;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			spf_usage();
			return 0;
		} else {
			if (!bad)
				fprintf(stderr, "authmilter spf: unknown argument '%s'\n", argv[i]);
			return spf_usage();
		}
		if (bad)
			return spf_usage();
	}
	if (req.ip == NULL || (!have_sender && req.identity == SPF_ID_MAILFROM) ||
	    (req.identity == SPF_ID_HELO && (req.helo == NULL || req.helo[0] == '\0')))
		return spf_usage();
	if (req.receiver == NULL && gethostname(host, sizeof host - 1) == 0 && host[0])
		req.receiver = host;
	if (g->config_given) {
		char err[2048] = "";
		struct conf *cf = conf_load(g->config_path, err, sizeof err);
		if (cf == NULL) {
			fputs(err, stderr);
			return 1;
		}
		spf_limits_from_conf(cf, &lim);
		conf_free(cf);
	}
	if (set_void)
		lim.void_lookups = void_limit;
	if (set_time)
		lim.time_limit_ms = time_limit * 1000;
	c = spf_check_new(&req, &lim);
	if (c == NULL) {
		fprintf(stderr, "authmilter spf: invalid client address '%s'\n", req.ip);
		return 1;
	}
	if (cli_resolver_open(g, &cr) < 0) {
		spf_check_free(c);
		return 1;
	}
	spf_check_run(c, &cr.r, am_now_ms() + lim.time_limit_ms);
	spf_check_result(c, &o);
	if (o.explanation[0])
		printf("%s %s\n", spf_result_name(o.result), o.explanation);
	else if (spf_check_mechanism(c)[0])
		printf("%s (%s)\n", spf_result_name(o.result), spf_check_mechanism(c));
	else
		printf("%s\n", spf_result_name(o.result));
	if (header) {
		struct buf b;
		buf_init(&b);
		if (spf_header_received_spf(&o, &req, spf_check_mechanism(c), NULL, &b) == 0)
			printf("Received-SPF: %s\n", b.data);
		buf_clear(&b);
	}
	spf_check_free(c);
	cli_resolver_close(&cr);
	return 0;
}
