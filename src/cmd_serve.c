/* cmd_serve - `authmilter serve [-c FILE] [-f]`: run the milter daemon. It always runs
 * in the foreground (systemd Type=notify and containers supervise it); -f additionally
 * sends all logging to stderr. */
#include "cli.h"
#include "daemon.h"
#include <stdio.h>

int cmd_serve(int argc, char **argv, const struct cli_globals *g)
{
	if (argc > 1) {
		fprintf(stderr, "authmilter serve: unexpected argument '%s'\n", argv[1]);
		return 2;
	}
	return daemon_run(g);
}
