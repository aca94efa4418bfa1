/* cmd_config - `authmilter config-test`: load and validate the configuration (and the
 * signing keys it names), print the effective configuration, exit 0 or 1. */
#include "cli.h"
#include "conf.h"
#include "dkim_signer.h"
#include "dkim_signer_conf.h"
#include <stdio.h>
#include <string.h>

int cmd_config_test(int argc, char **argv, const struct cli_globals *g)
{
	char err[8192];
	struct conf *c;
	bool quiet = false, annotate = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0) {
			quiet = true;
		} else if (strcmp(argv[i], "--annotate") == 0) {
			annotate = true;
		} else {
			fprintf(stderr, "usage: authmilter config-test [-c FILE] [-q] [--annotate]\n");
			return 2;
		}
	}
	c = conf_load(g->config_path, err, sizeof err);
	if (c == NULL) {
		fputs(err, stderr);
		fprintf(stderr, "%s: configuration is NOT valid\n", g->config_path);
		return 1;
	}
	/* the signing keys are part of the configuration: a key that does not load (or is
	 * readable by others) fails the test, as it would leave mail unsigned */
	if (c->dkim.sign && c->dkim.nkeys > 0) {
		size_t key_errors = 0;
		struct dkim_signer *s = dkim_signer_from_conf(c, false, &key_errors, err, sizeof err);
		if (s == NULL || key_errors > 0) {
			if (s == NULL)
				fprintf(stderr, "%s: %s\n", g->config_path, err);
			else
				fprintf(stderr, "%s: %zu signing key(s) could not be loaded (see above)\n", g->config_path,
					key_errors);
			dkim_signer_free(s);
			conf_free(c);
			fprintf(stderr, "%s: configuration is NOT valid\n", g->config_path);
			return 1;
		}
		dkim_signer_free(s);
	}
	if (!quiet)
		conf_print(c, stdout, annotate);
	fprintf(stderr, "%s: configuration is valid\n", g->config_path);
	conf_free(c);
	return 0;
}
