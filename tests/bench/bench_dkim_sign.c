/* bench_dkim_sign - DKIM signing cost per message: signatures per second and CPU ms per
 * message for 3 KiB and 100 KiB messages with RSA-2048 and Ed25519 (relaxed/relaxed,
 * default header list, the body streamed in 64 KiB chunks as the milter gets it), next to
 * the raw cost of one private-key operation measured in the same process (what
 * `openssl speed rsa2048 ed25519` reports as sign/s). The ratio says how much the DKIM
 * work (canonicalisation, hashing, formatting) adds on top of the unavoidable signature.
 * usage: bench_dkim_sign [seconds-per-case]   (default 1) */
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "buf.h"
#include "dkim_sign.h"
#include "hdr.h"

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* make_message - a plausible message of about size bytes, CRLF */
static void make_message(struct buf *m, size_t size)
{
	static const char hdrs[] =
		"Received: from client.example.net (client.example.net [192.0.2.10])\r\n"
		"\tby mx.example.com (Postfix) with ESMTPSA id 4Abc123\r\n"
		"\tfor <suzie@example.net>; Tue, 01 Dec 2026 10:00:00 +0000 (UTC)\r\n"
		"From: Joe Sender <joe@example.com>\r\n"
		"To: Suzie Q <suzie@example.net>, Other Person <other@example.org>\r\n"
		"Cc: list@example.org\r\n"
		"Subject: Quarterly figures and the plan for next year, please review\r\n"
		"Date: Tue, 01 Dec 2026 10:00:00 +0000\r\n"
		"Message-ID: <20261201100000.12345@example.com>\r\n"
		"MIME-Version: 1.0\r\n"
		"Content-Type: text/plain; charset=utf-8\r\n"
		"Content-Transfer-Encoding: 8bit\r\n"
		"\r\n";
	static const char line[] = "Lorem ipsum dolor sit amet,  consectetur adipiscing elit, sed do eiusmod \r\n";
	buf_reset(m);
	buf_append(m, hdrs, sizeof hdrs - 1);
	while (m->len < size)
		buf_append(m, line, sizeof line - 1);
}

struct key {
	const char *name;
	enum dkim_alg alg;
	EVP_PKEY *pk;
};

/* raw_sign_cost - seconds of CPU for one private-key signature of a SHA-256 digest */
static double raw_sign_cost(const struct key *k, double secs)
{
	unsigned char dg[32], sig[512];
	size_t n = 0;
	double t0 = cpu_now(), t;
	memset(dg, 0x5a, sizeof dg);
	do {
		for (int i = 0; i < 20; i++) {
			size_t sl = sizeof sig;
			if (k->alg == DKIM_ALG_RSA_SHA256) {
				EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k->pk, NULL);
				if (!c || EVP_PKEY_sign_init(c) != 1 ||
				    EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) != 1 ||
				    EVP_PKEY_CTX_set_signature_md(c, EVP_sha256()) != 1 ||
				    EVP_PKEY_sign(c, sig, &sl, dg, sizeof dg) != 1) {
					fprintf(stderr, "raw RSA sign failed\n");
					exit(1);
				}
				EVP_PKEY_CTX_free(c);
			} else {
				EVP_MD_CTX *md = EVP_MD_CTX_new();
				if (!md || EVP_DigestSignInit(md, NULL, NULL, NULL, k->pk) != 1 ||
				    EVP_DigestSign(md, sig, &sl, dg, sizeof dg) != 1) {
					fprintf(stderr, "raw Ed25519 sign failed\n");
					exit(1);
				}
				EVP_MD_CTX_free(md);
			}
			n++;
		}
		t = cpu_now() - t0;
	} while (t < secs);
	return t / (double)n;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	struct key keys[2] = {
		{ "RSA-2048", DKIM_ALG_RSA_SHA256, EVP_RSA_gen(2048) },
		{ "Ed25519", DKIM_ALG_ED25519_SHA256, EVP_PKEY_Q_keygen(NULL, NULL, "ED25519") },
	};
	size_t sizes[2] = { 3 * 1024, 100 * 1024 };
	struct buf m;
	if (secs <= 0)
		secs = 1.0;
	if (!keys[0].pk || !keys[1].pk) {
		fprintf(stderr, "key generation failed\n");
		return 1;
	}
	buf_init(&m);
	printf("DKIM signing (relaxed/relaxed, default headers, body in 64 KiB chunks)\n");
	printf("%-9s %8s %12s %12s %12s %14s %8s\n", "key", "message", "sig/s", "CPU ms/msg",
	       "raw sign/s", "raw CPU ms", "ratio");
	for (int k = 0; k < 2; k++) {
		double raw = raw_sign_cost(&keys[k], secs / 2);
		for (int s = 0; s < 2; s++) {
			struct hdr_list hl;
			size_t body, n = 0;
			double c0, w0, c, w;
			char err[256];
			struct dkim_sign_key sk = { keys[k].alg, DKIM_CANON_RELAXED, DKIM_CANON_RELAXED,
						    "example.com", "bench", keys[k].pk };
			make_message(&m, sizes[s]);
			hdr_list_init(&hl);
			if (hdr_split_message(m.data, m.len, &hl, &body) != 0)
				return 1;
			c0 = cpu_now();
			w0 = wall_now();
			do {
				for (int i = 0; i < 10; i++) {
					struct dkim_sign_ctx *ctx = dkim_sign_new(&hl, &sk, 1, NULL, err, sizeof err);
					if (ctx == NULL) {
						fprintf(stderr, "%s\n", err);
						return 1;
					}
					for (size_t off = body; off < m.len; off += 65536)
						dkim_sign_body(ctx, m.data + off, m.len - off < 65536 ? m.len - off : 65536);
					if (dkim_sign_finish(ctx, 1800000000, err, sizeof err) != 1) {
						fprintf(stderr, "%s\n", err);
						return 1;
					}
					dkim_sign_free(ctx);
					n++;
				}
				c = cpu_now() - c0;
				w = wall_now() - w0;
			} while (c < secs);
			printf("%-9s %6zuKiB %12.0f %12.3f %12.0f %14.3f %7.2fx\n", keys[k].name, sizes[s] / 1024,
			       (double)n / w, c * 1000 / (double)n, 1 / raw, raw * 1000, (c / (double)n) / raw);
			hdr_list_clear(&hl);
		}
	}
	printf("ratio = our CPU per signed message / one raw private-key signature (1.00 = no overhead)\n");
	buf_clear(&m);
	EVP_PKEY_free(keys[0].pk);
	EVP_PKEY_free(keys[1].pk);
	return 0;
}
