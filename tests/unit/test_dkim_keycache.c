/* test_dkim_keycache - the shared cache of parsed DKIM keys: a hit gives the same key
 * and flags as a fresh parse, the RSA size limit is part of the cache key, failures are
 * not kept, a one-slot cache replaces its occupant correctly, and keys handed out
 * outlive the cache (LeakSanitizer checks the references). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base64.h"
#include "dkim_keycache.h"

/* record - "v=DKIM1; k=...; [t=y; ]p=<base64>" for pk (static buffer per call site) */
static void record(EVP_PKEY *pk, bool ed, bool testing, char *out, size_t cap)
{
	unsigned char der[2048], *p = der;
	size_t n = sizeof der;
	char b64[4096];
	if (ed) {
		assert_int_equal(EVP_PKEY_get_raw_public_key(pk, der, &n), 1);
	} else {
		int len = i2d_PUBKEY(pk, &p);
		assert_true(len > 0);
		n = (size_t)len;
	}
	base64_encode(der, n, b64);
	if ((size_t)snprintf(out, cap, "v=DKIM1; k=%s; %sp=%.*s", ed ? "ed25519" : "rsa", testing ? "t=y; " : "",
			     (int)(cap > 64 ? cap - 64 : 0), b64) >= cap - 1)
		fail_msg("record buffer too small");
}

static EVP_PKEY *ed1, *ed2, *rsa1024;

static int setup(void **st)
{
	(void)st;
	ed1 = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	ed2 = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	rsa1024 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	return ed1 && ed2 && rsa1024 ? 0 : -1;
}

static int teardown(void **st)
{
	(void)st;
	EVP_PKEY_free(ed1);
	EVP_PKEY_free(ed2);
	EVP_PKEY_free(rsa1024);
	return 0;
}

static void test_hit_same_key(void **st)
{
	struct dkim_keycache *kc = dkim_keycache_new(0);
	struct dkim_key a, b;
	char rec[512], reason[96];
	unsigned long hits, misses;
	(void)st;
	assert_non_null(kc);
	record(ed1, true, true, rec, sizeof rec);
	assert_int_equal(dkim_keycache_parse(kc, rec, strlen(rec), 0, &a, reason, sizeof reason), 0);
	assert_int_equal(dkim_keycache_parse(kc, rec, strlen(rec), 0, &b, reason, sizeof reason), 0);
	dkim_keycache_stats(kc, &hits, &misses);
	assert_int_equal(hits, 1);
	assert_int_equal(misses, 1);
	assert_int_equal(b.type, DKIM_KEY_ED25519);
	assert_true(b.testing);
	assert_int_equal(b.bits, 256);
	assert_int_equal(EVP_PKEY_eq(b.pkey, ed1), 1);
	assert_ptr_equal(a.pkey, b.pkey);   /* one parsed key, shared by reference */
	dkim_keycache_free(kc);             /* the keys handed out keep their references */
	assert_int_equal(EVP_PKEY_eq(a.pkey, ed1), 1);
	dkim_key_clear(&a);
	dkim_key_clear(&b);
}

static void test_limit_is_part_of_key(void **st)
{
	struct dkim_keycache *kc = dkim_keycache_new(0);
	struct dkim_key k;
	char rec[2048], reason[96];
	(void)st;
	record(rsa1024, false, false, rec, sizeof rec);
	assert_int_equal(dkim_keycache_parse(kc, rec, strlen(rec), 1024, &k, reason, sizeof reason), 0);
	assert_int_equal(k.bits, 1024);
	dkim_key_clear(&k);
	/* the same text under a stricter limit must not come from the cache */
	assert_int_equal(dkim_keycache_parse(kc, rec, strlen(rec), 2048, &k, reason, sizeof reason), -1);
	assert_string_equal(reason, "RSA key too small: 1024 bits");
	assert_null(k.pkey);
	assert_int_equal(dkim_keycache_parse(kc, rec, strlen(rec), 1024, &k, reason, sizeof reason), 0);
	dkim_key_clear(&k);
	dkim_keycache_free(kc);
}

static void test_failures_not_kept(void **st)
{
	struct dkim_keycache *kc = dkim_keycache_new(0);
	struct dkim_key k;
	char reason[96];
	unsigned long hits, misses;
	const char *revoked = "v=DKIM1; k=rsa; p=";
	(void)st;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(dkim_keycache_parse(kc, revoked, strlen(revoked), 0, &k, reason, sizeof reason), -1);
		assert_string_equal(reason, "key revoked");
	}
	dkim_keycache_stats(kc, &hits, &misses);
	assert_int_equal(hits, 0);
	assert_int_equal(misses, 2);
	dkim_keycache_free(kc);
}

static void test_one_slot_replaces(void **st)
{
	struct dkim_keycache *kc = dkim_keycache_new(1);
	struct dkim_key k;
	char r1[512], r2[512], reason[96];
	unsigned long hits, misses;
	(void)st;
	record(ed1, true, false, r1, sizeof r1);
	record(ed2, true, false, r2, sizeof r2);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(dkim_keycache_parse(kc, r1, strlen(r1), 0, &k, reason, sizeof reason), 0);
		assert_int_equal(EVP_PKEY_eq(k.pkey, ed1), 1);
		dkim_key_clear(&k);
		assert_int_equal(dkim_keycache_parse(kc, r2, strlen(r2), 0, &k, reason, sizeof reason), 0);
		assert_int_equal(EVP_PKEY_eq(k.pkey, ed2), 1);
		dkim_key_clear(&k);
	}
	assert_int_equal(dkim_keycache_parse(kc, r2, strlen(r2), 0, &k, reason, sizeof reason), 0);
	assert_int_equal(EVP_PKEY_eq(k.pkey, ed2), 1);
	dkim_key_clear(&k);
	dkim_keycache_stats(kc, &hits, &misses);
	assert_int_equal(hits, 1);
	assert_int_equal(misses, 6);
	dkim_keycache_free(kc);
}

static void test_no_cache(void **st)
{
	struct dkim_key k;
	char rec[512], reason[96];
	unsigned long hits, misses;
	(void)st;
	record(ed2, true, false, rec, sizeof rec);
	assert_int_equal(dkim_keycache_parse(NULL, rec, strlen(rec), 0, &k, reason, sizeof reason), 0);
	assert_int_equal(EVP_PKEY_eq(k.pkey, ed2), 1);
	dkim_key_clear(&k);
	dkim_keycache_stats(NULL, &hits, &misses);
	assert_int_equal(hits + misses, 0);
	dkim_keycache_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hit_same_key),
		cmocka_unit_test(test_limit_is_part_of_key),
		cmocka_unit_test(test_failures_not_kept),
		cmocka_unit_test(test_one_slot_replaces),
		cmocka_unit_test(test_no_cache),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
