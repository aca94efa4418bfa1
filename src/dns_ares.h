/* dns_ares - the daemon's resolver: c-ares 1.18.1 driven by one thread that alone owns
 * the channel, behind the dns.h interface.
 *
 * THREADS: dns_ares_new() starts the resolver thread. It runs epoll over the sockets
 * c-ares reports (ARES_OPT_SOCK_STATE_CB) plus an eventfd. Any thread may start, wait
 * and release queries: dns_start() appends the query to a mutex-protected submit queue
 * and pokes the eventfd; the resolver thread sends it with ares_query() (no search list)
 * and parses the raw reply with dns_wire. dns_wait() sleeps on the query's own condition
 * variable until its absolute deadline (am_now_ms() based), then returns NULL.
 * Each query is reference counted (caller + resolver thread): dns_release() of a pending
 * query only drops the caller's reference; the reply, when it comes, is discarded by the
 * resolver thread, which frees the query. Queries carry EDNS0 with a 1232-byte UDP size
 * (no fragmentation, DNS flag day 2020); truncated UDP replies are retried over TCP by
 * c-ares (ARES_FLAG_IGNTC is not set).
 * SHUTDOWN: dns_ares_free() stops the thread; every query still pending completes with
 * DNS_TIMEOUT "resolver shutting down" (waiters wake up). Queries the callers still hold
 * stay valid and must still be released; they do not touch the freed resolver.
 * OWNS: the c-ares channel, the thread, the epoll and eventfd descriptors. */
#ifndef AM_DNS_ARES_H
#define AM_DNS_ARES_H
#include "dns.h"
#include <stdbool.h>
#include <stddef.h>

struct dns_ares_options {
	const char *const *servers;   /* "host", "host:port", "[v6addr]:port"; NULL/0 = resolv.conf */
	size_t n_servers;
	unsigned timeout_ms;          /* per try; 0 = 2000 */
	unsigned tries;               /* 0 = 2 */
	int edns_udp_size;            /* EDNS0 UDP payload size: 0 = 1232, -1 = no EDNS (512) */
	bool ignore_tc;               /* tests only: accept truncated UDP replies (no TCP retry) */
};

struct dns_ares;

/* dns_ares_new - initialise c-ares and start the resolver thread; NULL with a reason in err. */
struct dns_ares *dns_ares_new(const struct dns_ares_options *o, char *err, size_t errlen);
/* dns_ares_resolver - the dns.h view of this resolver; valid until dns_ares_free(). */
struct dns_resolver dns_ares_resolver(struct dns_ares *r);
/* dns_ares_free - stop the thread (pending queries complete as DNS_TIMEOUT), free it. */
void dns_ares_free(struct dns_ares *r);

struct dns_ares_stats {
	unsigned long started, completed, timeouts, abandoned;
	unsigned long in_flight;
};
/* dns_ares_stats - counters since dns_ares_new: abandoned = released while pending;
 * timeouts = TIMEOUT answers delivered to a caller still waiting for them. */
void dns_ares_stats(struct dns_ares *r, struct dns_ares_stats *out);
#endif
