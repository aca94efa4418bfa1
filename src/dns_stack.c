/* dns_stack - zone or c-ares + cache, built from settings and shared by reference
 * (see dns_stack.h). */
#include "dns_stack.h"
#include "buf.h"
#include "dns_ares.h"
#include "dns_cache.h"
#include "dns_zone.h"
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dns_stack {
	atomic_int refs;
	char *key;                     /* the settings, as text, for dns_stack_same() */
	struct dns_zone *zone;
	struct dns_ares *ares;
	struct dns_cache *cache;
	struct dns_resolver r;
};

static char *settings_key(const struct dns_stack_settings *s)
{
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "zone=%s;t=%u;n=%u;c=%zu;ttl=%u/%u/%u;s=", s->zone_file ? s->zone_file : "",
		   s->timeout_ms, s->tries, s->cache_size, s->min_ttl, s->max_ttl, s->negative_ttl);
	for (size_t i = 0; i < s->n_servers; i++)
		buf_printf(&b, "%s,", s->servers[i]);
	return buf_steal(&b);
}

struct dns_stack *dns_stack_new(const struct dns_stack_settings *s, char *err, size_t errlen)
{
	struct dns_stack *st = calloc(1, sizeof *st);
	if (st == NULL || (st->key = settings_key(s)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	atomic_init(&st->refs, 1);
	if (s->zone_file) {
		st->zone = dns_zone_new();
		if (st->zone == NULL || dns_zone_load_file(st->zone, s->zone_file, err, errlen) < 0)
			goto fail;
		st->r = dns_zone_resolver(st->zone);
		return st;
	}
	{
		struct dns_ares_options ao = { .servers = s->servers, .n_servers = s->n_servers,
					       .timeout_ms = s->timeout_ms, .tries = s->tries };
		struct dns_resolver inner;
		st->ares = dns_ares_new(&ao, err, errlen);
		if (st->ares == NULL)
			goto fail;
		inner = dns_ares_resolver(st->ares);
		st->r = inner;
		if (s->cache_size > 0) {
			struct dns_cache_options co = { .max_entries = s->cache_size, .min_ttl = s->min_ttl,
							.max_ttl = s->max_ttl, .neg_max_ttl = s->negative_ttl };
			if (co.max_ttl == 0)
				co.max_ttl = 1;   /* 0 means "default" to the cache: keep "no caching" close */
			st->cache = dns_cache_new(&inner, &co);
			if (st->cache == NULL) {
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			st->r = dns_cache_resolver(st->cache);
		}
	}
	return st;
fail:
	if (st) {
		dns_cache_free(st->cache);
		dns_ares_free(st->ares);
		dns_zone_free(st->zone);
		free(st->key);
		free(st);
	}
	return NULL;
}

int dns_stack_same(const struct dns_stack *st, const struct dns_stack_settings *s)
{
	char *k = settings_key(s);
	int same = k && strcmp(k, st->key) == 0;
	free(k);
	return same;
}

const struct dns_resolver *dns_stack_resolver(const struct dns_stack *st)
{
	return &st->r;
}

struct dns_stack *dns_stack_ref(struct dns_stack *st)
{
	atomic_fetch_add(&st->refs, 1);
	return st;
}

void dns_stack_unref(struct dns_stack *st)
{
	if (st == NULL || atomic_fetch_sub(&st->refs, 1) != 1)
		return;
	/* the cache's inner queries belong to c-ares: free the cache first */
	dns_cache_free(st->cache);
	dns_ares_free(st->ares);
	dns_zone_free(st->zone);
	free(st->key);
	free(st);
}
