/* test_dns_ares - the c-ares resolver against a real DNS server (Unbound started through
 * tests/lib/dns-server.sh serving tests/zones/dns.zone) and against tiny in-process
 * servers: one that never answers, one that answers SERVFAIL (optionally late), one that
 * answers garbage. Covers record types, TC -> TCP retry, CNAME chains, NXDOMAIN vs
 * NODATA, 1,000 queries in flight from several threads, deadlines, release of pending
 * queries, shutdown with queries in flight, the cache in front of c-ares. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "clock.h"
#include "dns_ares.h"
#include "dns_cache.h"

static char unbound_server[64];
static pid_t unbound_pid = -1;
static int unbound_stdin = -1;

/* --- Unbound through the shell library's runnable form --- */
static int start_unbound(void **state)
{
	int in[2], out[2];
	char line[128];
	FILE *f;
	(void)state;
	signal(SIGPIPE, SIG_IGN);
	if (pipe(in) < 0 || pipe(out) < 0)
		return -1;
	unbound_pid = fork();
	if (unbound_pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execlp("bash", "bash", "tests/lib/dns-server.sh", "serve", "tests/zones/dns.zone", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	unbound_stdin = in[1];
	f = fdopen(out[0], "r");
	while (f && fgets(line, sizeof line, f)) {
		if (strncmp(line, "DNS_PORT=", 9) == 0) {
			snprintf(unbound_server, sizeof unbound_server, "127.0.0.1:%d", atoi(line + 9));
			break;
		}
	}
	if (f)
		fclose(f);
	if (unbound_server[0] == '\0') {
		fprintf(stderr, "could not start Unbound (tests/lib/dns-server.sh)\n");
		return -1;
	}
	return 0;
}

static int stop_unbound(void **state)
{
	(void)state;
	if (unbound_stdin >= 0)
		close(unbound_stdin);
	if (unbound_pid > 0) {
		kill(unbound_pid, SIGTERM);
		waitpid(unbound_pid, NULL, 0);
	}
	return 0;
}

static struct dns_ares *resolver_edns(const char *server, unsigned timeout_ms, unsigned tries, bool ignore_tc,
				      int edns)
{
	const char *servers[1] = { server };
	struct dns_ares_options o = { .servers = servers, .n_servers = 1, .timeout_ms = timeout_ms,
				      .tries = tries, .ignore_tc = ignore_tc, .edns_udp_size = edns };
	char err[200] = "";
	struct dns_ares *a = dns_ares_new(&o, err, sizeof err);
	if (a == NULL)
		fprintf(stderr, "dns_ares_new: %s\n", err);
	assert_non_null(a);
	return a;
}

static struct dns_ares *resolver(const char *server, unsigned timeout_ms, unsigned tries, bool ignore_tc)
{
	return resolver_edns(server, timeout_ms, tries, ignore_tc, 0);
}

/* ask - one lookup, waiting up to 5 s; the caller releases. */
static const struct dns_answer *ask(const struct dns_resolver *r, struct dns_query **q, const char *name,
				    enum dns_type t)
{
	const struct dns_answer *a;
	*q = dns_start(r, name, t);
	assert_non_null(*q);
	a = dns_wait(r, *q, am_now_ms() + 5000);
	assert_non_null(a);
	return a;
}

static void test_record_types(void **state)
{
	struct dns_ares *ar = resolver(unbound_server, 1000, 2, false);
	struct dns_resolver r = dns_ares_resolver(ar);
	struct dns_query *q;
	const struct dns_answer *a;
	(void)state;
	a = ask(&r, &q, "a.dns.test", DNS_T_A);
	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->count, 2);
	assert_int_equal(a->ttl, 300);
	dns_release(&r, q);
	a = ask(&r, &q, "v6.dns.test", DNS_T_AAAA);
	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->rr[0].u.addr[15], 1);
	dns_release(&r, q);
	a = ask(&r, &q, "dns.test", DNS_T_MX);
	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->count, 2);
	assert_non_null(strstr(a->rr[0].u.mx.host, "mx"));
	dns_release(&r, q);
	a = ask(&r, &q, "1.2.0.192.in-addr.arpa", DNS_T_PTR);
	assert_int_equal(a->status, DNS_ANSWER);
	assert_string_equal(a->rr[0].u.name, "a.dns.test");
	dns_release(&r, q);
	a = ask(&r, &q, "txt.dns.test", DNS_T_TXT);
	assert_int_equal(a->status, DNS_ANSWER);
	assert_string_equal(a->rr[0].u.txt.data, "v=spf1 ip4:192.0.2.0/24 -all");
	dns_release(&r, q);
	/* CNAME chains, answered by the server in one reply */
	a = ask(&r, &q, "alias3.dns.test", DNS_T_A);
	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->count, 2);
	dns_release(&r, q);
	a = ask(&r, &q, "loop1.dns.test", DNS_T_A);
	assert_int_equal(a->status, DNS_SERVFAIL);
	dns_release(&r, q);
	/* NXDOMAIN vs NODATA, negative TTL from the SOA (min(3600, 60)) */
	a = ask(&r, &q, "nx.dns.test", DNS_T_A);
	assert_int_equal(a->status, DNS_NXDOMAIN);
	assert_int_equal(a->ttl, 60);
	dns_release(&r, q);
	a = ask(&r, &q, "nodata.dns.test", DNS_T_TXT);
	assert_int_equal(a->status, DNS_NODATA);
	assert_int_equal(a->ttl, 60);
	dns_release(&r, q);
	/* REFUSED counts as SERVFAIL */
	a = ask(&r, &q, "refused.dns.test", DNS_T_A);
	assert_int_equal(a->status, DNS_SERVFAIL);
	dns_release(&r, q);
	dns_ares_free(ar);
}

static void test_tc_tcp_retry(void **state)
{
	struct dns_ares *ar;
	struct dns_resolver r;
	struct dns_query *q;
	const struct dns_answer *a;
	(void)state;
	/* Without EDNS a UDP reply holds 512 bytes: long.dns.test (887 bytes in 23 strings)
	 * comes back with TC set, and only the TCP retry can bring the record. */
	ar = resolver_edns(unbound_server, 1000, 2, false, -1);
	r = dns_ares_resolver(ar);
	a = ask(&r, &q, "long.dns.test", DNS_T_TXT);
	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->count, 1);
	assert_int_equal(a->rr[0].u.txt.len, 887);
	assert_memory_equal(a->rr[0].u.txt.data, "v=spf1 ip4:192.0.2.1 ", 21);
	assert_string_equal(a->rr[0].u.txt.data + 887 - 5, " -all");
	dns_release(&r, q);
	dns_ares_free(ar);
	/* the same with the TCP retry switched off: the truncated reply is refused */
	ar = resolver_edns(unbound_server, 1000, 2, true, -1);
	r = dns_ares_resolver(ar);
	a = ask(&r, &q, "long.dns.test", DNS_T_TXT);
	assert_int_equal(a->status, DNS_SERVFAIL);
	assert_non_null(strstr(a->why, "truncated"));
	dns_release(&r, q);
	dns_ares_free(ar);
	/* With EDNS (1232 bytes, the default) 887 bytes fit in UDP; 1500 bytes do not. */
	ar = resolver_edns(unbound_server, 1000, 2, true, 0);
	r = dns_ares_resolver(ar);
	a = ask(&r, &q, "long.dns.test", DNS_T_TXT);
	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->rr[0].u.txt.len, 887);
	dns_release(&r, q);
	a = ask(&r, &q, "huge.dns.test", DNS_T_TXT);
	assert_int_equal(a->status, DNS_SERVFAIL);
	dns_release(&r, q);
	dns_ares_free(ar);
	ar = resolver(unbound_server, 1000, 2, false);
	r = dns_ares_resolver(ar);
	a = ask(&r, &q, "huge.dns.test", DNS_T_TXT);
	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->rr[0].u.txt.len, 1500);
	dns_release(&r, q);
	dns_ares_free(ar);
}

/* --- 1,000 queries in flight from 4 threads --- */
#define FLIGHT_THREADS 4
#define FLIGHT_PER_THREAD 250

struct flight_arg {
	struct dns_resolver *r;
	pthread_barrier_t *started;
	int id, errors;
};

static void *flight_main(void *arg)
{
	struct flight_arg *f = arg;
	struct dns_query *q[FLIGHT_PER_THREAD];
	char name[64];
	for (int i = 0; i < FLIGHT_PER_THREAD; i++) {
		int n = (f->id * FLIGHT_PER_THREAD + i) % 200;
		snprintf(name, sizeof name, "h%d.bench.dns.test", n);
		q[i] = dns_start(f->r, name, DNS_T_A);
	}
	/* all 1,000 are started before anyone collects */
	pthread_barrier_wait(f->started);
	for (int i = 0; i < FLIGHT_PER_THREAD; i++) {
		int n = (f->id * FLIGHT_PER_THREAD + i) % 200;
		const struct dns_answer *a = q[i] ? dns_wait(f->r, q[i], am_now_ms() + 15000) : NULL;
		if (a == NULL || a->status != DNS_ANSWER || a->count != 1 || a->rr[0].u.addr[3] != n % 250 + 1) {
			if (f->errors++ < 3)
				fprintf(stderr, "h%d: %s %s\n", n, a ? dns_status_name(a->status) : "no answer",
					a ? a->why : "");
		}
		dns_release(f->r, q[i]);
	}
	return NULL;
}

static void test_thousand_in_flight(void **state)
{
	struct dns_ares *ar = resolver(unbound_server, 2000, 3, false);
	struct dns_resolver r = dns_ares_resolver(ar);
	pthread_t th[FLIGHT_THREADS];
	struct flight_arg fa[FLIGHT_THREADS];
	pthread_barrier_t b;
	struct dns_ares_stats st;
	(void)state;
	pthread_barrier_init(&b, NULL, FLIGHT_THREADS);
	for (int i = 0; i < FLIGHT_THREADS; i++) {
		fa[i] = (struct flight_arg){ &r, &b, i, 0 };
		pthread_create(&th[i], NULL, flight_main, &fa[i]);
	}
	for (int i = 0; i < FLIGHT_THREADS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(fa[i].errors, 0);
	}
	pthread_barrier_destroy(&b);
	dns_ares_stats(ar, &st);
	assert_int_equal(st.started, 1000);
	assert_int_equal(st.completed, 1000);
	assert_int_equal(st.in_flight, 0);
	assert_int_equal(st.timeouts, 0);   /* no reply was lost to a full socket buffer */
	dns_ares_free(ar);
}

/* --- tiny in-process servers --- */
enum fake_mode { FAKE_SILENT, FAKE_SERVFAIL, FAKE_GARBAGE };

struct fake_server {
	int fd;
	char addr[64];
	enum fake_mode mode;
	unsigned delay_ms;
	int stop;              /* atomic */
	int received;
	pthread_t th;
};

static void *fake_main(void *arg)
{
	struct fake_server *s = arg;
	while (!__atomic_load_n(&s->stop, __ATOMIC_SEQ_CST)) {
		struct pollfd pfd = { s->fd, POLLIN, 0 };
		uint8_t buf[1500];
		struct sockaddr_storage from;
		socklen_t fl = sizeof from;
		ssize_t n;
		if (poll(&pfd, 1, 20) <= 0)
			continue;
		n = recvfrom(s->fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
		if (n < 12)
			continue;
		__atomic_add_fetch(&s->received, 1, __ATOMIC_SEQ_CST);
		if (s->mode == FAKE_SILENT)
			continue;            /* read and drop */
		if (s->delay_ms)
			usleep(s->delay_ms * 1000);
		buf[2] |= 0x80;              /* QR */
		if (s->mode == FAKE_SERVFAIL) {
			buf[3] = (uint8_t)((buf[3] & 0xF0) | 2);
		} else {
			/* keep header + question only (drop any EDNS OPT), then claim one answer
			 * RR but carry only half of one */
			size_t end = 12;
			while (end < (size_t)n && buf[end] != 0)
				end += 1u + buf[end];
			n = (ssize_t)(end + 1 + 4);
			buf[10] = buf[11] = 0;
			buf[7] = 1;
			buf[n++] = 0xC0;
			buf[n++] = 12;
			buf[n++] = 0;
		}
		sendto(s->fd, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
	}
	return NULL;
}

static void fake_start(struct fake_server *s, enum fake_mode mode, unsigned delay_ms)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof sin;
	memset(s, 0, sizeof *s);
	s->mode = mode;
	s->delay_ms = delay_ms;
	s->fd = socket(AF_INET, SOCK_DGRAM, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&sin, sizeof sin), 0);
	getsockname(s->fd, (struct sockaddr *)&sin, &sl);
	snprintf(s->addr, sizeof s->addr, "127.0.0.1:%u", ntohs(sin.sin_port));
	pthread_create(&s->th, NULL, fake_main, s);
}

static void fake_stop(struct fake_server *s)
{
	__atomic_store_n(&s->stop, 1, __ATOMIC_SEQ_CST);
	pthread_join(s->th, NULL);
	close(s->fd);
}

struct deadline_arg {
	struct dns_resolver *r;
	unsigned deadline;
	uint64_t took;
	bool got_null;
};

static void *deadline_main(void *arg)
{
	struct deadline_arg *d = arg;
	char name[64];
	uint64_t t0 = am_now_ms();
	struct dns_query *q;
	snprintf(name, sizeof name, "d%u.example", d->deadline);
	q = dns_start(d->r, name, DNS_T_TXT);
	d->got_null = dns_wait(d->r, q, t0 + d->deadline) == NULL;
	d->took = am_now_ms() - t0;
	dns_release(d->r, q);
	return NULL;
}

static void test_unresponsive_server(void **state)
{
	struct fake_server s;
	struct dns_ares *ar;
	struct dns_resolver r;
	struct dns_query *q;
	const struct dns_answer *a;
	pthread_t th[4];
	struct deadline_arg d[4];
	uint64_t t0, took;
	(void)state;
	fake_start(&s, FAKE_SILENT, 0);
	ar = resolver(s.addr, 300, 2, false);
	r = dns_ares_resolver(ar);
	/* callers' deadlines shorter than the resolver's own: each returns at its deadline */
	for (int i = 0; i < 4; i++) {
		d[i] = (struct deadline_arg){ &r, 50u + 100u * (unsigned)i, 0, false };
		pthread_create(&th[i], NULL, deadline_main, &d[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_true(d[i].got_null);
		assert_true(d[i].took >= d[i].deadline);
		assert_true(d[i].took <= d[i].deadline + 100);
	}
	/* a poll (deadline 0) never blocks */
	q = dns_start(&r, "poll.example", DNS_T_A);
	t0 = am_now_ms();
	assert_null(dns_wait(&r, q, 0));
	assert_true(am_now_ms() - t0 < 50);
	/* the resolver gives up by itself: 300 ms, then 600 ms (c-ares doubles per round) */
	a = dns_wait(&r, q, t0 + 5000);
	took = am_now_ms() - t0;
	assert_non_null(a);
	assert_int_equal(a->status, DNS_TIMEOUT);
	assert_true(took >= 800 && took <= 1500);
	dns_release(&r, q);
	assert_true(__atomic_load_n(&s.received, __ATOMIC_SEQ_CST) >= 2);
	dns_ares_free(ar);
	fake_stop(&s);
}

static void test_servfail_and_garbage(void **state)
{
	struct fake_server s;
	struct dns_ares *ar;
	struct dns_resolver r;
	struct dns_query *q;
	const struct dns_answer *a;
	uint64_t t0;
	(void)state;
	fake_start(&s, FAKE_SERVFAIL, 0);
	ar = resolver(s.addr, 1000, 2, false);
	r = dns_ares_resolver(ar);
	t0 = am_now_ms();
	a = ask(&r, &q, "sf.example", DNS_T_TXT);
	assert_int_equal(a->status, DNS_SERVFAIL);
	assert_true(am_now_ms() - t0 < 900);  /* an answer, not a timeout */
	dns_release(&r, q);
	dns_ares_free(ar);
	fake_stop(&s);

	fake_start(&s, FAKE_GARBAGE, 0);
	ar = resolver(s.addr, 1000, 2, false);
	r = dns_ares_resolver(ar);
	a = ask(&r, &q, "bad.example", DNS_T_TXT);
	assert_int_equal(a->status, DNS_MALFORMED);
	dns_release(&r, q);
	dns_ares_free(ar);
	fake_stop(&s);
}

static void test_release_pending(void **state)
{
	struct fake_server s;
	struct dns_ares *ar;
	struct dns_resolver r;
	struct dns_ares_stats st;
	(void)state;
	/* replies arrive 100 ms late, after their queries were released */
	fake_start(&s, FAKE_SERVFAIL, 100);
	ar = resolver(s.addr, 2000, 1, false);
	r = dns_ares_resolver(ar);
	for (int i = 0; i < 20; i++) {
		char name[32];
		struct dns_query *q;
		snprintf(name, sizeof name, "rel%d.example", i);
		q = dns_start(&r, name, DNS_T_A);
		assert_null(dns_wait(&r, q, 0));
		dns_release(&r, q);
	}
	usleep(400000);
	dns_ares_stats(ar, &st);
	assert_int_equal(st.abandoned, 20);
	assert_int_equal(st.in_flight, 20 - st.completed);
	dns_ares_free(ar);
	fake_stop(&s);
}

struct blocked_arg {
	struct dns_resolver *r;
	struct dns_query *q;
	const struct dns_answer *a;
	uint64_t took;
};

static void *blocked_main(void *arg)
{
	struct blocked_arg *b = arg;
	uint64_t t0 = am_now_ms();
	b->a = dns_wait(b->r, b->q, t0 + 20000);
	b->took = am_now_ms() - t0;
	return NULL;
}

static void test_shutdown_in_flight(void **state)
{
	struct fake_server s;
	struct dns_ares *ar;
	struct dns_resolver r;
	struct dns_query *q[100];
	struct blocked_arg b;
	pthread_t th;
	uint64_t t0;
	(void)state;
	fake_start(&s, FAKE_SILENT, 0);
	ar = resolver(s.addr, 5000, 3, false);
	r = dns_ares_resolver(ar);
	for (int i = 0; i < 100; i++) {
		char name[32];
		snprintf(name, sizeof name, "sd%d.example", i);
		q[i] = dns_start(&r, name, DNS_T_TXT);
		assert_non_null(q[i]);
	}
	for (int i = 50; i < 75; i++) {
		dns_release(&r, q[i]);       /* some abandoned before shutdown */
		q[i] = NULL;
	}
	b = (struct blocked_arg){ &r, q[0], NULL, 0 };
	pthread_create(&th, NULL, blocked_main, &b);
	usleep(100000);
	t0 = am_now_ms();
	dns_ares_free(ar);                   /* with 75 queries in flight, one waiter blocked */
	assert_true(am_now_ms() - t0 < 1000);
	pthread_join(th, NULL);
	assert_non_null(b.a);
	assert_int_equal(b.a->status, DNS_TIMEOUT);
	assert_non_null(strstr(b.a->why, "shutting down"));
	assert_true(b.took < 2000);
	/* the queries still held stay readable and are released after the resolver is gone */
	for (int i = 0; i < 100; i++) {
		if (q[i] == NULL)
			continue;
		const struct dns_answer *a = dns_wait(&r, q[i], 0);
		assert_non_null(a);
		assert_int_equal(a->status, DNS_TIMEOUT);
		dns_release(&r, q[i]);
	}
	fake_stop(&s);
}

static void test_cache_over_ares(void **state)
{
	struct dns_ares *ar = resolver(unbound_server, 1000, 2, false);
	struct dns_resolver inner = dns_ares_resolver(ar);
	struct dns_cache *c = dns_cache_new(&inner, NULL);
	struct dns_resolver r = dns_cache_resolver(c);
	struct dns_cache_stats st;
	struct dns_ares_stats as;
	struct dns_query *q[10];
	(void)state;
	/* ten identical queries at once: one goes to the server */
	for (int i = 0; i < 10; i++)
		q[i] = dns_start(&r, "a.dns.test", DNS_T_A);
	for (int i = 0; i < 10; i++) {
		const struct dns_answer *a = dns_wait(&r, q[i], am_now_ms() + 5000);
		assert_non_null(a);
		assert_int_equal(a->status, DNS_ANSWER);
		dns_release(&r, q[i]);
	}
	for (int i = 0; i < 10; i++) {
		struct dns_query *qq;
		const struct dns_answer *a = ask(&r, &qq, i % 2 ? "nx.dns.test" : "A.DNS.TEST", DNS_T_A);
		assert_int_equal(a->status, i % 2 ? DNS_NXDOMAIN : DNS_ANSWER);
		dns_release(&r, qq);
	}
	dns_cache_stats(c, &st);
	dns_ares_stats(ar, &as);
	assert_int_equal(as.started, 2);
	/* the nine later copies of the first query join the flight, or, when the answer
	 * is already cached by then (a slow run, e.g. under valgrind), hit the cache */
	assert_in_range(st.coalesced, 0, 9);
	assert_int_equal(st.coalesced + st.hits, 18);
	dns_cache_free(c);
	dns_ares_free(ar);
}

static void test_failover_and_ipv6(void **state)
{
	struct fake_server s;
	char list[2][64];
	const char *servers[2];
	struct dns_ares_options o = { .servers = servers, .n_servers = 2, .timeout_ms = 200, .tries = 2 };
	char err[200] = "";
	struct dns_ares *ar;
	struct dns_resolver r;
	struct dns_query *q;
	const struct dns_answer *a;
	int fd6;
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	socklen_t sl = sizeof sin6;
	(void)state;
	/* the first server never answers: the query moves on to the second */
	fake_start(&s, FAKE_SILENT, 0);
	snprintf(list[0], sizeof list[0], "%s", s.addr);
	snprintf(list[1], sizeof list[1], "%s", unbound_server);
	servers[0] = list[0];
	servers[1] = list[1];
	ar = dns_ares_new(&o, err, sizeof err);
	assert_non_null(ar);
	r = dns_ares_resolver(ar);
	a = ask(&r, &q, "a.dns.test", DNS_T_A);
	assert_int_equal(a->status, DNS_ANSWER);
	dns_release(&r, q);
	dns_ares_free(ar);
	fake_stop(&s);

	/* "[::1]:port": a SERVFAIL server on IPv6 loopback proves the address was used */
	fd6 = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd6 < 0 || bind(fd6, (struct sockaddr *)&sin6, sizeof sin6) < 0) {
		if (fd6 >= 0)
			close(fd6);
		skip();                          /* no IPv6 loopback on this machine */
	}
	getsockname(fd6, (struct sockaddr *)&sin6, &sl);
	memset(&s, 0, sizeof s);
	s.fd = fd6;
	s.mode = FAKE_SERVFAIL;
	snprintf(list[0], sizeof list[0], "[::1]:%u", ntohs(sin6.sin6_port));
	pthread_create(&s.th, NULL, fake_main, &s);
	o.n_servers = 1;
	ar = dns_ares_new(&o, err, sizeof err);
	assert_non_null(ar);
	r = dns_ares_resolver(ar);
	a = ask(&r, &q, "v6.example", DNS_T_A);
	assert_int_equal(a->status, DNS_SERVFAIL);
	assert_true(__atomic_load_n(&s.received, __ATOMIC_SEQ_CST) >= 1);
	dns_release(&r, q);
	dns_ares_free(ar);
	fake_stop(&s);
}

struct churn_arg {
	struct dns_resolver *r;
	unsigned seed;
	int answered, abandoned, errors;
};

static void *churn_main(void *arg)
{
	struct churn_arg *c = arg;
	char name[64];
	for (int i = 0; i < 400; i++) {
		unsigned x = rand_r(&c->seed);
		struct dns_query *q;
		const struct dns_answer *a;
		snprintf(name, sizeof name, "h%u.bench.dns.test", x % 200);
		q = dns_start(c->r, name, x & 0x100 ? DNS_T_A : DNS_T_TXT);
		/* half wait for the answer; half give up after 0-2 ms, often while pending */
		a = dns_wait(c->r, q, am_now_ms() + ((x & 0x200) ? 5000 : (x >> 12) % 3));
		if (a == NULL)
			c->abandoned++;
		else if (a->status == DNS_ANSWER || a->status == DNS_NODATA)
			c->answered++;
		else
			c->errors++;
		dns_release(c->r, q);
	}
	return NULL;
}

static void test_churn(void **state)
{
	struct dns_ares *ar = resolver(unbound_server, 1000, 2, false);
	struct dns_resolver r = dns_ares_resolver(ar);
	struct dns_cache *c = dns_cache_new(&r, &(struct dns_cache_options){ .max_entries = 50 });
	struct dns_resolver cr = dns_cache_resolver(c);
	pthread_t th[4];
	struct churn_arg ca[4];
	(void)state;
	/* starts, waits, abandons and releases racing with replies, with and without the cache */
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 4; i++) {
			ca[i] = (struct churn_arg){ round ? &cr : &r, (unsigned)(i * 7919 + round), 0, 0, 0 };
			pthread_create(&th[i], NULL, churn_main, &ca[i]);
		}
		for (int i = 0; i < 4; i++) {
			pthread_join(th[i], NULL);
			assert_int_equal(ca[i].errors, 0);
			assert_int_equal(ca[i].answered + ca[i].abandoned, 400);
			assert_true(ca[i].answered > 0);
		}
	}
	dns_cache_free(c);
	dns_ares_free(ar);                   /* abandoned queries may still be in flight */
}

static void test_bad_options(void **state)
{
	const char *bad[1] = { "not an address" };
	const char *v6[2] = { "[::1]:5353", "127.0.0.1" };
	struct dns_ares_options o = { .servers = bad, .n_servers = 1 };
	char err[200] = "";
	struct dns_ares *ar;
	(void)state;
	assert_null(dns_ares_new(&o, err, sizeof err));
	assert_non_null(strstr(err, "not an address"));
	o.servers = v6;
	o.n_servers = 2;
	ar = dns_ares_new(&o, err, sizeof err);
	assert_non_null(ar);
	dns_ares_free(ar);
	/* resolv.conf */
	ar = dns_ares_new(NULL, err, sizeof err);
	assert_non_null(ar);
	dns_ares_free(ar);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_types),
		cmocka_unit_test(test_tc_tcp_retry),
		cmocka_unit_test(test_thousand_in_flight),
		cmocka_unit_test(test_unresponsive_server),
		cmocka_unit_test(test_servfail_and_garbage),
		cmocka_unit_test(test_release_pending),
		cmocka_unit_test(test_shutdown_in_flight),
		cmocka_unit_test(test_cache_over_ares),
		cmocka_unit_test(test_failover_and_ipv6),
		cmocka_unit_test(test_churn),
		cmocka_unit_test(test_bad_options),
	};
	return cmocka_run_group_tests(tests, start_unbound, stop_unbound);
}
