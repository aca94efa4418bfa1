/* dns_ares - c-ares 1.18.1 resolver behind dns.h, one thread owning the channel
 * (see dns_ares.h for the threading and ownership rules).
 * OWNS: the channel, the resolver thread, its epoll and eventfd descriptors; each query
 * is shared by its caller and the resolver thread through a reference count. */
#include "dns_ares.h"
#include "clock.h"
#include "dns_wire.h"
#include <ares.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define ARES_DEFAULT_TIMEOUT_MS 2000
#define ARES_DEFAULT_TRIES 2
#define ARES_DEFAULT_EDNS 1232
#define ARES_EVENTS_MAX 64
#define ARES_BATCH 32                  /* queries sent per loop turn */
#define ARES_RCVBUF (1 << 20)          /* asked for; the kernel caps it at rmem_max */
#define ARES_NAME_MAX 1024

struct dns_query {
	struct dns_query *next;        /* submit queue link (resolver lock) */
	pthread_mutex_t mu;            /* guards everything below */
	pthread_cond_t cv;
	int refs;                      /* caller + resolver thread */
	bool done, released;
	struct dns_answer *answer;     /* NULL until done */
	bool answer_static;            /* answer is oom_answer, not to be freed */
	enum dns_type type;
	struct dns_ares *owner;
	char name[];
};

struct dns_ares {
	pthread_mutex_t lock;          /* guards queue_head/tail, stopping */
	struct dns_query *queue_head, *queue_tail;
	bool stopping;
	pthread_t thread;
	bool thread_started;
	int epfd, evfd;
	ares_channel ch;               /* touched only by the resolver thread after start-up */
	atomic_ulong started, completed, timeouts, abandoned, in_flight;
};

/* Handed out when no answer could be allocated: a temporary failure. */
static struct dns_answer oom_answer = { .status = DNS_SERVFAIL, .why = "out of memory" };

static pthread_once_t ares_once = PTHREAD_ONCE_INIT;
static int ares_init_rc;

static void ares_lib_init(void)
{
	ares_init_rc = ares_library_init(ARES_LIB_INIT_ALL);
}

/* query_put - drop one reference; frees the query with the last one. */
static void query_put(struct dns_query *q)
{
	bool last;
	pthread_mutex_lock(&q->mu);
	last = --q->refs == 0;
	pthread_mutex_unlock(&q->mu);
	if (!last)
		return;
	if (!q->answer_static)
		dns_answer_free(q->answer);
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	free(q);
}

/* query_complete - hand an answer to the waiter (or discard it if released), drop the
 * resolver thread's reference. */
static void query_complete(struct dns_ares *r, struct dns_query *q, struct dns_answer *a)
{
	bool is_static = a == NULL;
	if (a == NULL)
		a = &oom_answer;
	atomic_fetch_add(&r->completed, 1);
	atomic_fetch_sub(&r->in_flight, 1);
	pthread_mutex_lock(&q->mu);
	if (a->status == DNS_TIMEOUT && !q->released)
		atomic_fetch_add(&r->timeouts, 1);
	if (q->released) {
		if (!is_static)
			dns_answer_free(a);
	} else {
		q->answer = a;
		q->answer_static = is_static;
		q->done = true;
		pthread_cond_broadcast(&q->cv);
	}
	pthread_mutex_unlock(&q->mu);
	query_put(q);
}

static struct dns_answer *answer_fail(enum dns_status st, const char *why)
{
	struct dns_answer *a = dns_answer_new(st, 0);
	if (a)
		snprintf(a->why, sizeof a->why, "%s", why);
	return a;
}

/* ares_status_answer - a c-ares failure without a reply packet -> dns.h status. */
static struct dns_answer *ares_status_answer(int status)
{
	switch (status) {
	case ARES_ETIMEOUT:
		return answer_fail(DNS_TIMEOUT, "no reply from the DNS servers");
	case ARES_EDESTRUCTION:
	case ARES_ECANCELLED:
		return answer_fail(DNS_TIMEOUT, "resolver shutting down");
	case ARES_ESERVFAIL:
		return answer_fail(DNS_SERVFAIL, "server failure");
	case ARES_EREFUSED:
		return answer_fail(DNS_SERVFAIL, "server refused the query");
	case ARES_ECONNREFUSED:
		return answer_fail(DNS_SERVFAIL, "servers refused the query or are unreachable");
	case ARES_EBADNAME:
		return answer_fail(DNS_MALFORMED, "invalid query name");
	case ARES_EBADRESP:
		return answer_fail(DNS_MALFORMED, "malformed reply");
	default: {
		char why[96];
		snprintf(why, sizeof why, "resolver error: %s", ares_strerror(status));
		return answer_fail(DNS_SERVFAIL, why);
	}
	}
}

/* ares_cb - c-ares callback, runs on the resolver thread. The raw reply (also passed
 * for NXDOMAIN/NODATA/SERVFAIL by ares_query) is parsed by dns_wire. */
static void ares_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct dns_query *q = arg;
	struct dns_ares *r = q->owner;
	struct dns_answer *a;
	(void)timeouts;
	if (abuf != NULL && alen > 0 && status != ARES_EDESTRUCTION && status != ARES_ECANCELLED)
		a = dns_wire_parse(abuf, (size_t)alen, q->name, q->type);
	else
		a = ares_status_answer(status);
	query_complete(r, q, a);
}

/* ares_sock_cb - c-ares tells us which sockets to watch; mirror it in the epoll set. */
static void ares_sock_cb(void *data, ares_socket_t fd, int readable, int writable)
{
	struct dns_ares *r = data;
	struct epoll_event ev;
	memset(&ev, 0, sizeof ev);
	ev.data.fd = fd;
	ev.events = (readable ? EPOLLIN : 0u) | (writable ? EPOLLOUT : 0u);
	if (!readable && !writable) {
		epoll_ctl(r->epfd, EPOLL_CTL_DEL, fd, NULL);
		return;
	}
	if (epoll_ctl(r->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 && errno == ENOENT)
		epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev);
}

/* ares_drain - take up to ARES_BATCH queries from the submit queue and send those still
 * wanted. Sending in batches, with the sockets read in between, keeps a burst of replies
 * from overflowing the UDP receive buffer while we are still busy sending. Returns 1 when
 * stopping, 0 otherwise; *more tells whether queries are left in the queue. */
static int ares_drain(struct dns_ares *r, bool *more)
{
	struct dns_query *q, *next, *last = NULL;
	bool stopping;
	int n = 0;
	pthread_mutex_lock(&r->lock);
	stopping = r->stopping;
	q = r->queue_head;
	for (last = q; last && last->next && (stopping || ++n < ARES_BATCH); last = last->next)
		;
	if (last) {
		r->queue_head = last->next;
		if (r->queue_head == NULL)
			r->queue_tail = NULL;
		last->next = NULL;
	}
	*more = r->queue_head != NULL;
	pthread_mutex_unlock(&r->lock);
	for (; q; q = next) {
		bool released;
		next = q->next;
		q->next = NULL;
		pthread_mutex_lock(&q->mu);
		released = q->released;
		pthread_mutex_unlock(&q->mu);
		if (released)
			query_complete(r, q, answer_fail(DNS_TIMEOUT, "released before sending"));
		else if (stopping)
			query_complete(r, q, answer_fail(DNS_TIMEOUT, "resolver shutting down"));
		else
			ares_query(r->ch, q->name, 1 /* C_IN */, (int)q->type, ares_cb, q);
	}
	return stopping;
}

static void *ares_thread(void *arg)
{
	struct dns_ares *r = arg;
	struct epoll_event evs[ARES_EVENTS_MAX];
	bool more;
	for (;;) {
		struct timeval tv, *tvp;
		int timeout_ms, n;
		if (ares_drain(r, &more))
			break;
		tvp = ares_timeout(r->ch, NULL, &tv);
		timeout_ms = tvp ? (int)(tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000) : -1;
		if (more)
			timeout_ms = 0;
		n = epoll_wait(r->epfd, evs, ARES_EVENTS_MAX, timeout_ms);
		if (n < 0 && errno != EINTR)
			n = 0;
		if (n <= 0) {
			ares_process_fd(r->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
			continue;
		}
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == r->evfd) {
				uint64_t v;
				if (read(r->evfd, &v, sizeof v) < 0 && errno != EAGAIN)
					continue;
				continue;
			}
			ares_process_fd(r->ch,
					evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP) ? fd : ARES_SOCKET_BAD,
					evs[i].events & EPOLLOUT ? fd : ARES_SOCKET_BAD);
		}
		/* Timeouts advance even when sockets keep being busy. */
		ares_process_fd(r->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	}
	/* Every query c-ares still holds completes with ARES_EDESTRUCTION. */
	ares_destroy(r->ch);
	r->ch = NULL;
	do
		ares_drain(r, &more);
	while (more);
	return NULL;
}

/* ares_servers_csv - "a,b,c" for ares_set_servers_ports_csv. */
static char *ares_servers_csv(const struct dns_ares_options *o)
{
	size_t len = 1;
	char *csv;
	for (size_t i = 0; i < o->n_servers; i++)
		len += strlen(o->servers[i]) + 1;
	csv = calloc(1, len);
	if (csv == NULL)
		return NULL;
	for (size_t i = 0; i < o->n_servers; i++) {
		if (i)
			strcat(csv, ",");
		strcat(csv, o->servers[i]);
	}
	return csv;
}

struct dns_ares *dns_ares_new(const struct dns_ares_options *o, char *err, size_t errlen)
{
	static const struct dns_ares_options defaults;
	struct dns_ares *r;
	struct ares_options ao;
	int rc, optmask;

	if (o == NULL)
		o = &defaults;
	pthread_once(&ares_once, ares_lib_init);
	if (ares_init_rc != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(ares_init_rc));
		return NULL;
	}
	r = calloc(1, sizeof *r);
	if (r == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&r->lock, NULL);
	r->epfd = epoll_create1(EPOLL_CLOEXEC);
	r->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->epfd < 0 || r->evfd < 0) {
		snprintf(err, errlen, "epoll/eventfd: %s", strerror(errno));
		goto fail;
	}
	{
		struct epoll_event ev;
		memset(&ev, 0, sizeof ev);
		ev.events = EPOLLIN;
		ev.data.fd = r->evfd;
		if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->evfd, &ev) < 0) {
			snprintf(err, errlen, "epoll_ctl: %s", strerror(errno));
			goto fail;
		}
	}
	memset(&ao, 0, sizeof ao);
	ao.flags = ARES_FLAG_NOSEARCH | (o->ignore_tc ? ARES_FLAG_IGNTC : 0);
	if (o->edns_udp_size >= 0) {
		ao.flags |= ARES_FLAG_EDNS;
		ao.ednspsz = o->edns_udp_size > 512 ? o->edns_udp_size : ARES_DEFAULT_EDNS;
	}
	ao.timeout = (int)(o->timeout_ms ? o->timeout_ms : ARES_DEFAULT_TIMEOUT_MS);
	ao.tries = (int)(o->tries ? o->tries : ARES_DEFAULT_TRIES);
	ao.socket_receive_buffer_size = ARES_RCVBUF;
	ao.sock_state_cb = ares_sock_cb;
	ao.sock_state_cb_data = r;
	optmask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB | ARES_OPT_SOCK_RCVBUF |
		  (o->edns_udp_size >= 0 ? ARES_OPT_EDNSPSZ : 0);
	rc = ares_init_options(&r->ch, &ao, optmask);
	if (rc != ARES_SUCCESS) {
		r->ch = NULL;
		snprintf(err, errlen, "c-ares init: %s", ares_strerror(rc));
		goto fail;
	}
	if (o->n_servers > 0) {
		char *csv = ares_servers_csv(o);
		rc = csv ? ares_set_servers_ports_csv(r->ch, csv) : ARES_ENOMEM;
		if (rc != ARES_SUCCESS) {
			snprintf(err, errlen, "bad DNS server list '%.60s': %s", csv ? csv : "", ares_strerror(rc));
			free(csv);
			goto fail;
		}
		free(csv);
	}
	if (pthread_create(&r->thread, NULL, ares_thread, r) != 0) {
		snprintf(err, errlen, "cannot start the resolver thread");
		goto fail;
	}
	r->thread_started = true;
	return r;
fail:
	dns_ares_free(r);
	return NULL;
}

static void ares_wake(struct dns_ares *r)
{
	uint64_t one = 1;
	if (write(r->evfd, &one, sizeof one) < 0) {
		/* EAGAIN: the counter is already non-zero, the thread will wake anyway */
	}
}

static struct dns_query *ares_start(void *impl, const char *name, enum dns_type type)
{
	struct dns_ares *r = impl;
	size_t nl = strnlen(name, ARES_NAME_MAX);
	struct dns_query *q;
	bool wake, stopping;
	pthread_condattr_t ca;

	q = calloc(1, sizeof *q + nl + 1);
	if (q == NULL)
		return NULL;
	memcpy(q->name, name, nl);
	q->name[nl] = '\0';
	q->owner = r;
	q->type = type;
	q->refs = 2;
	pthread_mutex_init(&q->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q->cv, &ca);
	pthread_condattr_destroy(&ca);
	atomic_fetch_add(&r->started, 1);
	atomic_fetch_add(&r->in_flight, 1);
	if (nl >= ARES_NAME_MAX) {
		query_complete(r, q, answer_fail(DNS_MALFORMED, "query name too long"));
		return q;
	}
	pthread_mutex_lock(&r->lock);
	stopping = r->stopping;
	if (!stopping) {
		wake = r->queue_head == NULL;
		if (r->queue_tail)
			r->queue_tail->next = q;
		else
			r->queue_head = q;
		r->queue_tail = q;
	}
	pthread_mutex_unlock(&r->lock);
	if (stopping)
		query_complete(r, q, answer_fail(DNS_TIMEOUT, "resolver shutting down"));
	else if (wake)
		ares_wake(r);
	return q;
}

static const struct dns_answer *ares_wait(void *impl, struct dns_query *q, uint64_t deadline_ms)
{
	const struct dns_answer *a = NULL;
	(void)impl;
	pthread_mutex_lock(&q->mu);
	while (!q->done) {
		uint64_t now = am_now_ms();
		struct timespec ts;
		uint64_t left;
		if (deadline_ms <= now)
			break;
		left = deadline_ms - now;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += (time_t)(left / 1000);
		ts.tv_nsec += (long)(left % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&q->cv, &q->mu, &ts);
	}
	if (q->done)
		a = q->answer;
	pthread_mutex_unlock(&q->mu);
	return a;
}

static void ares_release(void *impl, struct dns_query *q)
{
	struct dns_ares *r = impl;
	bool pending;
	pthread_mutex_lock(&q->mu);
	q->released = true;
	pending = !q->done;
	pthread_mutex_unlock(&q->mu);
	if (pending)
		atomic_fetch_add(&r->abandoned, 1);
	query_put(q);
}

static const struct dns_ops ares_ops = { ares_start, ares_wait, ares_release };

struct dns_resolver dns_ares_resolver(struct dns_ares *r)
{
	struct dns_resolver res = { &ares_ops, r };
	return res;
}

void dns_ares_stats(struct dns_ares *r, struct dns_ares_stats *out)
{
	out->started = atomic_load(&r->started);
	out->completed = atomic_load(&r->completed);
	out->timeouts = atomic_load(&r->timeouts);
	out->abandoned = atomic_load(&r->abandoned);
	out->in_flight = atomic_load(&r->in_flight);
}

void dns_ares_free(struct dns_ares *r)
{
	if (r == NULL)
		return;
	if (r->thread_started) {
		pthread_mutex_lock(&r->lock);
		r->stopping = true;
		pthread_mutex_unlock(&r->lock);
		ares_wake(r);
		pthread_join(r->thread, NULL);
	} else if (r->ch) {
		ares_destroy(r->ch);
	}
	if (r->evfd >= 0)
		close(r->evfd);
	if (r->epfd >= 0)
		close(r->epfd);
	pthread_mutex_destroy(&r->lock);
	free(r);
}
