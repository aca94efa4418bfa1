/* test_dkim_signer - signing table / key table: pattern matching (exact, *.sub, *),
 * first match wins, From-domain extraction, configuration errors, missing keys (unsigned
 * or partial), dual signing through the milter-facing API, key rotation mid-stream. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dkim_signer.h"
#include "dkim_signer_conf.h"
#include "dkim_sign_testkeys.h"
#include "log.h"

static void parse(const char *msg, struct hdr_list *hl)
{
	struct buf b;
	size_t body;
	buf_init(&b);
	assert_int_equal(hdr_to_crlf(msg, strlen(msg), &b), 0);
	hdr_list_init(hl);
	assert_int_equal(hdr_split_message(b.data, b.len, hl, &body), 0);
	buf_clear(&b);
}

static const char *from_dom(const char *msg)
{
	static char out[256];
	struct hdr_list hl;
	int rc;
	parse(msg, &hl);
	rc = dkim_signer_from_domain(&hl, out, sizeof out);
	hdr_list_clear(&hl);
	return rc == 0 ? out : NULL;
}

static void test_from_domain(void **state)
{
	(void)state;
	assert_string_equal(from_dom("From: joe@Example.COM\n\n"), "example.com");
	assert_string_equal(from_dom("From: Joe <joe@example.com>\n\n"), "example.com");
	assert_string_equal(from_dom("From: \"Joe <joe@evil.example>, x\" <joe@example.com>\n\n"), "example.com");
	assert_string_equal(from_dom("From: (comment@evil.example) joe@example.com (c)\n\n"), "example.com");
	assert_string_equal(from_dom("From:\n  Joe\n  <joe@sub.example.com.>\n\n"), "sub.example.com");
	assert_string_equal(from_dom("From: a@one.example, b@two.example\n\n"), "one.example");
	assert_string_equal(from_dom("From: \"a@b\"@example.com\n\n"), "example.com");
	assert_null(from_dom("To: a@b\n\n"));
	assert_null(from_dom("From: a@one.example\nFrom: b@two.example\n\n"));
	assert_null(from_dom("From: undisclosed\n\n"));
	assert_null(from_dom("From: a@[192.0.2.1]\n\n"));
	assert_null(from_dom("From: <a@exa mple.com>\n\n"));
	assert_null(from_dom("From: Joe <joe@example.com\n\n"));
}

static void test_rule_match(void **state)
{
	(void)state;
	assert_true(dkim_signer_rule_matches("example.com", "example.com"));
	assert_true(dkim_signer_rule_matches("Example.com", "example.com"));
	assert_false(dkim_signer_rule_matches("example.com", "sub.example.com"));
	assert_true(dkim_signer_rule_matches("*.example.com", "sub.example.com"));
	assert_true(dkim_signer_rule_matches("*.example.com", "a.b.example.com"));
	assert_false(dkim_signer_rule_matches("*.example.com", "example.com"));
	assert_false(dkim_signer_rule_matches("*.example.com", "badexample.com"));
	assert_true(dkim_signer_rule_matches("*", "anything.example"));
}

struct fx {
	char *dir;
	char rsa[512], ed[512], missing[512];
	EVP_PKEY *rsa_k, *ed_k;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	f->dir = dkimsign_test_tmpdir();
	f->rsa_k = dkimsign_test_gen_rsa(2048);
	f->ed_k = dkimsign_test_gen_ed25519();
	snprintf(f->rsa, sizeof f->rsa, "%s/rsa.pem", f->dir);
	snprintf(f->ed, sizeof f->ed, "%s/ed.pem", f->dir);
	snprintf(f->missing, sizeof f->missing, "%s/missing.pem", f->dir);
	if (dkimsign_test_write_key(f->rsa, f->rsa_k, true, 0400) != 0 ||
	    dkimsign_test_write_key(f->ed, f->ed_k, false, 0400) != 0)
		return -1;
	log_set_level(LOG_LVL_ERR);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	dkimsign_test_rmtree(f->dir);
	free(f->dir);
	EVP_PKEY_free(f->rsa_k);
	EVP_PKEY_free(f->ed_k);
	free(f);
	return 0;
}

static const char msg[] =
	"From: Joe <joe@mail.example.com>\r\nTo: x@example.net\r\nSubject: hi\r\n"
	"Date: Tue, 01 Dec 2026 10:00:00 +0000\r\n\r\n";

static struct dkim_signer *make(const struct fx *f, const char *missing_file, size_t *kerr, char *err, size_t el)
{
	struct dkim_key_spec keys[3] = {
		{ "ex-rsa", "example.com", "r2026", DKIM_ALG_RSA_SHA256, f->rsa },
		{ "ex-ed", "example.com", "e2026", DKIM_ALG_ED25519_SHA256, f->ed },
		{ "other", "other.example", "s1", DKIM_ALG_RSA_SHA256, missing_file ? missing_file : f->rsa },
	};
	static const char *const dual[] = { "ex-rsa", "ex-ed" };
	static const char *const other[] = { "other" };
	static const char *const ed_then_missing[] = { "ex-ed", "other" };
	struct dkim_sign_rule rules[4] = {
		{ "mail.example.com", dual, 2 },
		{ "*.example.com", other, 1 },           /* never reached for mail.example.com */
		{ "partial.example", ed_then_missing, 2 },
		{ "other.example", other, 1 },
	};
	struct dkim_signer_config c = {
		.keys = keys, .n_keys = 3, .rules = rules, .n_rules = 4,
		.key_opts = { .check_interval = 1 },
		.hcanon = DKIM_CANON_RELAXED, .bcanon = DKIM_CANON_SIMPLE,
		.expire = 600,
	};
	return dkim_signer_new(&c, kerr, err, el);
}

static void test_dual_sign_first_match(void **state)
{
	struct fx *f = *state;
	size_t kerr = 9;
	char err[512];
	struct dkim_signer *s = make(f, NULL, &kerr, err, sizeof err);
	struct hdr_list hl;
	struct dkim_signer_msg *m;
	assert_non_null(s);
	assert_int_equal(kerr, 0);
	parse(msg, &hl);
	assert_int_equal(dkim_signer_begin(s, &hl, NULL, 1, &m, err, sizeof err), DKIM_SIGNER_SIGN);
	hdr_list_clear(&hl);
	dkim_signer_msg_body(m, "hello\r\n", 7);
	assert_int_equal(dkim_signer_msg_finish(m, 1800000000, err, sizeof err), 2);
	assert_int_equal(dkim_signer_msg_count(m), 2);
	assert_int_equal(dkim_signer_msg_missing(m), 0);
	assert_string_equal(dkim_signer_msg_domain(m), "example.com");
	assert_non_null(strstr(dkim_signer_msg_value(m, 0), "a=rsa-sha256; c=relaxed/simple; d=example.com;"));
	assert_non_null(strstr(dkim_signer_msg_value(m, 0), "s=r2026;"));
	assert_non_null(strstr(dkim_signer_msg_value(m, 1), "a=ed25519-sha256;"));
	assert_non_null(strstr(dkim_signer_msg_value(m, 1), "s=e2026;"));
	assert_non_null(strstr(dkim_signer_msg_value(m, 1), "x=1800000600;"));
	dkim_signer_msg_free(m);

	/* an explicit sender domain instead of From: */
	parse(msg, &hl);
	assert_int_equal(dkim_signer_begin(s, &hl, "x.example.com", 1, &m, err, sizeof err), DKIM_SIGNER_SIGN);
	dkim_signer_msg_body(m, "", 0);
	assert_int_equal(dkim_signer_msg_finish(m, 1, err, sizeof err), 1);
	assert_non_null(strstr(dkim_signer_msg_value(m, 0), "d=other.example;"));
	dkim_signer_msg_free(m);
	/* no rule */
	assert_int_equal(dkim_signer_begin(s, &hl, "example.org", 1, &m, err, sizeof err), DKIM_SIGNER_NO_RULE);
	assert_null(m);
	/* apex not covered by *.example.com */
	assert_int_equal(dkim_signer_begin(s, &hl, "example.com", 1, &m, err, sizeof err), DKIM_SIGNER_NO_RULE);
	hdr_list_clear(&hl);
	/* no From */
	parse("To: a@b\r\n\r\n", &hl);
	assert_int_equal(dkim_signer_begin(s, &hl, NULL, 1, &m, err, sizeof err), DKIM_SIGNER_NO_FROM);
	hdr_list_clear(&hl);
	assert_int_equal(dkim_signer_reload(s), 0);
	dkim_signer_free(s);
	dkim_signer_free(NULL);
}

static void test_missing_keys(void **state)
{
	struct fx *f = *state;
	size_t kerr = 0;
	char err[512];
	struct dkim_signer *s = make(f, f->missing, &kerr, err, sizeof err);
	struct hdr_list hl;
	struct dkim_signer_msg *m;
	assert_non_null(s);
	assert_int_equal(kerr, 1);
	parse(msg, &hl);
	/* the only key missing: KEY_ERROR (the milter applies on_key_error) */
	assert_int_equal(dkim_signer_begin(s, &hl, "other.example", 1, &m, err, sizeof err), DKIM_SIGNER_KEY_ERROR);
	assert_null(m);
	assert_non_null(strstr(err, "other"));
	/* one of two keys missing: signs with the other, says which is missing */
	assert_int_equal(dkim_signer_begin(s, &hl, "partial.example", 1, &m, err, sizeof err), DKIM_SIGNER_SIGN);
	assert_int_equal(dkim_signer_msg_missing(m), 1);
	assert_non_null(strstr(err, "key other"));
	assert_int_equal(dkim_signer_msg_finish(m, 1, err, sizeof err), 1);
	dkim_signer_msg_free(m);
	/* the file appears: picked up at the next message once the check interval passed */
	assert_int_equal(dkimsign_test_write_key(f->missing, f->rsa_k, false, 0400), 0);
	assert_int_equal(dkim_signer_begin(s, &hl, "other.example", 2, &m, err, sizeof err), DKIM_SIGNER_KEY_ERROR);
	assert_int_equal(dkim_signer_begin(s, &hl, "other.example", 1002, &m, err, sizeof err), DKIM_SIGNER_SIGN);
	/* rotated while the message is in flight: the message keeps its key */
	unlink(f->missing);
	assert_int_equal(dkimsign_test_write_key(f->missing, f->ed_k, false, 0400), 0);
	assert_int_equal(dkim_signer_reload(s), 1);   /* wrong algorithm for "other": refused */
	dkim_signer_msg_body(m, "x\r\n", 3);
	assert_int_equal(dkim_signer_msg_finish(m, 1, err, sizeof err), 1);
	dkim_signer_msg_free(m);
	unlink(f->missing);
	hdr_list_clear(&hl);
	dkim_signer_free(s);
}

static void test_config_errors(void **state)
{
	struct fx *f = *state;
	char err[512];
	size_t kerr;
	static const char *const nokey[] = { "nope" };
	static const char *const ok[] = { "k" };
	struct dkim_key_spec k = { "k", "example.com", "s", DKIM_ALG_RSA_SHA256, f->rsa };
	struct dkim_key_spec dup[2] = { k, k };
	struct dkim_key_spec badsel = { "k", "example.com", "s el", DKIM_ALG_RSA_SHA256, f->rsa };
	struct dkim_sign_rule r_unknown = { "example.com", nokey, 1 };
	struct dkim_sign_rule r_badpat = { "ex*ample.com", ok, 1 };
	struct dkim_sign_rule r_nokeys = { "example.com", ok, 0 };
	struct dkim_signer_config c = { .keys = &k, .n_keys = 1, .rules = &r_unknown, .n_rules = 1 };
	assert_null(dkim_signer_new(&c, &kerr, err, sizeof err));
	assert_non_null(strstr(err, "unknown key \"nope\""));
	c.rules = &r_badpat;
	assert_null(dkim_signer_new(&c, &kerr, err, sizeof err));
	assert_non_null(strstr(err, "invalid pattern"));
	c.rules = &r_nokeys;
	assert_null(dkim_signer_new(&c, &kerr, err, sizeof err));
	c.n_rules = 0;
	c.keys = dup;
	c.n_keys = 2;
	assert_null(dkim_signer_new(&c, &kerr, err, sizeof err));
	assert_non_null(strstr(err, "defined twice"));
	c.keys = &badsel;
	c.n_keys = 1;
	assert_null(dkim_signer_new(&c, &kerr, err, sizeof err));
	assert_non_null(strstr(err, "invalid domain or selector"));
	{
		static const char *const badh[] = { "From", "X Bad" };
		c.keys = &k;
		c.headers = badh;
		c.n_headers = 2;
		assert_null(dkim_signer_new(&c, &kerr, err, sizeof err));
		assert_non_null(strstr(err, "\"X Bad\" is not a header field name"));
	}
}

static void test_from_conf(void **state)
{
	struct fx *f = *state;
	char text[2048], err[1024];
	struct conf *c;
	struct dkim_signer *s;
	struct hdr_list hl;
	struct dkim_signer_msg *m;
	size_t kerr = 9;
	snprintf(text, sizeof text,
		 "dkim: { canonicalization = \"simple/relaxed\"; expire = 3600; oversign = false;\n"
		 "  sign_headers = [ \"From\", \"Subject\" ];\n"
		 "  keys = ( { name = \"r\"; domain = \"example.com\"; selector = \"r1\";\n"
		 "             algorithm = \"rsa-sha256\"; key_file = \"%s\"; },\n"
		 "           { name = \"e\"; domain = \"example.com\"; selector = \"e1\";\n"
		 "             algorithm = \"ed25519-sha256\"; key_file = \"%s\"; } );\n"
		 "  signing_table = ( { domain = \"*.example.com\"; keys = [ \"r\", \"e\" ]; } );\n"
		 "};\n", f->rsa, f->ed);
	c = conf_load_string(text, "test.conf", err, sizeof err);
	if (c == NULL)
		fail_msg("%s", err);
	s = dkim_signer_from_conf(c, true, &kerr, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(kerr, 0);
	parse(msg, &hl);
	assert_int_equal(dkim_signer_begin(s, &hl, NULL, 1, &m, err, sizeof err), DKIM_SIGNER_SIGN);
	hdr_list_clear(&hl);
	assert_int_equal(dkim_signer_msg_finish(m, 100, err, sizeof err), 2);
	assert_non_null(strstr(dkim_signer_msg_value(m, 0), "c=simple/relaxed;"));
	assert_non_null(strstr(dkim_signer_msg_value(m, 0), "h=from:subject;"));
	assert_non_null(strstr(dkim_signer_msg_value(m, 1), "x=3700;"));
	assert_null(strchr(dkim_signer_msg_value(m, 1), '\r'));     /* LF folding for libmilter */
	dkim_signer_msg_free(m);
	dkim_signer_free(s);
	conf_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_domain),
		cmocka_unit_test(test_rule_match),
		cmocka_unit_test(test_dual_sign_first_match),
		cmocka_unit_test(test_missing_keys),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_from_conf),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
