/* daemon - running the milter as a service: open the socket, drop privileges, tell
 * systemd, reload on SIGUSR1, stop on SIGTERM/SIGINT (and SIGHUP, which libmilter's
 * own signal thread treats as stop). */
#ifndef AM_DAEMON_H
#define AM_DAEMON_H
#include "cli.h"

/* daemon_run - blocks until the daemon stops; returns the exit status. */
int daemon_run(const struct cli_globals *g);
#endif
