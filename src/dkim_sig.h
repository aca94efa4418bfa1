/* dkim_sig - the DKIM-Signature header field parser (RFC 6376 §3.5) for verification,
 * and the "b= emptied" copy of the field that is hashed last (§3.7).
 * Pure: no I/O, no logging, no allocation (the parsed signature is plain data).
 *
 * Rules applied (a violation is a permerror with a precise reason):
 *  - required tags v=1, a=, b=, bh=, d=, h=, s=; duplicate tags (taglist.h);
 *  - a= rsa-sha256 | ed25519-sha256; rsa-sha1 is recognised (alg DKIM_ALG_RSA_SHA1) so the
 *    verifier can report it as a failure per RFC 8301; anything else is unknown;
 *  - b=, bh= base64 with folding whitespace; c= header[/body], default simple/simple;
 *  - d= and s= must be DNS names (LDH labels; CVE-2020-12272 class), s._domainkey.d <= 253;
 *  - h= must list From; i= (default "@" d) must have a domain equal to or below d=;
 *  - l= 1*76DIGIT; q= must offer dns/txt; t=, x= 1*12DIGIT, x > t when both are present;
 *  - z= and unknown tags are ignored. */
#ifndef AM_DKIM_SIG_H
#define AM_DKIM_SIG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "dkim_canon.h"
#include "results.h"

enum dkim_alg { DKIM_ALG_RSA_SHA256 = 0, DKIM_ALG_ED25519_SHA256 = 1, DKIM_ALG_RSA_SHA1 = 2 };

#define DKIM_SIG_B_MAX 1024      /* signature bytes (RSA up to 8192 bits) */
#define DKIM_SIG_BH_MAX 64       /* body hash bytes */
#define DKIM_SIG_H_MAX 128       /* names in h= */
#define DKIM_SIG_H_STORE 2048    /* bytes of h= names (NUL-separated) */
#define DKIM_SIG_SEL_MAX AM_DOMAIN_MAX

struct dkim_sig {
	enum dkim_alg alg;
	char a_text[24];                     /* a= as written (valid algorithms only) */
	unsigned char b[DKIM_SIG_B_MAX];
	size_t b_len;
	char b_prefix[16];                   /* first 8 base64 characters of b= (RFC 6008) */
	unsigned char bh[DKIM_SIG_BH_MAX];
	size_t bh_len;
	enum dkim_canon hcanon, bcanon;
	char domain[AM_DOMAIN_MAX];          /* d=, lower-cased, no trailing dot */
	char selector[DKIM_SIG_SEL_MAX];     /* s=, lower-cased, no trailing dot */
	char identity[AM_DOMAIN_MAX + 65];   /* i= as written, or "@" d */
	char h_store[DKIM_SIG_H_STORE];      /* h= names, each NUL-terminated */
	uint16_t h_off[DKIM_SIG_H_MAX];      /* offset of each name in h_store */
	size_t h_count;
	bool has_l, has_t, has_x;
	uint64_t l;
	int64_t t, x;
};

/* dkim_sig_hash - the hash an algorithm uses. */
enum dkim_hash dkim_sig_hash(enum dkim_alg alg);
/* dkim_sig_alg_name - "rsa-sha256", "ed25519-sha256", "rsa-sha1". */
const char *dkim_sig_alg_name(enum dkim_alg alg);
/* dkim_sig_h_name - the i-th name in h= (as written). */
static inline const char *dkim_sig_h_name(const struct dkim_sig *s, size_t i)
{
	return s->h_store + s->h_off[i];
}

/* dkim_sig_parse - parse a DKIM-Signature value (the raw text after the colon, folding
 * included). 0 on success; -1 with a reason (a permerror). Fields are filled as they are
 * validated, so on failure d=, s=, a=, i= and b_prefix hold what was valid ("" otherwise):
 * only validated text ever reaches a results header. */
int dkim_sig_parse(const char *value, size_t len, struct dkim_sig *out, char *reason, size_t rlen);

/* dkim_sig_strip_b - append value to out with the value of the b= tag (everything between
 * its '=' and the next ';' or the end, surrounding whitespace included) removed, every other
 * byte unchanged (RFC 6376 §3.7). 0, or -1 on ENOMEM. A value without b= is copied whole. */
int dkim_sig_strip_b(const char *value, size_t len, struct buf *out);
#endif
