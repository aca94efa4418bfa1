/* dkim_keycache - parsed DKIM public keys, keyed by the exact text of the key record,
 * shared by the verifiers of every message (warm DNS answers the same TXT text again and
 * again; turning p= into an EVP_PKEY costs more than verifying the RSA signature).
 * Small and direct-mapped: a record's hash picks its slot, a newcomer replaces the
 * occupant. Only records that parse are kept (a failure is parsed again next time, the
 * same cost as without the cache). The key handed out carries its own reference to the
 * EVP_PKEY (dkim_key_clear as usual). Thread-safe (one mutex, held for a lookup or an
 * insert, never while parsing). Pure: no I/O, no logging.
 * OWNS: the copies of the record texts and one EVP_PKEY reference per slot. */
#ifndef AM_DKIM_KEYCACHE_H
#define AM_DKIM_KEYCACHE_H
#include <stddef.h>
#include "dkim_key.h"

#define DKIM_KEYCACHE_MAX_TEXT 4096   /* longer records are parsed but not kept */

struct dkim_keycache;

/* dkim_keycache_new - a cache of `slots` keys (0: 64). NULL on ENOMEM. */
struct dkim_keycache *dkim_keycache_new(size_t slots);

/* dkim_keycache_parse - dkim_key_parse through the cache (kc NULL: no cache). Same
 * results and reasons as dkim_key_parse. */
int dkim_keycache_parse(struct dkim_keycache *kc, const char *txt, size_t len, unsigned min_rsa_bits,
			struct dkim_key *out, char *reason, size_t rlen);

/* dkim_keycache_stats - lookups answered from the cache and lookups that parsed. */
void dkim_keycache_stats(struct dkim_keycache *kc, unsigned long *hits, unsigned long *misses);

void dkim_keycache_free(struct dkim_keycache *kc);
#endif
