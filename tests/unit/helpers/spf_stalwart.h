/* spf_stalwart - runs the stalwartlabs/mail-auth SPF cases (tests/data/spf/stalwart/,
 * line-oriented pseudo-YAML, see tests/data/spf/README.md) over spf_eval + dns_zone. */
#ifndef AM_TEST_SPF_STALWART_H
#define AM_TEST_SPF_STALWART_H
#include "spf_suite.h"

/* spf_stalwart_run - every "expect:" in the file; failures printed to stdout.
 * Returns 0, or -1 when the file cannot be read. */
int spf_stalwart_run(const char *path, struct spf_suite_stats *st);
#endif
