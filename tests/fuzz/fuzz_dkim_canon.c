/* fuzz_dkim_canon - arbitrary bytes as a message through the DKIM canonicalisers and the
 * signer (fixed Ed25519 test key, RFC 8032 §7.1 test 1 seed; never a real key).
 * The first input byte chooses the canonicalisations and the body chunk size. Besides
 * "never crash", it checks two properties and aborts when they break:
 *  - the body hash does not depend on how the body is cut into chunks;
 *  - a produced DKIM-Signature value has only CRLF+TAB line breaks and no l=. */
#include "dkim_canon.h"
#include "dkim_keys.h"
#include "dkim_sign.h"
#include "dkim_signer.h"
#include "hdr.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dkim_pkey *test_key(void)
{
	static struct dkim_pkey *k;
	static const char seed[] = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";
	char err[128];
	if (k == NULL && dkim_pkey_parse(seed, strlen(seed), &k, NULL, err, sizeof err) != 0)
		abort();
	return k;
}

static void body_hash(enum dkim_canon c, const char *b, size_t len, size_t step, unsigned char *out)
{
	struct dkim_bodyhash *bh = dkim_bodyhash_new(c, DKIM_HASH_SHA256, DKIM_NO_LIMIT);
	size_t dl;
	if (bh == NULL)
		abort();
	for (size_t i = 0; i < len; i += step)
		dkim_bodyhash_update(bh, b + i, len - i < step ? len - i : step);
	if (dkim_bodyhash_final(bh, out, &dl) != 0 || dl != 32)
		abort();
	dkim_bodyhash_free(bh);
}

static void check_value(const char *v)
{
	for (const char *p = v; *p; p++) {
		if (*p == '\r' && (p[1] != '\n' || p[2] != '\t'))
			abort();
		if (*p == '\n' && (p == v || p[-1] != '\r'))
			abort();
	}
	if (strstr(v, "; l=") || strstr(v, "\tl="))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf crlf, hc;
	struct hdr_list hl;
	size_t body = 0, step;
	enum dkim_canon hcanon, bcanon;
	unsigned char d1[32], d2[32];
	char dom[256], err[256];
	if (size < 1 || size > 1 << 20)
		return 0;
	hcanon = (data[0] & 1) ? DKIM_CANON_RELAXED : DKIM_CANON_SIMPLE;
	bcanon = (data[0] & 2) ? DKIM_CANON_RELAXED : DKIM_CANON_SIMPLE;
	step = (size_t)(data[0] >> 2) + 1;
	data++;
	size--;

	/* the body canonicalisers on the raw bytes: chunking must not matter */
	body_hash(bcanon, (const char *)data, size, size ? size : 1, d1);
	body_hash(bcanon, (const char *)data, size, step, d2);
	if (memcmp(d1, d2, 32) != 0)
		abort();

	/* as a message: headers, header canonicalisation, signing */
	buf_init(&crlf);
	buf_init(&hc);
	hdr_list_init(&hl);
	if (hdr_to_crlf((const char *)data, size, &crlf) == 0 &&
	    hdr_split_message(crlf.data ? crlf.data : "", crlf.len, &hl, &body) == 0) {
		struct dkim_sign_key k = { DKIM_ALG_ED25519_SHA256, hcanon, bcanon, "example.com", "fuzz",
					   test_key()->pkey };
		struct dkim_sign_ctx *ctx;
		for (size_t i = 0; i < hl.count; i++) {
			dkim_canon_header(DKIM_CANON_SIMPLE, hl.f[i].name, hl.f[i].value, hl.f[i].value_len, true, &hc);
			dkim_canon_header(DKIM_CANON_RELAXED, hl.f[i].name, hl.f[i].value, hl.f[i].value_len, true, &hc);
		}
		(void)dkim_signer_from_domain(&hl, dom, sizeof dom);
		ctx = dkim_sign_new(&hl, &k, 1, NULL, err, sizeof err);
		if (ctx) {
			for (size_t i = body; i < crlf.len; i += step)
				dkim_sign_body(ctx, crlf.data + i, crlf.len - i < step ? crlf.len - i : step);
			if (dkim_sign_finish(ctx, 1700000000, err, sizeof err) != 1)
				abort();
			check_value(dkim_sign_value(ctx, 0));
			dkim_sign_free(ctx);
		}
	}
	hdr_list_clear(&hl);
	buf_clear(&crlf);
	buf_clear(&hc);
	return 0;
}
