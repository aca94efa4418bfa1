/* test_dkim_key - DKIM key records (RFC 6376 §3.6.1, RFC 8463) and the DNS answer
 * mapping, with the records of dkimpy's and Mail::DKIM's test data
 * (tests/data/dkim-verify/, see its README). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "test_files.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dkim_key.h"

#define DATA "tests/data/dkim-verify/"

static struct dkim_key key;
static char reason[128];

static char *slurp(const char *path)
{
	size_t n = 0;
	char *s = test_read_file(path, &n);
	if (s == NULL)
		fail_msg("cannot read %s", path);
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* fake_dns - the value Mail::DKIM's FAKE_DNS.dat gives name (static buffer). */
static const char *fake_dns(const char *name)
{
	static char value[2048];
	char line[2048];
	FILE *f = fopen(DATA "mail-dkim/FAKE_DNS.dat", "r");
	size_t nl = strlen(name);
	assert_non_null(f);
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, name, nl) == 0 && (line[nl] == ' ' || line[nl] == '\t')) {
			char *v = line + nl;
			size_t vl;
			while (*v == ' ' || *v == '\t')
				v++;
			vl = strcspn(v, "\r\n");
			memcpy(value, v, vl);
			value[vl] = '\0';
			fclose(f);
			return value;
		}
	}
	fclose(f);
	fail_msg("%s not in FAKE_DNS.dat", name);
	return NULL;
}

static int parse(const char *txt)
{
	dkim_key_clear(&key);
	return dkim_key_parse(txt, strlen(txt), 1024, &key, reason, sizeof reason);
}

static void expect_error(const char *txt, const char *want)
{
	if (parse(txt) == 0)
		fail_msg("accepted key record: %.80s", txt);
	if (strstr(reason, want) == NULL)
		fail_msg("reason '%s' lacks '%s'", reason, want);
	assert_null(key.pkey);
}

static void test_dkimpy_records(void **state)
{
	char *s;
	(void)state;
	s = slurp(DATA "dkimpy/test.txt");
	assert_int_equal(parse(s), 0);
	assert_int_equal(key.type, DKIM_KEY_RSA);
	assert_int_equal(key.bits, 1024);
	assert_true(key.sha256_ok && key.sha1_ok);
	assert_false(key.testing || key.strict);
	free(s);
	s = slurp(DATA "dkimpy/1024_testkey_wo_markers.pub.rsa.txt");   /* bare PKCS#1 */
	assert_int_equal(parse(s), 0);
	assert_int_equal(key.bits, 1024);
	free(s);
	s = slurp(DATA "dkimpy/1024_testkey_wo_markers.pub.txt");       /* SPKI */
	assert_int_equal(parse(s), 0);
	free(s);
	s = slurp(DATA "dkimpy/2048_testkey_wo_markers.pub.txt");
	assert_int_equal(parse(s), 0);
	assert_int_equal(key.bits, 2048);
	free(s);
	s = slurp(DATA "dkimpy/ed25519test.dns");
	assert_int_equal(parse(s), 0);
	assert_int_equal(key.type, DKIM_KEY_ED25519);
	free(s);
	s = slurp(DATA "dkimpy/badk.txt");
	expect_error(s, "unknown key type");
	free(s);
	s = slurp(DATA "dkimpy/badversion.txt");
	expect_error(s, "not DKIM1");
	free(s);
	s = slurp(DATA "dkimpy/test_tlsrpt.txt");
	expect_error(s, "not for email");
	free(s);
	dkim_key_clear(&key);
}

static void test_mail_dkim_records(void **state)
{
	(void)state;
	/* 512-bit keys: RFC 8301 says never accept under 1024 */
	expect_error(fake_dns("test1._domainkey.messiah.edu"), "too small: 512 bits");
	expect_error(fake_dns("shan._domainkey.vmt2.cis.att.net"), "too small: 768 bits");
	expect_error(fake_dns("testrevoked._domainkey.messiah.edu"), "revoked");
	expect_error(fake_dns("testbad1._domainkey.messiah.edu"), "not DKIM1");
	expect_error(fake_dns("testbad2._domainkey.messiah.edu"), "syntax");
	expect_error(fake_dns("testbad3._domainkey.messiah.edu"), "unknown key type");
	expect_error(fake_dns("testbad4._domainkey.messiah.edu"), "not for email");
	expect_error(fake_dns("invalid._domainkey.wander.science"), "not 32 bytes");
	/* usable ones and their flags */
	assert_int_equal(parse(fake_dns("test6._domainkey.messiah.edu")), 0);
	assert_true(key.strict);
	assert_int_equal(parse(fake_dns("s1024._domainkey.yahoo.com")), 0);
	assert_true(key.testing);
	assert_int_equal(parse(fake_dns("2023-05-ed25519._domainkey.wander.science")), 0);
	assert_int_equal(key.type, DKIM_KEY_ED25519);
	dkim_key_clear(&key);
	/* h= restricts hashes (testbad7 h=bad: neither sha1 nor sha256) */
	assert_int_equal(dkim_key_parse(fake_dns("testbad7._domainkey.messiah.edu"),
					strlen(fake_dns("testbad7._domainkey.messiah.edu")), 512, &key,
					reason, sizeof reason), 0);
	assert_false(key.sha256_ok || key.sha1_ok);
	dkim_key_clear(&key);
	assert_int_equal(dkim_key_parse(fake_dns("test2._domainkey.messiah.edu"),
					strlen(fake_dns("test2._domainkey.messiah.edu")), 512, &key,
					reason, sizeof reason), 0);
	assert_true(key.sha1_ok);
	assert_false(key.sha256_ok);
	assert_true(key.testing);     /* t=y:n:extra */
	dkim_key_clear(&key);
	/* the minimum never goes below 1024 (0 = default) */
	assert_int_equal(dkim_key_parse(fake_dns("test1._domainkey.messiah.edu"),
					strlen(fake_dns("test1._domainkey.messiah.edu")), 0, &key,
					reason, sizeof reason), -1);
}

static void test_record_rules(void **state)
{
	(void)state;
	expect_error("k=rsa; v=DKIM1; p=", "first tag");
	expect_error("v=DKIM1; k=rsa", "no p=");
	expect_error("", "no p=");
	expect_error("v=DKIM1; p=", "revoked");
	expect_error("v=DKIM1; p=!!!!", "base64");
	expect_error("v=DKIM1; p=AAAA", "not a valid public key");
	expect_error("v=DKIM1; k=ed25519; p=AAAA", "not 32 bytes");
	/* Ed25519 key wrapped in SPKI (44 bytes) is refused: RFC 8463 wants the raw key */
	expect_error("v=DKIM1; k=ed25519; p=MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
		     "not 32 bytes");
	/* FWS inside p=, unknown tags, s=* and several flags */
	assert_int_equal(parse("v=DKIM1; k=ed25519; n=note; s=*; t=s:y:q; p=11qYAYKxCrfVS/7TyWQHOg7hcv\r\n"
			       " PapiMlrwIaaPcHURo="), 0);
	assert_true(key.testing && key.strict);
	assert_int_equal(parse("p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=; k=ed25519; s=email:web"), 0);
	dkim_key_clear(&key);
}

static void test_answers(void **state)
{
	struct dns_answer *a;
	const char *rec = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
	(void)state;
	assert_int_equal(dkim_key_from_answer(NULL, 0, &key, reason, sizeof reason), DKIM_TEMPERROR);
	a = dns_answer_new(DNS_SERVFAIL, 0);
	assert_int_equal(dkim_key_from_answer(a, 0, &key, reason, sizeof reason), DKIM_TEMPERROR);
	a->status = DNS_TIMEOUT;
	assert_int_equal(dkim_key_from_answer(a, 0, &key, reason, sizeof reason), DKIM_TEMPERROR);
	assert_string_equal(reason, "key lookup timed out");
	a->status = DNS_MALFORMED;
	assert_int_equal(dkim_key_from_answer(a, 0, &key, reason, sizeof reason), DKIM_TEMPERROR);
	a->status = DNS_NXDOMAIN;
	assert_int_equal(dkim_key_from_answer(a, 0, &key, reason, sizeof reason), DKIM_PERMERROR);
	assert_string_equal(reason, "no key");
	a->status = DNS_NODATA;
	assert_int_equal(dkim_key_from_answer(a, 0, &key, reason, sizeof reason), DKIM_PERMERROR);
	a->status = DNS_ANSWER;
	assert_int_equal(dns_answer_add_txt(a, 300, rec, strlen(rec)), 0);
	assert_int_equal(dkim_key_from_answer(a, 0, &key, reason, sizeof reason), DKIM_PASS);
	assert_non_null(key.pkey);
	dkim_key_clear(&key);
	assert_int_equal(dns_answer_add_txt(a, 300, rec, strlen(rec)), 0);
	assert_int_equal(dkim_key_from_answer(a, 0, &key, reason, sizeof reason), DKIM_PERMERROR);
	assert_string_equal(reason, "multiple key records");
	dns_answer_free(a);
	/* an empty TXT record (Mail::DKIM badkey5_ed25519) */
	a = dns_answer_new(DNS_ANSWER, 300);
	assert_int_equal(dns_answer_add_txt(a, 300, "", 0), 0);
	assert_int_equal(dkim_key_from_answer(a, 0, &key, reason, sizeof reason), DKIM_PERMERROR);
	dns_answer_free(a);
	dkim_key_clear(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dkimpy_records),
		cmocka_unit_test(test_mail_dkim_records),
		cmocka_unit_test(test_record_rules),
		cmocka_unit_test(test_answers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
