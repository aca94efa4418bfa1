/* dns_cache - TTL/LRU cache with negative caching and query coalescing over any dns.h
 * resolver (see dns_cache.h).
 * OWNS: the entries (hash chains + LRU list), the shared answers ("blobs"), and the
 * flights (one inner query per key in flight). cache->lock and a flight's mu are never
 * held together, so there is no lock order to get wrong. */
#include "dns_cache.h"
#include "clock.h"
#include "strutil.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CACHE_DEFAULT_ENTRIES 10000
#define CACHE_DEFAULT_MAX_TTL 86400
#define CACHE_DEFAULT_NEG_MAX_TTL 3600
#define CACHE_NAME_MAX 1024

/* blob - an immutable answer shared by the table and the queries handed out. */
struct blob {
	atomic_int refs;
	struct dns_answer *a;
};

struct centry {
	struct centry *hnext;
	struct centry *prev, *next;    /* LRU: head = most recent */
	uint64_t expires_ms;
	struct blob *blob;
	uint32_t hash;
	enum dns_type type;
	char key[];
};

struct flight {
	struct flight *hnext;
	uint32_t hash;
	enum dns_type type;
	int refs;                      /* cache queries attached (cache->lock) */
	bool in_table;                 /* still joinable (cache->lock) */
	pthread_mutex_t mu;            /* guards what follows */
	pthread_cond_t cv;
	bool busy;                     /* a caller is inside the inner dns_wait */
	bool done;
	struct dns_query *inner;
	struct blob *blob;
	char key[];
};

struct dns_query {
	struct blob *blob;             /* set on a hit, or once the flight is done */
	struct flight *f;
};

struct dns_cache {
	struct dns_resolver inner;
	struct dns_cache_options o;
	pthread_mutex_t lock;
	size_t nbuckets;               /* power of two */
	struct centry **buckets;
	struct flight **fbuckets;
	struct centry *lru_head, *lru_tail;
	size_t count;
	struct dns_cache_stats st;
};

static void blob_put(struct blob *b)
{
	if (b && atomic_fetch_sub(&b->refs, 1) == 1) {
		dns_answer_free(b->a);
		free(b);
	}
}

static struct blob *blob_get(struct blob *b)
{
	atomic_fetch_add(&b->refs, 1);
	return b;
}

/* cache_key - normalised name into out; returns its length or -1. */
static int cache_key(const char *name, char *out, size_t outlen)
{
	size_t l = strnlen(name, outlen);
	if (l >= outlen)
		return -1;
	while (l > 1 && name[l - 1] == '.')
		l--;
	for (size_t i = 0; i < l; i++)
		out[i] = (char)am_tolower((unsigned char)name[i]);
	out[l] = '\0';
	return (int)l;
}

static uint32_t cache_hash(const char *key, enum dns_type type)
{
	uint32_t h = 2166136261u;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 16777619u;
	h = (h ^ (uint32_t)type) * 16777619u;
	return h;
}

struct dns_cache *dns_cache_new(const struct dns_resolver *inner, const struct dns_cache_options *o)
{
	struct dns_cache *c = calloc(1, sizeof *c);
	size_t want;
	if (c == NULL)
		return NULL;
	c->inner = *inner;
	if (o)
		c->o = *o;
	if (c->o.max_entries == 0)
		c->o.max_entries = CACHE_DEFAULT_ENTRIES;
	if (c->o.max_ttl == 0)
		c->o.max_ttl = CACHE_DEFAULT_MAX_TTL;
	if (c->o.neg_max_ttl == 0)
		c->o.neg_max_ttl = CACHE_DEFAULT_NEG_MAX_TTL;
	want = c->o.max_entries < 1024 ? 1024 : c->o.max_entries;
	for (c->nbuckets = 64; c->nbuckets < want && c->nbuckets < ((size_t)1 << 24); c->nbuckets <<= 1)
		;
	c->buckets = calloc(c->nbuckets, sizeof *c->buckets);
	c->fbuckets = calloc(c->nbuckets, sizeof *c->fbuckets);
	if (c->buckets == NULL || c->fbuckets == NULL) {
		free(c->buckets);
		free(c->fbuckets);
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

/* --- table (all under c->lock) --- */

static void lru_unlink(struct dns_cache *c, struct centry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		c->lru_head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		c->lru_tail = e->prev;
	e->prev = e->next = NULL;
}

static void lru_push_head(struct dns_cache *c, struct centry *e)
{
	e->prev = NULL;
	e->next = c->lru_head;
	if (c->lru_head)
		c->lru_head->prev = e;
	c->lru_head = e;
	if (c->lru_tail == NULL)
		c->lru_tail = e;
}

static void entry_remove(struct dns_cache *c, struct centry *e)
{
	struct centry **pp = &c->buckets[e->hash & (c->nbuckets - 1)];
	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = e->hnext;
	lru_unlink(c, e);
	c->count--;
	blob_put(e->blob);
	free(e);
}

static struct centry *entry_find(struct dns_cache *c, const char *key, enum dns_type type, uint32_t h)
{
	for (struct centry *e = c->buckets[h & (c->nbuckets - 1)]; e; e = e->hnext)
		if (e->hash == h && e->type == type && strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

static struct flight *flight_find(struct dns_cache *c, const char *key, enum dns_type type, uint32_t h)
{
	for (struct flight *f = c->fbuckets[h & (c->nbuckets - 1)]; f; f = f->hnext)
		if (f->hash == h && f->type == type && strcmp(f->key, key) == 0)
			return f;
	return NULL;
}

static void flight_unlink(struct dns_cache *c, struct flight *f)
{
	struct flight **pp = &c->fbuckets[f->hash & (c->nbuckets - 1)];
	if (!f->in_table)
		return;
	while (*pp && *pp != f)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = f->hnext;
	f->in_table = false;
	c->st.in_flight--;
}

/* cache_ttl - how long an answer may be kept, in seconds (0 = not at all). */
static uint32_t cache_ttl(const struct dns_cache *c, const struct dns_answer *a)
{
	uint32_t ttl, max = c->o.max_ttl;
	switch (a->status) {
	case DNS_ANSWER:
		ttl = a->ttl;
		break;
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		ttl = a->ttl;
		if (c->o.neg_max_ttl < max)
			max = c->o.neg_max_ttl;
		break;
	case DNS_SERVFAIL:
	case DNS_MALFORMED:
		return c->o.servfail_ttl;
	default:
		return 0;
	}
	if (ttl < c->o.min_ttl)
		ttl = c->o.min_ttl;
	if (ttl > max)
		ttl = max;
	return ttl;
}

/* cache_insert - store the flight's answer under its key, evicting the LRU entry when full. */
static void cache_insert(struct dns_cache *c, const struct flight *f, struct blob *b)
{
	uint32_t ttl = cache_ttl(c, b->a);
	size_t kl = strlen(f->key);
	struct centry *e, *old;
	if (ttl == 0)
		return;
	e = malloc(sizeof *e + kl + 1);
	if (e == NULL)
		return;                  /* not caching is always correct */
	memcpy(e->key, f->key, kl + 1);
	e->hash = f->hash;
	e->type = f->type;
	e->blob = blob_get(b);
	e->expires_ms = am_now_ms() + (uint64_t)ttl * 1000u;
	old = entry_find(c, e->key, e->type, e->hash);
	if (old)
		entry_remove(c, old);
	while (c->count >= c->o.max_entries && c->lru_tail) {
		entry_remove(c, c->lru_tail);
		c->st.evictions++;
	}
	e->hnext = c->buckets[e->hash & (c->nbuckets - 1)];
	c->buckets[e->hash & (c->nbuckets - 1)] = e;
	e->prev = e->next = NULL;
	lru_push_head(c, e);
	c->count++;
	c->st.inserts++;
}

/* --- flights --- */

static void flight_free(struct dns_cache *c, struct flight *f)
{
	if (f->inner)
		dns_release(&c->inner, f->inner);
	blob_put(f->blob);
	pthread_cond_destroy(&f->cv);
	pthread_mutex_destroy(&f->mu);
	free(f);
}

/* flight_drive - wait on the inner query until deadline; on an answer, publish it to the
 * flight's callers and the table. Called without any lock; f->busy is ours. */
static void flight_drive(struct dns_cache *c, struct flight *f, uint64_t deadline_ms)
{
	const struct dns_answer *a = dns_wait(&c->inner, f->inner, deadline_ms);
	struct blob *b = NULL;
	struct dns_query *inner = NULL;
	if (a) {
		b = malloc(sizeof *b);
		if (b) {
			b->a = dns_answer_dup(a);
			if (b->a == NULL) {
				free(b);
				b = NULL;
			} else {
				atomic_init(&b->refs, 1);
			}
		}
		if (b == NULL) {
			/* ENOMEM: report a temporary failure rather than hang the callers */
			static const struct dns_answer oom = { .status = DNS_SERVFAIL, .why = "out of memory" };
			b = calloc(1, sizeof *b);
			if (b)
				b->a = dns_answer_dup(&oom);
			if (b == NULL || b->a == NULL) {
				free(b);
				b = NULL;
			} else {
				atomic_init(&b->refs, 1);
			}
		}
	}
	if (b) {
		pthread_mutex_lock(&c->lock);
		flight_unlink(c, f);
		cache_insert(c, f, b);
		pthread_mutex_unlock(&c->lock);
	}
	pthread_mutex_lock(&f->mu);
	f->busy = false;
	if (b) {
		f->blob = b;
		f->done = true;
		inner = f->inner;
		f->inner = NULL;
	}
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
	if (inner)
		dns_release(&c->inner, inner);
}

static struct dns_query *cache_start(void *impl, const char *name, enum dns_type type)
{
	struct dns_cache *c = impl;
	char key[CACHE_NAME_MAX];
	struct dns_query *q = calloc(1, sizeof *q);
	struct centry *e;
	struct flight *f;
	uint32_t h;
	size_t kl;
	bool fresh = false;

	if (q == NULL)
		return NULL;
	if (cache_key(name, key, sizeof key) < 0) {
		/* too long to be a DNS name: let the inner resolver say so, uncached */
		key[0] = '\0';
	}
	kl = strlen(key);
	h = cache_hash(key, type);
	pthread_mutex_lock(&c->lock);
	e = kl ? entry_find(c, key, type, h) : NULL;
	if (e && e->expires_ms <= am_now_ms()) {
		entry_remove(c, e);
		c->st.expired++;
		e = NULL;
	}
	if (e) {
		c->st.hits++;
		lru_unlink(c, e);
		lru_push_head(c, e);
		q->blob = blob_get(e->blob);
		pthread_mutex_unlock(&c->lock);
		return q;
	}
	c->st.misses++;
	f = kl ? flight_find(c, key, type, h) : NULL;
	if (f) {
		c->st.coalesced++;
		f->refs++;
		q->f = f;
		pthread_mutex_unlock(&c->lock);
		return q;
	}
	f = calloc(1, sizeof *f + kl + 1);
	if (f == NULL || (f->inner = dns_start(&c->inner, name, type)) == NULL) {
		pthread_mutex_unlock(&c->lock);
		free(f);
		free(q);
		return NULL;
	}
	memcpy(f->key, key, kl + 1);
	f->hash = h;
	f->type = type;
	f->refs = 1;
	pthread_mutex_init(&f->mu, NULL);
	{
		pthread_condattr_t ca;
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&f->cv, &ca);
		pthread_condattr_destroy(&ca);
	}
	if (kl) {
		f->hnext = c->fbuckets[h & (c->nbuckets - 1)];
		c->fbuckets[h & (c->nbuckets - 1)] = f;
		f->in_table = true;
		c->st.in_flight++;
	}
	f->busy = true;
	fresh = true;
	pthread_mutex_unlock(&c->lock);
	q->f = f;
	/* An inner resolver that answers at once (a zone, an inner cache) is published now. */
	if (fresh)
		flight_drive(c, f, 0);
	return q;
}

static void deadline_ts(uint64_t deadline_ms, struct timespec *ts)
{
	uint64_t now = am_now_ms(), left = deadline_ms > now ? deadline_ms - now : 0;
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += (time_t)(left / 1000);
	ts->tv_nsec += (long)(left % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static const struct dns_answer *cache_wait(void *impl, struct dns_query *q, uint64_t deadline_ms)
{
	struct dns_cache *c = impl;
	struct flight *f = q->f;
	if (q->blob)
		return q->blob->a;
	pthread_mutex_lock(&f->mu);
	for (;;) {
		if (f->done) {
			q->blob = blob_get(f->blob);
			break;
		}
		if (!f->busy) {
			f->busy = true;
			pthread_mutex_unlock(&f->mu);
			flight_drive(c, f, deadline_ms);
			pthread_mutex_lock(&f->mu);
			if (f->done)
				continue;
			if (am_now_ms() >= deadline_ms)
				break;
		} else {
			struct timespec ts;
			if (am_now_ms() >= deadline_ms)
				break;
			deadline_ts(deadline_ms, &ts);
			pthread_cond_timedwait(&f->cv, &f->mu, &ts);
		}
	}
	pthread_mutex_unlock(&f->mu);
	return q->blob ? q->blob->a : NULL;
}

static void cache_release(void *impl, struct dns_query *q)
{
	struct dns_cache *c = impl;
	struct flight *f = q->f;
	blob_put(q->blob);
	if (f) {
		bool last;
		pthread_mutex_lock(&c->lock);
		last = --f->refs == 0;
		if (last)
			flight_unlink(c, f);
		pthread_mutex_unlock(&c->lock);
		if (last)
			flight_free(c, f);
	}
	free(q);
}

static const struct dns_ops cache_ops = { cache_start, cache_wait, cache_release };

struct dns_resolver dns_cache_resolver(struct dns_cache *c)
{
	struct dns_resolver r = { &cache_ops, c };
	return r;
}

void dns_cache_stats(struct dns_cache *c, struct dns_cache_stats *out)
{
	pthread_mutex_lock(&c->lock);
	*out = c->st;
	out->entries = c->count;
	pthread_mutex_unlock(&c->lock);
}

void dns_cache_flush(struct dns_cache *c)
{
	pthread_mutex_lock(&c->lock);
	while (c->lru_head)
		entry_remove(c, c->lru_head);
	pthread_mutex_unlock(&c->lock);
}

void dns_cache_free(struct dns_cache *c)
{
	if (c == NULL)
		return;
	dns_cache_flush(c);
	pthread_mutex_destroy(&c->lock);
	free(c->buckets);
	free(c->fbuckets);
	free(c);
}
