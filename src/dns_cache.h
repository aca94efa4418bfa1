/* dns_cache - a caching decorator over any dns.h resolver, shared by all threads.
 *
 * Key: the query name lower-cased without its trailing dot, plus the type.
 * What is kept, and for how long (seconds; the clock is am_now_ms(), so tests drive it):
 *  - ANSWER: the answer's TTL (the minimum over its records and CNAMEs), clamped to
 *    [min_ttl, max_ttl];
 *  - NXDOMAIN, NODATA: the negative TTL of the answer (RFC 2308 §5: min(SOA TTL, SOA
 *    MINIMUM)), clamped to [min_ttl, min(max_ttl, neg_max_ttl)];
 *  - SERVFAIL, MALFORMED: servfail_ttl (default 0: not cached; RFC 2308 §7.1 allows up
 *    to 5 minutes);
 *  - TIMEOUT: never.
 * A TTL of 0 after clamping means "not cached". The table holds at most max_entries
 * answers; inserting into a full table evicts the least recently used one.
 * Identical queries (same key) in flight at once are coalesced: one query goes to the
 * inner resolver and every caller gets its answer. Whichever caller waits drives the
 * inner query; each caller still honours its own deadline.
 * Cached answers are shared, immutable and reference counted: a query's answer stays
 * valid until dns_release() even if the entry is evicted meanwhile. Their TTL fields
 * are the original ones, not the time left.
 * THREADS: one mutex guards the table; each in-flight query has its own. The inner
 * resolver must outlive the cache. OWNS: its entries and in-flight inner queries. */
#ifndef AM_DNS_CACHE_H
#define AM_DNS_CACHE_H
#include "dns.h"
#include <stddef.h>
#include <stdint.h>

struct dns_cache_options {
	size_t max_entries;      /* 0 = 10000 */
	uint32_t min_ttl;        /* 0 = 0 */
	uint32_t max_ttl;        /* 0 = 86400 */
	uint32_t neg_max_ttl;    /* 0 = 3600 */
	uint32_t servfail_ttl;   /* 0 = failures not cached */
};

struct dns_cache_stats {
	unsigned long hits;      /* answered from the table */
	unsigned long misses;    /* not in the table (or expired): went to, or joined, a query */
	unsigned long coalesced; /* misses that joined an identical query in flight */
	unsigned long inserts;   /* answers stored */
	unsigned long evictions; /* entries dropped to make room (LRU) */
	unsigned long expired;   /* entries dropped because their TTL ran out */
	unsigned long entries;   /* entries in the table now */
	unsigned long in_flight; /* distinct inner queries pending now */
};

struct dns_cache;

/* dns_cache_new - a cache in front of inner (copied); NULL on ENOMEM. o may be NULL. */
struct dns_cache *dns_cache_new(const struct dns_resolver *inner, const struct dns_cache_options *o);
/* dns_cache_resolver - the dns.h view; valid until dns_cache_free(). */
struct dns_resolver dns_cache_resolver(struct dns_cache *c);
/* dns_cache_stats - a consistent snapshot of the counters. */
void dns_cache_stats(struct dns_cache *c, struct dns_cache_stats *out);
/* dns_cache_flush - drop every entry (queries in flight are not affected). */
void dns_cache_flush(struct dns_cache *c);
/* dns_cache_free - free the table; every query from it must have been released. */
void dns_cache_free(struct dns_cache *c);
#endif
