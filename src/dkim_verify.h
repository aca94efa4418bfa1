/* dkim_verify - per-message DKIM verification (RFC 6376 §6, RFC 8301, RFC 8463), fed
 * the way a milter sees a message: header fields one by one, end of header, body chunks,
 * end of message.
 *
 *   v = dkim_verify_new(&limits, &resolver);
 *   for each header field: dkim_verify_header(v, name, raw_value);
 *   dkim_verify_eoh(v);
 *   for each body chunk:   dkim_verify_body(v, chunk, len);
 *   dkim_verify_finish(v, deadline_ms, &msg_results);   fills dkim[], dkim_count,
 *   dkim_verify_free(v);                                     dkim_unchecked
 *
 * - The value given to dkim_verify_header is the raw text after the colon, leading
 *   whitespace and folding included (hdr.h model; a milter negotiates SMFIP_HDR_LEADSPC).
 *   Line breaks may be LF or CRLF (normalised to CRLF).
 * - A DKIM-Signature is parsed when it arrives and its key lookup
 *   (<s>._domainkey.<d> TXT) starts at once, so DNS overlaps the body transfer. Signatures
 *   naming the same d=/s= share one lookup. Only the first max_signatures signatures (top
 *   down) are examined; the others are counted in dkim_unchecked.
 * - dkim_verify_eoh creates one streaming body hasher per distinct (body canonicalization,
 *   hash, l=) combination, shared by the signatures that agree; memory stays constant in
 *   the body size (the header fields are kept: they are needed for the header hash).
 * - dkim_verify_finish waits for outstanding key lookups until deadline_ms (am_now_ms()
 *   scale; a lookup still pending then is a temperror) and judges each signature.
 *
 * Results (RFC 8601 §2.7.1 words; reasons are fixed short texts, listed in
 * docs/dkim-verification.md): pass; fail (body hash mismatch, signature mismatch,
 * rsa-sha1, expired, future timestamp, body shorter than l=, l= in strict mode);
 * permerror (signature syntax/tags, key record unusable, revoked, key too small, no key);
 * temperror (DNS failure or timeout). A key with t=y sets outcome.testing and changes
 * nothing else. l= shorter than the body: outcome.partial_body, and with l_strict a fail.
 * THREADS: one verifier per message, used by one thread at a time. */
#ifndef AM_DKIM_VERIFY_H
#define AM_DKIM_VERIFY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "dns.h"
#include "results.h"

#define DKIM_VERIFY_DEFAULT_MAX_SIGS 8
#define DKIM_VERIFY_DEFAULT_SKEW 300
#define DKIM_VERIFY_DEFAULT_MIN_RSA 1024

struct dkim_keycache;

struct dkim_verify_limits {
	size_t max_signatures;   /* 1..AM_DKIM_SIGS_MAX (0 = default 8) */
	bool l_strict;           /* l= shorter than the body is a fail (default false) */
	unsigned clock_skew;     /* seconds a t= may lie in the future (default 300) */
	unsigned min_rsa_bits;   /* smallest RSA key accepted (0 = 1024; never below 1024) */
	time_t now;              /* wall clock for t=/x= (0 = am_wall_time()) */
	struct dkim_keycache *key_cache; /* parsed keys shared between messages (NULL: none) */
};

struct dkim_verify;

/* dkim_verify_limits_default - fill the defaults listed above. */
void dkim_verify_limits_default(struct dkim_verify_limits *l);

/* dkim_verify_new - a verifier for one message. limits NULL = defaults. The resolver is
 * copied; what it points to must outlive the verifier. NULL on ENOMEM. */
struct dkim_verify *dkim_verify_new(const struct dkim_verify_limits *limits,
				    const struct dns_resolver *resolver);

/* dkim_verify_header - one header field, in message order (top down). Fields after
 * dkim_verify_eoh are ignored. 0, or -1 on ENOMEM (the signatures then end as temperror). */
int dkim_verify_header(struct dkim_verify *v, const char *name, const char *value);

/* dkim_verify_eoh - end of the header: set up the shared body hashers. 0 or -1 (ENOMEM). */
int dkim_verify_eoh(struct dkim_verify *v);

/* dkim_verify_body - a body chunk (CRLF line ends as the MTA sends them). Calls eoh if it
 * was not called. 0 or -1. */
int dkim_verify_body(struct dkim_verify *v, const char *chunk, size_t len);

/* dkim_verify_finish - judge every signature and write out->dkim[], out->dkim_count and
 * out->dkim_unchecked (nothing else in out is touched). Call once. 0, or -1 when called
 * twice. */
int dkim_verify_finish(struct dkim_verify *v, uint64_t deadline_ms, struct msg_results *out);

/* dkim_verify_signatures - DKIM-Signature fields seen so far (examined + unchecked);
 * 0 means the message is unsigned (dkim=none) and the body need not be fed. */
size_t dkim_verify_signatures(const struct dkim_verify *v);

void dkim_verify_free(struct dkim_verify *v);
#endif
