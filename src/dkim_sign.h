/* dkim_sign - one message's DKIM signatures (RFC 6376 §5, RFC 8463): choose and over-sign
 * the header fields, canonicalise them once at end of headers, stream the body through one
 * body hasher per distinct body canonicalisation, and at the end produce one folded
 * DKIM-Signature value per key (rsa-sha256 and/or ed25519-sha256; never l=, never sha1).
 * Pure: no I/O, no logging, no globals; the only outside objects are the OpenSSL keys the
 * caller passes (borrowed: they must outlive the context).
 * OWNS: the canonical header text of each signature (bounded by the header size) and the
 * body hashers; memory does not grow with the body.
 * THREADS: a context belongs to one message (one thread at a time). */
#ifndef AM_DKIM_SIGN_H
#define AM_DKIM_SIGN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <openssl/evp.h>
#include "buf.h"
#include "dkim_canon.h"
#include "dkim_keys.h"
#include "hdr.h"

#define DKIM_SIGN_MAX_SIGS 8            /* signatures per message */
#define DKIM_SIGN_MAX_HEADERS 64        /* names in a header / over-sign list */
#define DKIM_SIGN_FOLD_COLUMN 78        /* fold the DKIM-Signature field before this */

/* the default list of header names to sign (when present), NULL-terminated */
extern const char *const dkim_sign_default_headers[];
/* the default list of names over-signed (listed once more than they occur) */
extern const char *const dkim_sign_default_oversign[];

/* One signature to make. */
struct dkim_sign_key {
	enum dkim_alg alg;
	enum dkim_canon hcanon, bcanon;
	const char *domain;              /* d= (lower-case ASCII / A-labels) */
	const char *selector;            /* s= */
	EVP_PKEY *pkey;                  /* RSA for rsa-sha256, Ed25519 for ed25519-sha256 */
};

/* Options shared by the signatures of a message. */
struct dkim_sign_opts {
	const char *const *headers;      /* names to sign when present; NULL = default list */
	size_t n_headers;
	const char *const *oversign;     /* names to over-sign; NULL = default list */
	size_t n_oversign;
	bool no_oversign;                /* true: over-sign nothing (oversign list ignored) */
	unsigned long expire;            /* x= t + expire; 0 = no x= */
	bool fold_lf;                    /* produced values fold with LF+TAB (milter) instead of
	                                  * CRLF+TAB (the hash always uses CRLF) */
};

struct dkim_sign_ctx;

/* dkim_sign_h_list - the h= names for this header list (pure; also for tests): each
 * configured name once per instance present, plus once more when over-signed (absent
 * over-signed names appear once). Names are lower-case, ':' separated, into out. From is
 * always signed and over-signed unless no_oversign. 0, or -1 (ENOMEM, or a configured
 * name that is not a valid field name). */
int dkim_sign_h_list(const struct hdr_list *hdrs, const struct dkim_sign_opts *o, struct buf *out);

/* dkim_sign_header_name_valid - a usable field name for h= (printable ASCII, no ':'). */
bool dkim_sign_header_name_valid(const char *name);

/* dkim_sign_canon_headers - append the canonical header data selected by the ':'
 * separated h= list (instances consumed from the bottom up, RFC 6376 §5.4.2; names with no
 * instance left contribute nothing), each with CRLF. 0, or -1 (ENOMEM). */
int dkim_sign_canon_headers(const struct hdr_list *hdrs, enum dkim_canon c, const char *hlist,
			    struct buf *out);

/* dkim_sign_new - start signing a message at end of headers. hdrs is read now and not
 * kept. Fails (NULL, reason in err) when there is no From field, a key does not match its
 * algorithm, a domain or selector is not a valid DNS label sequence, or on ENOMEM. */
struct dkim_sign_ctx *dkim_sign_new(const struct hdr_list *hdrs, const struct dkim_sign_key *keys,
				    size_t n_keys, const struct dkim_sign_opts *o,
				    char *err, size_t errlen);
/* dkim_sign_body - a chunk of the body, as the MTA sends it (CRLF; bare LF tolerated). */
void dkim_sign_body(struct dkim_sign_ctx *ctx, const char *chunk, size_t len);
/* dkim_sign_finish - finish the body hashes and sign. now is t=. Returns the number of
 * signatures produced (all of them, or -1 with the reason in err: no partial results).
 * Call once. The values are read with dkim_sign_value. */
int dkim_sign_finish(struct dkim_sign_ctx *ctx, time_t now, char *err, size_t errlen);
/* dkim_sign_value - the i-th DKIM-Signature field value (after "DKIM-Signature: "; the
 * signature assumes exactly one SP after the colon), folded, no final line end. */
const char *dkim_sign_value(const struct dkim_sign_ctx *ctx, size_t i);
size_t dkim_sign_count(const struct dkim_sign_ctx *ctx);
void dkim_sign_free(struct dkim_sign_ctx *ctx);

/* dkim_sign_compute_b - the low-level step: sign canonical header data followed by the
 * DKIM-Signature field (name, value with an empty b=, canonicalised with hcanon, no final
 * CRLF). RSA: RSASSA-PKCS1-v1_5 with SHA-256; Ed25519: PureEdDSA over the SHA-256 digest
 * of that data (RFC 8463 §3). Writes the base64 signature (NUL-terminated) into b64
 * (capacity b64cap). 0, or -1. Exposed for tests that reproduce published signatures. */
int dkim_sign_compute_b(enum dkim_alg alg, EVP_PKEY *pkey, enum dkim_canon hcanon,
			const char *canon_headers, size_t chlen, const char *sig_value,
			size_t sig_len, char *b64, size_t b64cap);
#endif
