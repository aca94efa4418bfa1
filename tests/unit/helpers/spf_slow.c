/* spf_slow - see spf_slow.h. */
#include "spf_slow.h"
#include <stdlib.h>

struct slow_q {
	struct dns_query *inner;
	unsigned start_tick;
	int answered;
};

static struct dns_query *slow_start(void *impl, const char *name, enum dns_type t)
{
	struct spf_slow *s = impl;
	struct slow_q *q = calloc(1, sizeof *q);
	if (q == NULL)
		return NULL;
	q->inner = dns_start(&s->inner, name, t);
	if (q->inner == NULL) {
		free(q);
		return NULL;
	}
	q->start_tick = s->tick;
	s->outstanding++;
	s->started++;
	if (++s->in_flight > s->max_in_flight)
		s->max_in_flight = s->in_flight;
	return (struct dns_query *)q;
}

static const struct dns_answer *slow_wait(void *impl, struct dns_query *dq, uint64_t deadline)
{
	struct spf_slow *s = impl;
	struct slow_q *q = (struct slow_q *)dq;
	(void)deadline;
	if (s->never || s->tick <= q->start_tick)
		return NULL;
	if (!q->answered) {
		q->answered = 1;
		s->in_flight--;
	}
	return dns_wait(&s->inner, q->inner, 0);
}

static void slow_release(void *impl, struct dns_query *dq)
{
	struct spf_slow *s = impl;
	struct slow_q *q = (struct slow_q *)dq;
	s->outstanding--;
	if (!q->answered)
		s->in_flight--;
	dns_release(&s->inner, q->inner);
	free(q);
}

static const struct dns_ops slow_ops = { slow_start, slow_wait, slow_release };

struct dns_resolver spf_slow_resolver(struct spf_slow *s)
{
	struct dns_resolver r = { &slow_ops, s };
	return r;
}
