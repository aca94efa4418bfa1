/* spf_slow - a test resolver that models an asynchronous one with a round-trip clock:
 * it forwards to an inner resolver, but a query started at tick T answers only once the
 * driver has advanced tick past T (until then wait returns NULL, "still pending"). The
 * driver bumps tick after every SPF_STEP_NEED_DNS, so each tick is one network round trip
 * and queries started together complete together. It records how many queries were in
 * flight at once. With never set, nothing ever answers. */
#ifndef AM_TEST_SPF_SLOW_H
#define AM_TEST_SPF_SLOW_H
#include "dns.h"

struct spf_slow {
	struct dns_resolver inner;
	int outstanding;              /* started, not released */
	int in_flight, max_in_flight; /* started, not yet answered */
	int started;                  /* queries started in all */
	unsigned tick;                /* the driver's clock: one round trip per tick */
	int never;
};

/* spf_slow_resolver - the dns.h view of s (s must outlive it). */
struct dns_resolver spf_slow_resolver(struct spf_slow *s);
#endif
