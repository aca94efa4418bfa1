/* test_dkim_canon - RFC 6376 §3.4 canonicalisation: headers, streaming bodies, hashes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <stdlib.h>
#include <openssl/evp.h>
#include "dkim_canon.h"

static void collect(void *arg, const char *data, size_t len)
{
	buf_append(arg, data, len);
}

/* canon_body - canonicalise in chunks of size step (exercises chunk boundaries). */
static char *canon_body(enum dkim_canon c, const char *in, size_t step)
{
	struct dkim_body_canon st;
	struct buf out;
	size_t len = strlen(in);
	buf_init(&out);
	dkim_body_canon_init(&st, c);
	for (size_t i = 0; i < len; i += step)
		dkim_body_canon_update(&st, in + i, len - i < step ? len - i : step, collect, &out);
	dkim_body_canon_final(&st, collect, &out);
	return buf_steal(&out);
}

static void check_body(enum dkim_canon c, const char *in, const char *want)
{
	for (size_t step = 1; step <= strlen(in) + 1; step++) {
		char *got = canon_body(c, in, step);
		assert_string_equal(got, want);
		free(got);
	}
}

static void test_body_simple(void **state)
{
	(void)state;
	check_body(DKIM_CANON_SIMPLE, "", "\r\n");
	check_body(DKIM_CANON_SIMPLE, "\r\n\r\n\r\n", "\r\n");
	check_body(DKIM_CANON_SIMPLE, "a  b \r\n\r\n", "a  b \r\n");
	check_body(DKIM_CANON_SIMPLE, "a\r\n\r\nb\r\n\r\n", "a\r\n\r\nb\r\n");
	check_body(DKIM_CANON_SIMPLE, "no crlf", "no crlf\r\n");
	check_body(DKIM_CANON_SIMPLE, "lf\nonly\n\n", "lf\r\nonly\r\n");
	check_body(DKIM_CANON_SIMPLE, "a\rb\r\n", "a\rb\r\n");
}

static void test_body_relaxed(void **state)
{
	(void)state;
	/* RFC 6376 §3.4.6 example body */
	check_body(DKIM_CANON_RELAXED, " C \r\nD \t E\r\n\r\n\r\n", " C\r\nD E\r\n");
	check_body(DKIM_CANON_RELAXED, "", "");
	check_body(DKIM_CANON_RELAXED, "\r\n  \r\n\t\r\n", "");
	check_body(DKIM_CANON_RELAXED, "a\r\n \r\nb", "a\r\n\r\nb\r\n");
	check_body(DKIM_CANON_RELAXED, "x \t\r\n", "x\r\n");
}


/* ref_body - a plain whole-buffer reading of RFC 6376 §3.4.3/§3.4.4 to compare the
 * streaming canonicaliser with: lines end at CRLF or a bare LF (a bare CR is content);
 * relaxed turns every WSP run into one SP and drops WSP at line ends; trailing empty
 * lines go; a non-empty body ends in one CRLF; the empty body is CRLF (simple) or empty
 * (relaxed). */
static char *ref_body(enum dkim_canon c, const char *in, size_t len)
{
	struct buf out, line;
	size_t i = 0, keep = 0;   /* keep: out length up to the last non-empty line */
	buf_init(&out);
	buf_init(&line);
	while (i < len) {
		size_t st = i, en;
		bool wsp = false;
		while (i < len && in[i] != '\n' && !(in[i] == '\r' && i + 1 < len && in[i + 1] == '\n'))
			i++;
		en = i;
		i += (i < len && in[i] == '\r') ? 2 : (i < len ? 1 : 0);
		buf_reset(&line);
		for (size_t j = st; j < en; j++) {
			char ch = in[j];
			if (c == DKIM_CANON_RELAXED && (ch == ' ' || ch == '\t')) {
				wsp = true;
				continue;
			}
			if (wsp)
				buf_append(&line, " ", 1);
			wsp = false;
			buf_append(&line, &ch, 1);
		}
		buf_append(&out, line.data ? line.data : "", line.len);
		buf_append(&out, "\r\n", 2);
		if (line.len > 0)
			keep = out.len;
	}
	out.len = keep;
	if (keep == 0 && c == DKIM_CANON_SIMPLE)
		buf_append(&out, "\r\n", 2);
	buf_append(&out, "", 1);   /* cutting len left the old bytes: terminate here */
	out.len--;
	buf_clear(&line);
	return buf_steal(&out);
}

/* test_body_random - random bodies of SP, TAB, CR, LF and letters, every chunk size:
 * the streaming canonicaliser (with its single-SP fast path) equals ref_body, and the
 * body hash (pieces gathered before hashing) equals SHA-256 of the reference cut at l=. */
static void test_body_random(void **state)
{
	static const char alpha[] = "ab  \t\r\n";
	char in[64];
	unsigned seed = 12345;
	(void)state;
	for (int it = 0; it < 3000; it++) {
		size_t len;
		seed = seed * 1103515245u + 12345u;
		len = (seed >> 16) % (sizeof in - 1);
		for (size_t k = 0; k < len; k++) {
			seed = seed * 1103515245u + 12345u;
			in[k] = alpha[(seed >> 16) % (sizeof alpha - 1)];
		}
		in[len] = '\0';
		for (int cc = 0; cc < 2; cc++) {
			enum dkim_canon c = cc ? DKIM_CANON_RELAXED : DKIM_CANON_SIMPLE;
			char *want = ref_body(c, in, len);
			size_t wl = strlen(want);
			for (size_t step = 1; step <= len + 1; step++) {
				char *got = canon_body(c, in, step);
				if (strcmp(got, want) != 0)
					fail_msg("canon %d step %zu input [%s] got [%s] want [%s]", cc, step, in, got, want);
				free(got);
			}
			for (uint64_t lim = 0; lim <= wl + 1; lim += 3) {
				unsigned char d[64], e[64];
				unsigned el = 0;
				size_t dl = 0, h = lim < wl ? (size_t)lim : wl;
				struct dkim_bodyhash *bh = dkim_bodyhash_new(c, DKIM_HASH_SHA256, lim);
				assert_non_null(bh);
				for (size_t k = 0; k < len; k += 5)
					dkim_bodyhash_update(bh, in + k, len - k < 5 ? len - k : 5);
				assert_int_equal(dkim_bodyhash_final(bh, d, &dl), 0);
				assert_int_equal(EVP_Digest(want, h, e, &el, EVP_sha256(), NULL), 1);
				assert_int_equal(dl, el);
				assert_memory_equal(d, e, el);
				assert_int_equal(dkim_bodyhash_length(bh), wl);
				assert_int_equal(dkim_bodyhash_hashed(bh), h);
				dkim_bodyhash_free(bh);
			}
			free(want);
		}
	}
}

/* test_bodyhash_large - pieces larger than the hasher's gathering buffer, mixed with
 * small ones, give the digest of the whole canonical body. */
static void test_bodyhash_large(void **state)
{
	size_t n = 50000;
	char *body = malloc(n + 1), *want;
	unsigned char d[64], e[64];
	unsigned el = 0;
	size_t dl = 0, off = 0, step = 1;
	struct dkim_bodyhash *bh;
	(void)state;
	assert_non_null(body);
	for (size_t i = 0; i < n; i++)
		body[i] = (i % 80 == 78) ? '\r' : (i % 80 == 79) ? '\n' : (i % 7 == 3) ? ' ' : 'x';
	body[n] = '\0';
	want = ref_body(DKIM_CANON_RELAXED, body, n);
	bh = dkim_bodyhash_new(DKIM_CANON_RELAXED, DKIM_HASH_SHA256, DKIM_NO_LIMIT);
	while (off < n) {
		size_t k = n - off < step ? n - off : step;
		dkim_bodyhash_update(bh, body + off, k);
		off += k;
		step = step * 3 + 1;   /* 1, 4, 13, ... 9841, 29524 */
	}
	assert_int_equal(dkim_bodyhash_final(bh, d, &dl), 0);
	assert_int_equal(EVP_Digest(want, strlen(want), e, &el, EVP_sha256(), NULL), 1);
	assert_memory_equal(d, e, 32);
	dkim_bodyhash_free(bh);
	free(want);
	free(body);
}

static void test_headers(void **state)
{
	struct buf b;
	(void)state;
	buf_init(&b);
	/* RFC 6376 §3.4.6 example headers */
	dkim_canon_header(DKIM_CANON_RELAXED, "A", " X\r\n", 4, true, &b);
	dkim_canon_header(DKIM_CANON_RELAXED, "B ", " Y\t\r\n\tZ  ", 9, true, &b);
	assert_string_equal(b.data, "a:X\r\nb:Y Z\r\n");
	buf_reset(&b);
	dkim_canon_header(DKIM_CANON_SIMPLE, "Subject", " hi \r\n there", 12, true, &b);
	assert_string_equal(b.data, "Subject: hi \r\n there\r\n");
	buf_reset(&b);
	/* folded right after the colon */
	dkim_canon_header(DKIM_CANON_RELAXED, "To", "\r\n  a@b", 7, false, &b);
	assert_string_equal(b.data, "to:a@b");
	buf_clear(&b);
}

static void test_bodyhash_vectors(void **state)
{
	/* sha256 of "\r\n" and of "": the well-known empty-body hashes */
	static const unsigned char simple_empty[32] = {
		0x7e, 0xb7, 0x02, 0x57, 0x59, 0x3d, 0xa0, 0x6f, 0x68, 0x2a, 0x3d, 0xdd, 0xa5, 0x4a, 0x9d, 0x26,
		0x0d, 0x4f, 0xc5, 0x14, 0xf6, 0x45, 0x23, 0x7f, 0x5c, 0xa7, 0x4b, 0x08, 0xf8, 0xda, 0x61, 0xa6 };
	static const unsigned char relaxed_empty[32] = {
		0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
		0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55 };
	unsigned char d[64];
	size_t dl;
	struct dkim_bodyhash *bh;
	(void)state;
	bh = dkim_bodyhash_new(DKIM_CANON_SIMPLE, DKIM_HASH_SHA256, DKIM_NO_LIMIT);
	dkim_bodyhash_update(bh, "\r\n\r\n", 4);
	assert_int_equal(dkim_bodyhash_final(bh, d, &dl), 0);
	assert_int_equal(dl, 32);
	assert_memory_equal(d, simple_empty, 32);
	assert_int_equal(dkim_bodyhash_length(bh), 2);
	dkim_bodyhash_free(bh);
	bh = dkim_bodyhash_new(DKIM_CANON_RELAXED, DKIM_HASH_SHA256, DKIM_NO_LIMIT);
	assert_int_equal(dkim_bodyhash_final(bh, d, &dl), 0);
	assert_memory_equal(d, relaxed_empty, 32);
	dkim_bodyhash_free(bh);
	/* l=0 on a non-empty body hashes nothing but counts the length */
	bh = dkim_bodyhash_new(DKIM_CANON_RELAXED, DKIM_HASH_SHA256, 0);
	dkim_bodyhash_update(bh, "hello\r\n", 7);
	assert_int_equal(dkim_bodyhash_final(bh, d, &dl), 0);
	assert_memory_equal(d, relaxed_empty, 32);
	assert_int_equal(dkim_bodyhash_length(bh), 7);
	assert_int_equal(dkim_bodyhash_hashed(bh), 0);
	assert_true(dkim_bodyhash_matches(bh, DKIM_CANON_RELAXED, DKIM_HASH_SHA256, 0));
	assert_false(dkim_bodyhash_matches(bh, DKIM_CANON_SIMPLE, DKIM_HASH_SHA256, 0));
	dkim_bodyhash_free(bh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_body_simple),
		cmocka_unit_test(test_body_relaxed),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_bodyhash_vectors),
		cmocka_unit_test(test_body_random),
		cmocka_unit_test(test_bodyhash_large),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
