/* test_dkim_canon - RFC 6376 §3.4 canonicalisation: headers, streaming bodies, hashes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <stdlib.h>
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
