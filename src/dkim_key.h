/* dkim_key - DKIM public key records (RFC 6376 §3.6.1, RFC 8463 §4) for verification:
 * parse the TXT record, turn p= into an OpenSSL EVP_PKEY, and map a DNS answer for
 * <selector>._domainkey.<domain> to a key or an error result.
 * Pure: no I/O (the DNS answer is handed in), no logging.
 * OWNS: struct dkim_key owns its EVP_PKEY (dkim_key_clear frees it).
 *
 * Record rules:
 *  - v= must be the first tag when present, and exactly "DKIM1";
 *  - k= rsa (default) | ed25519; anything else: permerror;
 *  - h= colon list of acceptable hashes (sha1, sha256; others ignored), default all;
 *  - s= colon list of service types: must contain "email" or "*" (default "*");
 *  - t= colon list of flags: y (testing), s (i= domain must equal d=); others ignored;
 *  - p= base64 with FWS; empty = revoked (permerror "key revoked"); missing = permerror.
 *    RSA: SubjectPublicKeyInfo DER, or a bare PKCS#1 RSAPublicKey (published by some
 *    signers); fewer bits than the minimum (RFC 8301: 1024) is a permerror, as is more
 *    than 8192. Ed25519: exactly 32 raw bytes (RFC 8463), an SPKI wrapper is refused;
 *  - unknown tags are ignored.
 * DNS answer rules: SERVFAIL/TIMEOUT/MALFORMED -> temperror; NXDOMAIN/NODATA -> permerror
 * "no key"; more than one TXT record at the name -> permerror (RFC 6376 §3.6.2.2 leaves
 * the result undefined; refusing is the deterministic choice, documented in
 * docs/dkim-verification.md). */
#ifndef AM_DKIM_KEY_H
#define AM_DKIM_KEY_H
#include <stdbool.h>
#include <stddef.h>
#include <openssl/evp.h>
#include "dns.h"
#include "results.h"

enum dkim_key_type { DKIM_KEY_RSA = 0, DKIM_KEY_ED25519 = 1 };

#define DKIM_KEY_MAX_RSA_BITS 8192

struct dkim_key {
	enum dkim_key_type type;
	EVP_PKEY *pkey;          /* NULL unless parsed successfully */
	unsigned bits;           /* RSA modulus size; 256 for Ed25519 */
	bool sha1_ok, sha256_ok; /* from h= */
	bool testing;            /* t=y */
	bool strict;             /* t=s */
};

/* dkim_key_parse - parse one key record. 0 on success (out->pkey set); -1 with a reason
 * for a record that cannot be used (a permerror). min_rsa_bits: 0 means 1024. */
int dkim_key_parse(const char *txt, size_t len, unsigned min_rsa_bits, struct dkim_key *out,
		   char *reason, size_t rlen);

/* dkim_key_from_answer - a key from the DNS answer for the key name: DKIM_PASS with out
 * filled, DKIM_TEMPERROR or DKIM_PERMERROR with a reason. */
enum dkim_result dkim_key_from_answer(const struct dns_answer *a, unsigned min_rsa_bits,
				      struct dkim_key *out, char *reason, size_t rlen);

struct dkim_keycache;
/* dkim_key_from_answer_cached - the same through a shared cache of parsed keys (kc NULL:
 * none; see dkim_keycache.h). */
enum dkim_result dkim_key_from_answer_cached(const struct dns_answer *a, struct dkim_keycache *kc,
					     unsigned min_rsa_bits, struct dkim_key *out,
					     char *reason, size_t rlen);

/* dkim_key_clear - free the EVP_PKEY and zero the struct (NULL is fine). */
void dkim_key_clear(struct dkim_key *k);
#endif
