/* dkim_keycache - shared cache of parsed DKIM public keys (see dkim_keycache.h). */
#include "dkim_keycache.h"
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct slot {
	char *text;             /* NULL: empty */
	size_t len;
	uint64_t hash;
	unsigned min_rsa_bits;  /* the limit it was parsed under (part of the key) */
	struct dkim_key key;    /* owns one reference to key.pkey */
};

struct dkim_keycache {
	pthread_mutex_t mu;
	struct slot *slots;
	size_t n;
	unsigned long hits, misses;
};

/* fnv1a - 64-bit FNV-1a of the record text. */
static uint64_t fnv1a(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

struct dkim_keycache *dkim_keycache_new(size_t slots)
{
	struct dkim_keycache *kc = calloc(1, sizeof *kc);
	if (kc == NULL)
		return NULL;
	kc->n = slots ? slots : 64;
	kc->slots = calloc(kc->n, sizeof *kc->slots);
	if (kc->slots == NULL || pthread_mutex_init(&kc->mu, NULL) != 0) {
		free(kc->slots);
		free(kc);
		return NULL;
	}
	return kc;
}

static void slot_clear(struct slot *s)
{
	free(s->text);
	dkim_key_clear(&s->key);
	memset(s, 0, sizeof *s);
}

int dkim_keycache_parse(struct dkim_keycache *kc, const char *txt, size_t len, unsigned min_rsa_bits,
			struct dkim_key *out, char *reason, size_t rlen)
{
	uint64_t h;
	struct slot *s;
	char *copy;

	if (kc == NULL || len > DKIM_KEYCACHE_MAX_TEXT)
		return dkim_key_parse(txt, len, min_rsa_bits, out, reason, rlen);
	h = fnv1a(txt, len);
	s = &kc->slots[h % kc->n];
	pthread_mutex_lock(&kc->mu);
	if (s->text != NULL && s->hash == h && s->len == len && s->min_rsa_bits == min_rsa_bits &&
	    memcmp(s->text, txt, len) == 0 && EVP_PKEY_up_ref(s->key.pkey) == 1) {
		*out = s->key;
		kc->hits++;
		pthread_mutex_unlock(&kc->mu);
		if (rlen)
			reason[0] = '\0';
		return 0;
	}
	kc->misses++;
	pthread_mutex_unlock(&kc->mu);

	if (dkim_key_parse(txt, len, min_rsa_bits, out, reason, rlen) < 0)
		return -1;
	copy = malloc(len ? len : 1);
	if (copy == NULL || EVP_PKEY_up_ref(out->pkey) != 1) {
		free(copy);
		return 0;       /* not kept; the caller's key is fine */
	}
	memcpy(copy, txt, len);
	pthread_mutex_lock(&kc->mu);
	slot_clear(s);
	s->text = copy;
	s->len = len;
	s->hash = h;
	s->min_rsa_bits = min_rsa_bits;
	s->key = *out;
	pthread_mutex_unlock(&kc->mu);
	return 0;
}

void dkim_keycache_stats(struct dkim_keycache *kc, unsigned long *hits, unsigned long *misses)
{
	*hits = *misses = 0;
	if (kc == NULL)
		return;
	pthread_mutex_lock(&kc->mu);
	*hits = kc->hits;
	*misses = kc->misses;
	pthread_mutex_unlock(&kc->mu);
}

void dkim_keycache_free(struct dkim_keycache *kc)
{
	if (kc == NULL)
		return;
	for (size_t i = 0; i < kc->n; i++)
		slot_clear(&kc->slots[i]);
	free(kc->slots);
	pthread_mutex_destroy(&kc->mu);
	free(kc);
}
