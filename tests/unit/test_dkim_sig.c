/* test_dkim_sig - DKIM-Signature parsing (RFC 6376 §3.5) and the b=-stripped copy. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "dkim_sig.h"

#define GOOD_B "dGVzdHNpZ25hdHVyZQ=="
#define GOOD_BH "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="

static struct dkim_sig sig;
static char reason[128];

static int parse(const char *v)
{
	return dkim_sig_parse(v, strlen(v), &sig, reason, sizeof reason);
}

/* expect_error - the value is a permerror whose reason contains want. */
static void expect_error(const char *v, const char *want)
{
	if (parse(v) == 0)
		fail_msg("accepted: %s", v);
	if (strstr(reason, want) == NULL)
		fail_msg("reason '%s' lacks '%s' for %s", reason, want, v);
}

static void test_minimal_defaults(void **state)
{
	(void)state;
	assert_int_equal(parse(" v=1; a=rsa-sha256; d=Example.COM.; s=Sel;\r\n h=From:To; bh=" GOOD_BH
			       ";\r\n b=" GOOD_B), 0);
	assert_int_equal(sig.alg, DKIM_ALG_RSA_SHA256);
	assert_string_equal(sig.a_text, "rsa-sha256");
	assert_string_equal(sig.domain, "example.com");
	assert_string_equal(sig.selector, "sel");
	assert_string_equal(sig.identity, "@example.com");
	assert_int_equal(sig.hcanon, DKIM_CANON_SIMPLE);
	assert_int_equal(sig.bcanon, DKIM_CANON_SIMPLE);
	assert_int_equal(sig.h_count, 2);
	assert_string_equal(dkim_sig_h_name(&sig, 0), "From");
	assert_string_equal(dkim_sig_h_name(&sig, 1), "To");
	assert_int_equal(sig.bh_len, 32);
	assert_int_equal(sig.b_len, 13);
	assert_memory_equal(sig.b, "testsignature", 13);
	assert_string_equal(sig.b_prefix, "dGVzdHNp");
	assert_false(sig.has_l || sig.has_t || sig.has_x);
}

static void test_all_tags(void **state)
{
	(void)state;
	/* tags in unusual order, FWS inside b= and bh=, unknown and z= tags ignored */
	assert_int_equal(parse("a=ed25519-sha256; v=1; c=relaxed; q=dns/txt; d=example.org; "
			       "s=s2024._x; i=joe@mail.example.org; l=1234; t=1700000000; x=1700086400; "
			       "z=From:foo|To:bar; foo=bar; h=from : subject\r\n\t: from; "
			       "bh=47DEQpj8HBSa+/TImW+5JCeuQeRk\r\n m5NMpJWZG3hSuFU=; b=dGVz dHNp\r\n\tZ25hdHVyZQ=="),
			 0);
	assert_int_equal(sig.alg, DKIM_ALG_ED25519_SHA256);
	assert_int_equal(sig.hcanon, DKIM_CANON_RELAXED);
	assert_int_equal(sig.bcanon, DKIM_CANON_SIMPLE);   /* c=relaxed means relaxed/simple */
	assert_string_equal(sig.selector, "s2024._x");
	assert_string_equal(sig.identity, "joe@mail.example.org");
	assert_true(sig.has_l && sig.l == 1234);
	assert_true(sig.has_t && sig.t == 1700000000);
	assert_true(sig.has_x && sig.x == 1700086400);
	assert_int_equal(sig.h_count, 3);
	assert_string_equal(dkim_sig_h_name(&sig, 2), "from");
	assert_int_equal(sig.bh_len, 32);
	assert_string_equal(sig.b_prefix, "dGVzdHNp");
	assert_int_equal(parse("v=1; a=rsa-sha1; d=a.b; s=x; h=from; bh=" GOOD_BH "; b=" GOOD_B
			       "; c=simple/relaxed"), 0);
	assert_int_equal(sig.alg, DKIM_ALG_RSA_SHA1);   /* recognised, refused by the verifier */
	assert_int_equal(sig.bcanon, DKIM_CANON_RELAXED);
	assert_int_equal(dkim_sig_hash(sig.alg), DKIM_HASH_SHA1);
}

#define T(rest) "v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=" GOOD_BH "; b=" GOOD_B rest

static void test_errors(void **state)
{
	(void)state;
	expect_error("v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=" GOOD_BH, "missing b=");
	expect_error("a=rsa-sha256; d=example.com; s=sel; h=from; bh=" GOOD_BH "; b=" GOOD_B, "missing v=");
	expect_error("v=2; a=rsa-sha256; d=example.com; s=sel; h=from; bh=" GOOD_BH "; b=" GOOD_B, "version");
	expect_error("v=1; a=rsa-md5; d=example.com; s=sel; h=from; bh=" GOOD_BH "; b=" GOOD_B, "unknown algorithm");
	expect_error("v=1; a=rsa-sha256; s=sel; h=from; bh=" GOOD_BH "; b=" GOOD_B, "missing d=");
	expect_error("v=1; a=rsa-sha256; d=example.com; h=from; bh=" GOOD_BH "; b=" GOOD_B, "missing s=");
	expect_error("v=1; a=rsa-sha256; d=example.com; s=sel; bh=" GOOD_BH "; b=" GOOD_B, "missing h=");
	expect_error("v=1; a=rsa-sha256; d=example.com; s=sel; h=from; b=" GOOD_B, "missing bh=");
	expect_error("v=1; a=rsa-sha256; d=example.com; s=sel; h=to:subject; bh=" GOOD_BH "; b=" GOOD_B,
		     "does not include From");
	expect_error("v=1; a=rsa-sha256; d=example.com; s=sel; h=from::to; bh=" GOOD_BH "; b=" GOOD_B,
		     "empty header name");
	expect_error(T("; v=1"), "duplicate tag");
	expect_error(T("; l=12a"), "l= is not a number");
	expect_error(T("; t=-5"), "t= is not a timestamp");
	expect_error(T("; x=1234567890123"), "x= is not a timestamp");
	expect_error(T("; t=200; x=100"), "x= is not after t=");
	expect_error(T("; t=200; x=200"), "x= is not after t=");
	expect_error(T("; c=relaxed/fancy"), "body canonicalization");
	expect_error(T("; c=nowsp"), "header canonicalization");
	expect_error(T("; q=dns"), "dns/txt");
	expect_error(T("; i=joe@example.net"), "not within d=");
	expect_error(T("; i=joe@notexample.com"), "not within d=");
	expect_error(T("; i=joe"), "no '@'");
	expect_error("v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=" GOOD_BH "; b=dGVzd!==", "b=");
	expect_error("v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=" GOOD_BH "; b=", "b=");
	expect_error("v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=@@; b=" GOOD_B, "bh=");
	expect_error("v=1; a; d=example.com", "syntax");
}

static void test_domain_validation(void **state)
{
	(void)state;
	/* CVE-2020-12272 class: d= must be a DNS name, never reach a header as-is */
	expect_error("v=1; a=rsa-sha256; d=legitimate.com(.attacker.com; s=sel; h=from; bh=" GOOD_BH
		     "; b=" GOOD_B, "d= is not a valid domain");
	assert_string_equal(sig.domain, "");
	expect_error("v=1; a=rsa-sha256; d=example.com; s=se l; h=from; bh=" GOOD_BH "; b=" GOOD_B,
		     "s= is not a valid selector");
	expect_error("v=1; a=rsa-sha256; d=exa\"mple.com; s=sel; h=from; bh=" GOOD_BH "; b=" GOOD_B,
		     "d= is not a valid domain");
	expect_error("v=1; a=rsa-sha256; d=example..com; s=sel; h=from; bh=" GOOD_BH "; b=" GOOD_B,
		     "d= is not a valid domain");
	/* fields validated before an error are kept for the results header */
	expect_error(T("; t=5; x=1"), "x=");
	assert_string_equal(sig.domain, "example.com");
	assert_string_equal(sig.selector, "sel");
	assert_string_equal(sig.b_prefix, "dGVzdHNp");
}

static void check_strip(const char *in, const char *want)
{
	struct buf b;
	buf_init(&b);
	assert_int_equal(dkim_sig_strip_b(in, strlen(in), &b), 0);
	assert_string_equal(b.data ? b.data : "", want);
	buf_clear(&b);
}

static void test_strip_b(void **state)
{
	(void)state;
	check_strip(" v=1; bh=abc; b=xyz; d=a", " v=1; bh=abc; b=; d=a");
	check_strip(" v=1; b = x y\r\n z ;d=a", " v=1; b =;d=a");
	check_strip(" a=1;\r\n\tb=AAAA\r\n\t BBBB", " a=1;\r\n\tb=");
	check_strip("b=ab;bh=cd", "b=;bh=cd");
	check_strip(" v=1; bh=cd", " v=1; bh=cd");
	check_strip("", "");
	check_strip(" v=1; ", " v=1; ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_defaults),
		cmocka_unit_test(test_all_tags),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_domain_validation),
		cmocka_unit_test(test_strip_b),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
