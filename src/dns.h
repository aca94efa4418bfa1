/* dns - the lookup interface that SPF, DKIM and DMARC see, and its result types.
 *
 * A resolver is a small vtable plus an implementation pointer. Three implementations:
 * dns_zone.c (in-memory zone for tests and the conformance suites), dns_ares.c (c-ares,
 * the daemon's), and dns_cache.c (a caching decorator around any other).
 *
 * Rules (libuv style):
 *  - dns_start() never blocks. It returns NULL only when memory is exhausted.
 *  - dns_wait() returns the answer once the query is complete, or NULL if it is still
 *    pending at deadline_ms (a monotonic time from am_now_ms(); 0 = just poll). A NULL
 *    is not final: the caller may wait again, or give up and treat it as a timeout.
 *  - The answer and everything it points to belong to the query and stay valid until
 *    dns_release(). dns_release() cancels a pending query; after it returns, nothing of
 *    the query is touched again by the resolver.
 *  - All three calls are safe from any thread; one query is used by one thread.
 *
 * Statuses follow the ladder SPF needs (RFC 7208 §4.6.4 void lookups, §2.6.6 temperror):
 * ANSWER (records of the asked type), NXDOMAIN, NODATA (name exists, no such records),
 * SERVFAIL (also REFUSED and other server errors), TIMEOUT (no answer within the
 * resolver's own timeout/tries), MALFORMED (an answer we could not parse).
 * TXT records come with their character-strings joined without separator
 * (RFC 7208 §3.3, RFC 6376 §3.6.2.2). CNAME chains are followed by the implementation. */
#ifndef AM_DNS_H
#define AM_DNS_H
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

enum dns_type {
	DNS_T_A = 1,
	DNS_T_NS = 2,
	DNS_T_CNAME = 5,
	DNS_T_SOA = 6,
	DNS_T_PTR = 12,
	DNS_T_MX = 15,
	DNS_T_TXT = 16,
	DNS_T_AAAA = 28,
};

#define DNS_STATUS_MAP(XX)            \
	XX(ANSWER, "answer")          \
	XX(NXDOMAIN, "nxdomain")      \
	XX(NODATA, "nodata")          \
	XX(SERVFAIL, "servfail")      \
	XX(TIMEOUT, "timeout")        \
	XX(MALFORMED, "malformed")

enum dns_status {
#define DNS_STATUS_ENUM(name, text) DNS_##name,
	DNS_STATUS_MAP(DNS_STATUS_ENUM)
#undef DNS_STATUS_ENUM
};

struct dns_rr {
	enum dns_type type;
	uint32_t ttl;
	union {
		uint8_t addr[16];             /* A: first 4 bytes; AAAA: 16 bytes */
		struct {
			uint16_t preference;
			char *host;
		} mx;
		char *name;                   /* PTR and CNAME target */
		struct {
			char *data;           /* joined strings, NUL-terminated */
			size_t len;           /* may contain NULs: use len */
		} txt;
	} u;
};

struct dns_answer {
	enum dns_status status;
	uint32_t ttl;                 /* minimum TTL of the records, or the negative TTL */
	size_t count;                 /* records of the asked type (status ANSWER: >= 1) */
	struct dns_rr *rr;
	char why[96];                 /* short reason for a failure, "" otherwise */
};

struct dns_query;

struct dns_ops {
	struct dns_query *(*start)(void *impl, const char *name, enum dns_type type);
	const struct dns_answer *(*wait)(void *impl, struct dns_query *q, uint64_t deadline_ms);
	void (*release)(void *impl, struct dns_query *q);
};

struct dns_resolver {
	const struct dns_ops *ops;
	void *impl;
};

static inline struct dns_query *dns_start(const struct dns_resolver *r, const char *name,
					  enum dns_type type)
{
	return r->ops->start(r->impl, name, type);
}

static inline const struct dns_answer *dns_wait(const struct dns_resolver *r, struct dns_query *q,
						uint64_t deadline_ms)
{
	return r->ops->wait(r->impl, q, deadline_ms);
}

static inline void dns_release(const struct dns_resolver *r, struct dns_query *q)
{
	if (q)
		r->ops->release(r->impl, q);
}

/* dns_status_name - "answer", "nxdomain", ... */
const char *dns_status_name(enum dns_status s);
/* dns_type_name / dns_type_parse - "A", "TXT", ...; parse returns 0 for unknown. */
const char *dns_type_name(enum dns_type t);
enum dns_type dns_type_parse(const char *s);
/* dns_status_is_void - NXDOMAIN or NODATA: an RFC 7208 §4.6.4 void lookup. */
static inline bool dns_status_is_void(enum dns_status s)
{
	return s == DNS_NXDOMAIN || s == DNS_NODATA;
}
/* dns_status_is_temp - a temporary failure: SERVFAIL, TIMEOUT (MALFORMED counts too). */
static inline bool dns_status_is_temp(enum dns_status s)
{
	return s == DNS_SERVFAIL || s == DNS_TIMEOUT || s == DNS_MALFORMED;
}

/* Helpers for implementations: a heap answer whose records and strings are owned by it. */
struct dns_answer *dns_answer_new(enum dns_status status, uint32_t ttl);
/* dns_answer_add_* - append a record; 0 or -1 (ENOMEM). */
int dns_answer_add_addr(struct dns_answer *a, enum dns_type type, uint32_t ttl, const uint8_t *addr);
int dns_answer_add_name(struct dns_answer *a, enum dns_type type, uint32_t ttl, const char *name);
int dns_answer_add_mx(struct dns_answer *a, uint32_t ttl, uint16_t pref, const char *host);
int dns_answer_add_txt(struct dns_answer *a, uint32_t ttl, const char *data, size_t len);
struct dns_answer *dns_answer_dup(const struct dns_answer *a);
void dns_answer_free(struct dns_answer *a);
#endif
