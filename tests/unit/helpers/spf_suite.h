/* spf_suite - runs the flattened OpenSPF test suites (tests/data/spf/ TSV files; format in
 * tests/data/spf/README.md) against spf_eval over dns_zone. Used by test_spf_suite.c. */
#ifndef AM_TEST_SPF_SUITE_H
#define AM_TEST_SPF_SUITE_H
#include <stddef.h>

struct spf_suite_stats {
	unsigned scenarios, tests, passed, failed, exp_checked;
	unsigned rfc_differs;
	unsigned async_steps;     /* NEED_DNS steps of the asynchronous variant, with prefetch */
	unsigned async_steps_noprefetch;  /* the same without prefetch */     /* stalwart cases where the RFC answer was required instead */
};

/* spf_suite_run - run every scenario in path; prints each failure to stdout. Each test
 * runs four ways (prefetch on/off, synchronous zone or a resolver that answers one step
 * late) and all four must agree on result, explanation, deciding term and limit counts.
 * Returns 0, or -1 when the file cannot be read or is malformed. */
int spf_suite_run(const char *path, struct spf_suite_stats *st);
#endif
