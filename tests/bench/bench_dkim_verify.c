/* bench_dkim_verify - DKIM verifications per second with keys answered from the in-memory
 * zone (a warm DNS cache): 3 KiB and 100 KiB messages, RSA-2048 and Ed25519, relaxed/relaxed.
 * The message is signed here with a fresh key (header hash built from dkim_canon, body hash
 * from dkim_bodyhash); every timed verification must come out as pass. */
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base64.h"
#include "buf.h"
#include "clock.h"
#include "dkim_canon.h"
#include "dkim_keycache.h"
#include "dkim_verify.h"
#include "dns_zone.h"
#include "hdr.h"

static const char *hdrs[][2] = {
	{ "From", " Alice <alice@example.org>" },
	{ "To", " Bob <bob@example.net>" },
	{ "Subject", " Benchmark message" },
	{ "Date", " Tue, 01 Dec 2026 12:00:00 +0000" },
	{ "Message-ID", " <bench@example.org>" },
};
#define NH (sizeof hdrs / sizeof hdrs[0])

static void die(const char *m)
{
	fprintf(stderr, "bench_dkim_verify: %s\n", m);
	exit(1);
}

static char *b64(const unsigned char *d, size_t n)
{
	char *s = malloc(base64_encoded_len(n) + 1);
	if (s == NULL)
		die("ENOMEM");
	base64_encode(d, n, s);
	return s;
}

/* make_sig - the DKIM-Signature value for body with key k. */
static char *make_sig(EVP_PKEY *k, bool ed, const char *sel, const char *body, size_t blen)
{
	struct dkim_bodyhash *bh = dkim_bodyhash_new(DKIM_CANON_RELAXED, DKIM_HASH_SHA256, DKIM_NO_LIMIT);
	unsigned char dg[64], sig[1024], hd[32];
	size_t dl, sl = sizeof sig;
	unsigned int hl;
	struct buf in, v;
	char *bhs, *sigs;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	dkim_bodyhash_update(bh, body, blen);
	if (dkim_bodyhash_final(bh, dg, &dl) < 0)
		die("body hash");
	dkim_bodyhash_free(bh);
	bhs = b64(dg, dl);
	buf_init(&v);
	buf_printf(&v, " v=1; a=%s; c=relaxed/relaxed; d=example.org; s=%s;\r\n"
		   "\th=from:to:subject:date:message-id; bh=%s;\r\n\tb=",
		   ed ? "ed25519-sha256" : "rsa-sha256", sel, bhs);
	buf_init(&in);
	for (size_t i = 0; i < NH; i++)
		dkim_canon_header(DKIM_CANON_RELAXED, hdrs[i][0], hdrs[i][1], strlen(hdrs[i][1]), true, &in);
	dkim_canon_header(DKIM_CANON_RELAXED, "DKIM-Signature", v.data, v.len, false, &in);
	if (ed) {
		EVP_Digest(in.data, in.len, hd, &hl, EVP_sha256(), NULL);
		if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, k) != 1 ||
		    EVP_DigestSign(ctx, sig, &sl, hd, hl) != 1)
			die("ed25519 sign");
	} else if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k) != 1 ||
		   EVP_DigestSign(ctx, sig, &sl, (unsigned char *)in.data, in.len) != 1) {
		die("rsa sign");
	}
	sigs = b64(sig, sl);
	buf_puts(&v, sigs);
	free(sigs);
	free(bhs);
	buf_clear(&in);
	EVP_MD_CTX_free(ctx);
	return buf_steal(&v);
}

static void publish(struct dns_zone *z, EVP_PKEY *k, bool ed, const char *sel)
{
	unsigned char der[2048], *p = der;
	size_t n = sizeof der;
	char name[128], rec[4096], *s;
	if (ed) {
		if (EVP_PKEY_get_raw_public_key(k, der, &n) != 1)
			die("raw key");
	} else {
		int len = i2d_PUBKEY(k, &p);
		if (len <= 0)
			die("spki");
		n = (size_t)len;
	}
	s = b64(der, n);
	snprintf(name, sizeof name, "%s._domainkey.example.org", sel);
	snprintf(rec, sizeof rec, "v=DKIM1; k=%s; p=%s", ed ? "ed25519" : "rsa", s);
	free(s);
	if (dns_zone_add(z, name, DNS_T_TXT, rec) < 0)
		die("zone");
}

static void run(const char *label, EVP_PKEY *k, bool ed, const char *sel, size_t size, struct dns_zone *z,
		struct dkim_keycache *kc)
{
	struct dkim_verify_limits lim;
	struct dns_resolver r = dns_zone_resolver(z);
	char *body = malloc(size + 1), *sig;
	struct msg_results *mr = calloc(1, sizeof *mr);
	uint64_t t0, t1;
	unsigned long n = 0;
	if (body == NULL || mr == NULL)
		die("ENOMEM");
	/* text lines of 76 characters */
	for (size_t i = 0; i < size; i++)
		body[i] = (i % 78 == 76) ? '\r' : (i % 78 == 77) ? '\n' : (char)('a' + (i * 7) % 26);
	body[size] = '\0';
	sig = make_sig(k, ed, sel, body, size);
	dkim_verify_limits_default(&lim);
	lim.key_cache = kc;
	t0 = am_now_ms();
	do {
		struct dkim_verify *v = dkim_verify_new(&lim, &r);
		dkim_verify_header(v, "DKIM-Signature", sig);
		for (size_t i = 0; i < NH; i++)
			dkim_verify_header(v, hdrs[i][0], hdrs[i][1]);
		dkim_verify_eoh(v);
		for (size_t off = 0; off < size; off += 65536)
			dkim_verify_body(v, body + off, size - off < 65536 ? size - off : 65536);
		dkim_verify_finish(v, am_now_ms() + 1000, mr);
		dkim_verify_free(v);
		if (mr->dkim_count != 1 || mr->dkim[0].result != DKIM_PASS)
			die(mr->dkim[0].reason);
		n++;
		t1 = am_now_ms();
	} while (t1 - t0 < 1500);
	printf("dkim verify %-8s %4zu KiB: %8.0f verifications/s  (%.1f MB/s)  %s\n", label, size / 1024,
	       n * 1000.0 / (double)(t1 - t0), (double)n * (double)size / 1e3 / (double)(t1 - t0),
	       kc ? "shared key cache (as the daemon)" : "key parsed per message");
	free(sig);
	free(body);
	free(mr);
}

int main(void)
{
	struct dns_zone *z = dns_zone_new();
	EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (z == NULL || rsa == NULL || ed == NULL)
		die("setup");
	publish(z, rsa, false, "rsa");
	publish(z, ed, true, "ed");
	struct dkim_keycache *kc = dkim_keycache_new(0);
	if (kc == NULL)
		die("ENOMEM");
	for (int cached = 0; cached < 2; cached++) {
		struct dkim_keycache *c = cached ? kc : NULL;
		run("rsa-2048", rsa, false, "rsa", 3 * 1024, z, c);
		run("rsa-2048", rsa, false, "rsa", 100 * 1024, z, c);
		run("ed25519", ed, true, "ed", 3 * 1024, z, c);
		run("ed25519", ed, true, "ed", 100 * 1024, z, c);
	}
	dkim_keycache_free(kc);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ed);
	dns_zone_free(z);
	return 0;
}
