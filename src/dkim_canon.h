/* dkim_canon - DKIM canonicalisation, RFC 6376 §3.4: header fields (simple, relaxed) and a
 * streaming body canonicaliser, plus the body hasher built on it. Shared by signing and
 * verification. Pure: no I/O, no logging.
 *
 * Body input is the message body as the MTA sends it (CRLF lines). A bare LF is taken as
 * a line end too, so text with LF endings canonicalises as its CRLF form would.
 * Memory does not grow with the body: only counters and a few flags are kept. */
#ifndef AM_DKIM_CANON_H
#define AM_DKIM_CANON_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"

enum dkim_canon { DKIM_CANON_SIMPLE = 0, DKIM_CANON_RELAXED = 1 };
enum dkim_hash { DKIM_HASH_SHA256 = 0, DKIM_HASH_SHA1 = 1 };

#define DKIM_NO_LIMIT UINT64_MAX

/* dkim_canon_parse - "simple", "relaxed"; false for anything else. */
bool dkim_canon_parse(const char *s, size_t len, enum dkim_canon *out);
const char *dkim_canon_name(enum dkim_canon c);

/* dkim_canon_header - append the canonical form of one header field ("name:value" where
 * value is the raw text after the colon) to out; with crlf, end it with CRLF (the
 * DKIM-Signature field itself is hashed without). 0, or -1 on ENOMEM. */
int dkim_canon_header(enum dkim_canon c, const char *name, const char *value, size_t vlen,
		      bool crlf, struct buf *out);

typedef void (*dkim_emit_fn)(void *arg, const char *data, size_t len);

struct dkim_body_canon {
	enum dkim_canon canon;
	uint64_t pending_crlf;     /* line ends held back: they may be trailing empty lines */
	bool cr_pending;           /* a CR was the last input byte */
	bool wsp_pending;          /* relaxed: WSP seen since the last content byte */
	bool line_open;            /* content emitted since the last flushed line end */
	bool any;                  /* anything emitted at all */
};

void dkim_body_canon_init(struct dkim_body_canon *st, enum dkim_canon c);
void dkim_body_canon_update(struct dkim_body_canon *st, const char *data, size_t len,
			    dkim_emit_fn emit, void *arg);
void dkim_body_canon_final(struct dkim_body_canon *st, dkim_emit_fn emit, void *arg);

/* dkim_bodyhash - canonicalise and hash a body in one pass, honouring l= (limit). */
struct dkim_bodyhash;

struct dkim_bodyhash *dkim_bodyhash_new(enum dkim_canon c, enum dkim_hash h, uint64_t limit);
void dkim_bodyhash_update(struct dkim_bodyhash *bh, const char *data, size_t len);
/* dkim_bodyhash_final - finish; writes the digest (32 bytes for SHA-256) and its length.
 * Returns 0, or -1 on an OpenSSL failure. Call once. */
int dkim_bodyhash_final(struct dkim_bodyhash *bh, unsigned char *digest, size_t *digest_len);
/* dkim_bodyhash_length - canonical body bytes seen in total (also beyond the limit). */
uint64_t dkim_bodyhash_length(const struct dkim_bodyhash *bh);
/* dkim_bodyhash_hashed - canonical body bytes fed to the hash (<= limit). */
uint64_t dkim_bodyhash_hashed(const struct dkim_bodyhash *bh);
/* dkim_bodyhash_matches - does this hasher serve (c, h, limit)? (to share one between
 * signatures that agree, RFC 6376 §5.4 done once) */
bool dkim_bodyhash_matches(const struct dkim_bodyhash *bh, enum dkim_canon c, enum dkim_hash h,
			   uint64_t limit);
void dkim_bodyhash_free(struct dkim_bodyhash *bh);
#endif
