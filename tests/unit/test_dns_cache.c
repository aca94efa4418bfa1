/* test_dns_cache - the caching decorator against dns_zone with a fake clock: hits and
 * misses, TTL expiry and clamps, negative caching, failures not cached, key
 * normalisation, LRU eviction, answers outliving their entry, coalescing of identical
 * queries in flight (with a "gate" resolver the test completes by hand), and threads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "clock.h"
#include "dns_cache.h"
#include "dns_zone.h"

static uint64_t fake_now = 1000000;

static uint64_t fake_clock(void)
{
	return __atomic_load_n(&fake_now, __ATOMIC_SEQ_CST);
}

static void advance(uint64_t ms)
{
	__atomic_add_fetch(&fake_now, ms, __ATOMIC_SEQ_CST);
}

static int setup_fake(void **state)
{
	(void)state;
	am_clock_set(fake_clock, NULL);
	return 0;
}

static int teardown_clock(void **state)
{
	(void)state;
	am_clock_set(NULL, NULL);
	return 0;
}

/* lookup - start + wait + copy the status; returns the status. */
static enum dns_status lookup(const struct dns_resolver *r, const char *name, enum dns_type t)
{
	struct dns_query *q = dns_start(r, name, t);
	const struct dns_answer *a;
	enum dns_status st;
	assert_non_null(q);
	a = dns_wait(r, q, am_now_ms() + 1000);
	assert_non_null(a);
	st = a->status;
	dns_release(r, q);
	return st;
}

static struct dns_zone *zone_with(const char *lines)
{
	struct dns_zone *z = dns_zone_new();
	char err[200];
	char *copy = strdup(lines), *save = NULL;
	assert_non_null(z);
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		assert_int_equal(dns_zone_load_line(z, l, err, sizeof err), 0);
	free(copy);
	return z;
}

static void test_hit_miss_ttl(void **state)
{
	struct dns_zone *z = zone_with("a.example A 192.0.2.1\na.example TXT \"hello\"");
	struct dns_resolver inner = dns_zone_resolver(z);
	struct dns_cache *c;
	struct dns_resolver r;
	struct dns_cache_stats st;
	(void)state;
	dns_zone_set_ttl(z, 60);
	c = dns_cache_new(&inner, NULL);
	r = dns_cache_resolver(c);
	assert_int_equal(lookup(&r, "a.example", DNS_T_A), DNS_ANSWER);
	assert_int_equal(lookup(&r, "a.example", DNS_T_A), DNS_ANSWER);
	assert_int_equal(lookup(&r, "A.Example.", DNS_T_A), DNS_ANSWER);  /* same key */
	assert_int_equal(dns_zone_queries(z), 1);
	assert_int_equal(lookup(&r, "a.example", DNS_T_TXT), DNS_ANSWER); /* other type */
	assert_int_equal(dns_zone_queries(z), 2);
	dns_cache_stats(c, &st);
	assert_int_equal(st.hits, 2);
	assert_int_equal(st.misses, 2);
	assert_int_equal(st.inserts, 2);
	assert_int_equal(st.entries, 2);
	/* the zone's records were added with TTL 300 (set_ttl came later): 299 s is a hit */
	advance(299 * 1000);
	assert_int_equal(lookup(&r, "a.example", DNS_T_A), DNS_ANSWER);
	assert_int_equal(dns_zone_queries(z), 2);
	advance(2 * 1000);
	assert_int_equal(lookup(&r, "a.example", DNS_T_A), DNS_ANSWER);
	assert_int_equal(dns_zone_queries(z), 3);
	dns_cache_stats(c, &st);
	assert_int_equal(st.expired, 1);
	dns_cache_free(c);
	dns_zone_free(z);
}

static void test_ttl_clamps(void **state)
{
	struct dns_zone *z = zone_with("a.example A 192.0.2.1");
	struct dns_resolver inner = dns_zone_resolver(z);
	struct dns_cache_options o = { .max_ttl = 10 };
	struct dns_cache *c = dns_cache_new(&inner, &o);
	struct dns_resolver r = dns_cache_resolver(c);
	(void)state;
	lookup(&r, "a.example", DNS_T_A);
	advance(9 * 1000);
	lookup(&r, "a.example", DNS_T_A);
	assert_int_equal(dns_zone_queries(z), 1);
	advance(2 * 1000);                 /* 11 s > max_ttl 10 */
	lookup(&r, "a.example", DNS_T_A);
	assert_int_equal(dns_zone_queries(z), 2);
	dns_cache_free(c);

	/* min_ttl raises a short TTL */
	dns_zone_free(z);
	z = dns_zone_new();
	dns_zone_set_ttl(z, 5);
	dns_zone_add(z, "a.example", DNS_T_A, "192.0.2.1");
	inner = dns_zone_resolver(z);
	o.max_ttl = 0;
	o.min_ttl = 100;
	c = dns_cache_new(&inner, &o);
	r = dns_cache_resolver(c);
	lookup(&r, "a.example", DNS_T_A);
	advance(90 * 1000);
	lookup(&r, "a.example", DNS_T_A);
	assert_int_equal(dns_zone_queries(z), 1);
	advance(11 * 1000);
	lookup(&r, "a.example", DNS_T_A);
	assert_int_equal(dns_zone_queries(z), 2);
	dns_cache_free(c);
	dns_zone_free(z);

	/* TTL 0 is not cached */
	z = dns_zone_new();
	dns_zone_set_ttl(z, 0);
	dns_zone_add(z, "a.example", DNS_T_A, "192.0.2.1");
	inner = dns_zone_resolver(z);
	c = dns_cache_new(&inner, NULL);
	r = dns_cache_resolver(c);
	lookup(&r, "a.example", DNS_T_A);
	lookup(&r, "a.example", DNS_T_A);
	assert_int_equal(dns_zone_queries(z), 2);
	dns_cache_free(c);
	dns_zone_free(z);
}

static void test_negative_caching(void **state)
{
	struct dns_zone *z = zone_with("a.example A 192.0.2.1");
	struct dns_resolver inner = dns_zone_resolver(z);
	struct dns_cache_options o = { .neg_max_ttl = 30 };
	struct dns_cache *c = dns_cache_new(&inner, &o);
	struct dns_resolver r = dns_cache_resolver(c);
	(void)state;
	/* NXDOMAIN and NODATA are cached (RFC 2308), capped by neg_max_ttl */
	assert_int_equal(lookup(&r, "nx.example", DNS_T_A), DNS_NXDOMAIN);
	assert_int_equal(lookup(&r, "a.example", DNS_T_MX), DNS_NODATA);
	assert_int_equal(lookup(&r, "nx.example", DNS_T_A), DNS_NXDOMAIN);
	assert_int_equal(lookup(&r, "a.example", DNS_T_MX), DNS_NODATA);
	assert_int_equal(dns_zone_queries(z), 2);
	advance(29 * 1000);
	assert_int_equal(lookup(&r, "nx.example", DNS_T_A), DNS_NXDOMAIN);
	assert_int_equal(dns_zone_queries(z), 2);
	advance(2 * 1000);
	assert_int_equal(lookup(&r, "nx.example", DNS_T_A), DNS_NXDOMAIN);
	assert_int_equal(lookup(&r, "a.example", DNS_T_MX), DNS_NODATA);
	assert_int_equal(dns_zone_queries(z), 4);
	/* the positive answer (TTL 300) outlives the negative cap */
	assert_int_equal(lookup(&r, "a.example", DNS_T_A), DNS_ANSWER);
	assert_int_equal(dns_zone_queries(z), 5);
	advance(100 * 1000);
	assert_int_equal(lookup(&r, "a.example", DNS_T_A), DNS_ANSWER);
	assert_int_equal(dns_zone_queries(z), 5);
	dns_cache_free(c);
	dns_zone_free(z);
}

static void test_failures_not_cached(void **state)
{
	struct dns_zone *z = zone_with("sf.example SERVFAIL\nto.example TIMEOUT\nbad.example MALFORMED");
	struct dns_resolver inner = dns_zone_resolver(z);
	struct dns_cache *c = dns_cache_new(&inner, NULL);
	struct dns_resolver r = dns_cache_resolver(c);
	struct dns_cache_options o = { .servfail_ttl = 5 };
	(void)state;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(lookup(&r, "sf.example", DNS_T_TXT), DNS_SERVFAIL);
		assert_int_equal(lookup(&r, "to.example", DNS_T_TXT), DNS_TIMEOUT);
		assert_int_equal(lookup(&r, "bad.example", DNS_T_TXT), DNS_MALFORMED);
	}
	assert_int_equal(dns_zone_queries(z), 9);
	dns_cache_free(c);
	/* servfail_ttl: SERVFAIL/MALFORMED briefly remembered, TIMEOUT still never */
	c = dns_cache_new(&inner, &o);
	r = dns_cache_resolver(c);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(lookup(&r, "sf.example", DNS_T_TXT), DNS_SERVFAIL);
		assert_int_equal(lookup(&r, "to.example", DNS_T_TXT), DNS_TIMEOUT);
	}
	assert_int_equal(dns_zone_queries(z), 9 + 1 + 3);
	advance(6 * 1000);
	assert_int_equal(lookup(&r, "sf.example", DNS_T_TXT), DNS_SERVFAIL);
	assert_int_equal(dns_zone_queries(z), 9 + 1 + 3 + 1);
	dns_cache_free(c);
	dns_zone_free(z);
}

static void test_lru_eviction(void **state)
{
	struct dns_zone *z = zone_with("a.example A 192.0.2.1\nb.example A 192.0.2.2\n"
				       "c.example A 192.0.2.3\nd.example A 192.0.2.4");
	struct dns_resolver inner = dns_zone_resolver(z);
	struct dns_cache_options o = { .max_entries = 3 };
	struct dns_cache *c = dns_cache_new(&inner, &o);
	struct dns_resolver r = dns_cache_resolver(c);
	struct dns_cache_stats st;
	struct dns_query *held;
	const struct dns_answer *a;
	(void)state;
	lookup(&r, "a.example", DNS_T_A);
	/* hold b's answer across its eviction */
	held = dns_start(&r, "b.example", DNS_T_A);
	lookup(&r, "c.example", DNS_T_A);
	lookup(&r, "a.example", DNS_T_A);       /* a becomes most recent; b is the LRU */
	lookup(&r, "d.example", DNS_T_A);       /* evicts b */
	assert_int_equal(dns_zone_queries(z), 4);
	dns_cache_stats(c, &st);
	assert_int_equal(st.evictions, 1);
	assert_int_equal(st.entries, 3);
	lookup(&r, "a.example", DNS_T_A);
	lookup(&r, "c.example", DNS_T_A);
	lookup(&r, "d.example", DNS_T_A);
	assert_int_equal(dns_zone_queries(z), 4);
	a = dns_wait(&r, held, 0);
	assert_non_null(a);
	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->rr[0].u.addr[3], 2);
	lookup(&r, "b.example", DNS_T_A);       /* gone from the table */
	assert_int_equal(dns_zone_queries(z), 5);
	dns_cache_flush(c);
	assert_int_equal(a->rr[0].u.addr[3], 2); /* still ours until release */
	dns_release(&r, held);
	dns_cache_stats(c, &st);
	assert_int_equal(st.entries, 0);
	dns_cache_free(c);
	dns_zone_free(z);
}

/* --- a resolver whose queries stay pending until the test opens the gate --- */
struct gate {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool open;
	int started, released;
	struct dns_answer *answer;
};

struct dns_query {
	struct gate *g;
};

static struct dns_query *gate_start(void *impl, const char *name, enum dns_type type)
{
	struct gate *g = impl;
	struct dns_query *q = calloc(1, sizeof *q);
	(void)name;
	(void)type;
	q->g = g;
	pthread_mutex_lock(&g->mu);
	g->started++;
	pthread_mutex_unlock(&g->mu);
	return q;
}

static const struct dns_answer *gate_wait(void *impl, struct dns_query *q, uint64_t deadline_ms)
{
	struct gate *g = impl;
	const struct dns_answer *a = NULL;
	(void)q;
	pthread_mutex_lock(&g->mu);
	while (!g->open && am_now_ms() < deadline_ms) {
		pthread_mutex_unlock(&g->mu);
		usleep(1000);
		pthread_mutex_lock(&g->mu);
	}
	if (g->open)
		a = g->answer;
	pthread_mutex_unlock(&g->mu);
	return a;
}

static void gate_release(void *impl, struct dns_query *q)
{
	struct gate *g = impl;
	pthread_mutex_lock(&g->mu);
	g->released++;
	pthread_mutex_unlock(&g->mu);
	free(q);
}

static const struct dns_ops gate_ops = { gate_start, gate_wait, gate_release };

static void gate_init(struct gate *g)
{
	memset(g, 0, sizeof *g);
	pthread_mutex_init(&g->mu, NULL);
	g->answer = dns_answer_new(DNS_ANSWER, 0);
	dns_answer_add_txt(g->answer, 120, "v=spf1 -all", 11);
}

static void gate_clear(struct gate *g)
{
	dns_answer_free(g->answer);
	pthread_mutex_destroy(&g->mu);
}

struct waiter {
	struct dns_resolver *r;
	int ok;
};

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;
	struct dns_query *q = dns_start(w->r, "Coalesce.Example", DNS_T_TXT);
	const struct dns_answer *a = dns_wait(w->r, q, am_now_ms() + 10000);
	w->ok = a && a->status == DNS_ANSWER && a->count == 1 && strcmp(a->rr[0].u.txt.data, "v=spf1 -all") == 0;
	dns_release(w->r, q);
	return NULL;
}

static void test_coalescing(void **state)
{
	struct gate g;
	struct dns_resolver inner = { &gate_ops, &g };
	struct dns_cache *c;
	struct dns_resolver r;
	struct dns_cache_stats st;
	struct dns_query *q1, *q2;
	pthread_t th[8];
	struct waiter w[8];
	uint64_t t0;
	(void)state;
	gate_init(&g);
	c = dns_cache_new(&inner, NULL);
	r = dns_cache_resolver(c);
	/* two identical queries: one inner query; a pending one honours its deadline */
	q1 = dns_start(&r, "x.example", DNS_T_TXT);
	q2 = dns_start(&r, "X.EXAMPLE.", DNS_T_TXT);
	assert_int_equal(g.started, 1);
	t0 = am_now_ms();
	assert_null(dns_wait(&r, q1, t0 + 30));
	assert_true(am_now_ms() >= t0 + 30);
	assert_null(dns_wait(&r, q2, 0));
	/* both released while pending: the inner query is released too */
	dns_release(&r, q1);
	assert_int_equal(g.released, 0);
	dns_release(&r, q2);
	assert_int_equal(g.released, 1);
	dns_cache_stats(c, &st);
	assert_int_equal(st.coalesced, 1);
	assert_int_equal(st.in_flight, 0);
	assert_int_equal(st.inserts, 0);

	/* eight threads ask at once; the gate opens later; all get the one answer */
	for (int i = 0; i < 8; i++) {
		w[i].r = &r;
		w[i].ok = 0;
		assert_int_equal(pthread_create(&th[i], NULL, waiter_main, &w[i]), 0);
	}
	usleep(50000);
	pthread_mutex_lock(&g.mu);
	g.open = true;
	pthread_mutex_unlock(&g.mu);
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		assert_true(w[i].ok);
	}
	dns_cache_stats(c, &st);
	assert_true(g.started <= 1 + 8);
	/* every thread that found the flight joined it; at most a few raced past */
	assert_int_equal(st.hits + st.misses, 2 + 8);
	assert_int_equal(g.started - 1, (int)(st.misses - 2 - st.coalesced + 1));
	/* afterwards it is a cache hit */
	{
		struct dns_query *q = dns_start(&r, "coalesce.example", DNS_T_TXT);
		int before = g.started;
		assert_non_null(dns_wait(&r, q, 0));
		assert_int_equal(g.started, before);
		dns_release(&r, q);
	}
	assert_int_equal(g.released, g.started);
	dns_cache_free(c);
	gate_clear(&g);
}

struct stress {
	struct dns_resolver *r;
	int id;
	int errors;
};

static void *stress_main(void *arg)
{
	struct stress *s = arg;
	char name[64];
	for (int i = 0; i < 20000; i++) {
		struct dns_query *q;
		const struct dns_answer *a;
		int n = (i * 7 + s->id * 13) % 300;
		snprintf(name, sizeof name, "h%d.example", n);
		q = dns_start(s->r, name, n % 3 == 0 ? DNS_T_TXT : DNS_T_A);
		a = q ? dns_wait(s->r, q, am_now_ms() + 1000) : NULL;
		if (a == NULL || (n % 3 == 0 ? a->status != DNS_NODATA : a->status != DNS_ANSWER) ||
		    (a->status == DNS_ANSWER && a->rr[0].u.addr[3] != (uint8_t)(n % 250 + 1)))
			s->errors++;
		dns_release(s->r, q);
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct dns_zone *z = dns_zone_new();
	struct dns_resolver inner;
	struct dns_cache_options o = { .max_entries = 100 };
	struct dns_cache *c;
	struct dns_resolver r;
	struct dns_cache_stats st;
	pthread_t th[4];
	struct stress s[4];
	char name[64], addr[32];
	(void)state;
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof name, "h%d.example", i);
		snprintf(addr, sizeof addr, "192.0.2.%d", i % 250 + 1);
		dns_zone_add(z, name, DNS_T_A, addr);
	}
	inner = dns_zone_resolver(z);
	c = dns_cache_new(&inner, &o);
	r = dns_cache_resolver(c);
	for (int i = 0; i < 4; i++) {
		s[i].r = &r;
		s[i].id = i;
		s[i].errors = 0;
		pthread_create(&th[i], NULL, stress_main, &s[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(s[i].errors, 0);
	}
	dns_cache_stats(c, &st);
	assert_int_equal(st.hits + st.misses, 4 * 20000);
	assert_true(st.entries <= 100);
	assert_true(st.evictions > 0);
	assert_int_equal(st.inserts - st.evictions - st.expired, st.entries);
	dns_cache_free(c);
	dns_zone_free(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hit_miss_ttl, setup_fake, teardown_clock),
		cmocka_unit_test_setup_teardown(test_ttl_clamps, setup_fake, teardown_clock),
		cmocka_unit_test_setup_teardown(test_negative_caching, setup_fake, teardown_clock),
		cmocka_unit_test_setup_teardown(test_failures_not_cached, setup_fake, teardown_clock),
		cmocka_unit_test_setup_teardown(test_lru_eviction, setup_fake, teardown_clock),
		cmocka_unit_test_setup_teardown(test_coalescing, NULL, teardown_clock),
		cmocka_unit_test_setup_teardown(test_threads, NULL, teardown_clock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
