/* test_core - the small shared modules: buf, strutil, cidr, taglist, hdr, dns_zone. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "base64.h"
#include "buf.h"
#include "cidr.h"
#include "dns_zone.h"
#include "hdr.h"
#include "results.h"
#include "strutil.h"
#include "taglist.h"

static void test_buf(void **state)
{
	struct buf b;
	(void)state;
	buf_init(&b);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(buf_printf(&b, "%d,", i), 0);
	assert_int_equal(strncmp(b.data, "0,1,2,", 6), 0);
	assert_int_equal(b.data[b.len], '\0');
	buf_clear(&b);
	{
		char *empty = buf_steal(&b);
		assert_non_null(empty);
		assert_string_equal(empty, "");
		free(empty);
	}
}

static void test_domains(void **state)
{
	(void)state;
	assert_true(am_domain_valid("example.com", 11));
	assert_true(am_domain_valid("sel._domainkey.example.com.", 27));
	assert_false(am_domain_valid("exa mple.com", 12));
	assert_false(am_domain_valid("-a.com", 6));
	assert_false(am_domain_valid("a..com", 6));
	assert_true(am_domain_is_sub("mail.Example.COM", "example.com"));
	assert_true(am_domain_is_sub("example.com", "example.com."));
	assert_false(am_domain_is_sub("badexample.com", "example.com"));
	assert_int_equal(am_domain_labels("a.b.c."), 3);
}

static void test_cidr(void **state)
{
	struct am_cidr c;
	struct am_ip ip;
	(void)state;
	assert_true(am_cidr_parse("192.0.2.0/24", &c));
	assert_true(am_ip_parse("192.0.2.77", &ip));
	assert_true(am_cidr_match(&c, &ip));
	assert_true(am_ip_parse("::ffff:192.0.2.9", &ip));
	assert_int_equal(ip.family, AF_INET);
	assert_true(am_cidr_match(&c, &ip));
	assert_true(am_ip_parse("192.0.3.1", &ip));
	assert_false(am_cidr_match(&c, &ip));
	assert_true(am_cidr_parse("[2001:db8::]/32", &c) || am_cidr_parse("2001:db8::/32", &c));
	assert_true(am_ip_parse("2001:db8:1::5", &ip));
	assert_true(am_cidr_match(&c, &ip));
	assert_false(am_cidr_parse("10.0.0.0/33", &c));
	assert_false(am_cidr_parse("10.0.0.0/", &c));
	assert_false(am_cidr_parse("nonsense", &c));
	assert_true(am_cidr_parse("0.0.0.0/0", &c));
	assert_true(am_ip_parse("203.0.113.5", &ip));
	assert_true(am_cidr_match(&c, &ip));
}

static void test_taglist(void **state)
{
	struct taglist tl;
	char err[128];
	const char *rec = "v=DKIM1; k=rsa;\r\n\tp=MIGf MA0 ;";
	char p[64];
	(void)state;
	assert_int_equal(taglist_parse(rec, strlen(rec), &tl, err, sizeof err), 0);
	assert_int_equal(tl.count, 3);
	assert_non_null(taglist_get(&tl, "p"));
	assert_int_equal(taglist_strip_fws(taglist_get(&tl, "p")->value, taglist_get(&tl, "p")->value_len, p, sizeof p), 7);
	assert_string_equal(p, "MIGfMA0");
	assert_null(taglist_get(&tl, "x"));
	assert_int_equal(taglist_parse("a=1; a=2", 8, &tl, err, sizeof err), -1);
	assert_int_equal(taglist_parse("a=1; b", 6, &tl, err, sizeof err), -1);
	assert_int_equal(taglist_parse("1a=1", 4, &tl, err, sizeof err), -1);
	assert_int_equal(taglist_parse("v=DMARC1;p=none;", 16, &tl, err, sizeof err), 0);
	assert_int_equal(tl.count, 2);
	assert_int_equal(taglist_parse("a=", 2, &tl, err, sizeof err), 0);
	assert_int_equal(tl.tags[0].value_len, 0);
}

static void test_hdr_split(void **state)
{
	const char *msg = "From: a@example.com\r\nSubject: one\r\n two\r\nX:\r\n\r\nbody\r\n";
	struct hdr_list l;
	size_t off = 0;
	struct buf b;
	(void)state;
	hdr_list_init(&l);
	assert_int_equal(hdr_split_message(msg, strlen(msg), &l, &off), 0);
	assert_int_equal(l.count, 3);
	assert_string_equal(l.f[1].name, "Subject");
	assert_string_equal(l.f[1].value, " one\r\n two");
	assert_string_equal(msg + off, "body\r\n");
	assert_int_equal(hdr_list_count(&l, "subject"), 1);
	assert_non_null(hdr_list_find(&l, "x", 0));
	assert_int_equal(hdr_list_add(&l, "Folded", " a\n\tb"), 0);
	assert_string_equal(hdr_list_find(&l, "folded", 0)->value, " a\r\n\tb");
	hdr_list_clear(&l);
	buf_init(&b);
	hdr_to_crlf("a\nb\r\nc\r", 7, &b);
	assert_string_equal(b.data, "a\r\nb\r\nc\r\n");
	buf_clear(&b);
}

static void test_dns_zone(void **state)
{
	struct dns_zone *z = dns_zone_new();
	struct dns_resolver r;
	struct dns_query *q;
	const struct dns_answer *a;
	char err[128];
	(void)state;
	assert_int_equal(dns_zone_load_line(z, "example.com TXT \"v=spf1 \" \"-all\"", err, sizeof err), 0);
	assert_int_equal(dns_zone_load_line(z, "example.com MX 10 mx.example.com", err, sizeof err), 0);
	assert_int_equal(dns_zone_load_line(z, "mx.example.com A 192.0.2.1", err, sizeof err), 0);
	assert_int_equal(dns_zone_load_line(z, "alias.example.com CNAME mx.example.com", err, sizeof err), 0);
	assert_int_equal(dns_zone_load_line(z, "a.b.deep.example.com A 192.0.2.9", err, sizeof err), 0);
	assert_int_equal(dns_zone_load_line(z, "*.wild.example.com TXT hello", err, sizeof err), 0);
	assert_int_equal(dns_zone_load_line(z, "slow.example.com TIMEOUT", err, sizeof err), 0);
	assert_int_equal(dns_zone_load_line(z, "x BOGUS 1", err, sizeof err), -1);
	r = dns_zone_resolver(z);

	q = dns_start(&r, "EXAMPLE.com.", DNS_T_TXT);
	a = dns_wait(&r, q, 0);
	assert_int_equal(a->status, DNS_ANSWER);
	assert_string_equal(a->rr[0].u.txt.data, "v=spf1 -all");
	dns_release(&r, q);

	q = dns_start(&r, "example.com", DNS_T_AAAA);
	assert_int_equal(dns_wait(&r, q, 0)->status, DNS_NODATA);
	dns_release(&r, q);
	q = dns_start(&r, "nope.example.com", DNS_T_A);
	assert_int_equal(dns_wait(&r, q, 0)->status, DNS_NXDOMAIN);
	dns_release(&r, q);
	q = dns_start(&r, "deep.example.com", DNS_T_A);   /* empty non-terminal */
	assert_int_equal(dns_wait(&r, q, 0)->status, DNS_NODATA);
	dns_release(&r, q);
	q = dns_start(&r, "alias.example.com", DNS_T_A);
	a = dns_wait(&r, q, 0);
	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->rr[0].u.addr[3], 1);
	dns_release(&r, q);
	q = dns_start(&r, "x.wild.example.com", DNS_T_TXT);
	assert_int_equal(dns_wait(&r, q, 0)->status, DNS_ANSWER);
	dns_release(&r, q);
	q = dns_start(&r, "slow.example.com", DNS_T_MX);
	assert_int_equal(dns_wait(&r, q, 0)->status, DNS_TIMEOUT);
	dns_release(&r, q);
	q = dns_start(&r, "example.com", DNS_T_MX);
	a = dns_wait(&r, q, 0);
	assert_int_equal(a->rr[0].u.mx.preference, 10);
	assert_string_equal(a->rr[0].u.mx.host, "mx.example.com");
	dns_release(&r, q);
	assert_int_equal(dns_zone_queries(z), 8);
	dns_zone_free(z);
}

static void test_base64(void **state)
{
	unsigned char out[16];
	char enc[16];
	(void)state;
	base64_encode((const unsigned char *)"hi!", 3, enc);
	assert_string_equal(enc, "aGkh");
	base64_encode((const unsigned char *)"h", 1, enc);
	assert_string_equal(enc, "aA==");
	base64_encode((const unsigned char *)"hi", 2, enc);
	assert_string_equal(enc, "aGk=");
	assert_int_equal(base64_decode("aG k\r\n\th", 8, out, sizeof out), 3);
	assert_memory_equal(out, "hi!", 3);
	assert_int_equal(base64_decode("aA==", 4, out, sizeof out), 1);
	assert_int_equal(base64_decode("aGk=", 4, out, sizeof out), 2);
	assert_int_equal(base64_decode("aGk", 3, out, sizeof out), 2);
	assert_int_equal(base64_decode("aB==", 4, out, sizeof out), (size_t)-1);  /* trailing bits */
	assert_int_equal(base64_decode("a===", 4, out, sizeof out), (size_t)-1);
	assert_int_equal(base64_decode("aG!k", 4, out, sizeof out), (size_t)-1);
	assert_int_equal(base64_decode("aA==aA==", 8, out, sizeof out), (size_t)-1);
	assert_int_equal(base64_decode("", 0, out, sizeof out), 0);
	assert_int_equal(base64_decode("aGkhaGkh", 8, out, 5), (size_t)-1);
}

static void test_result_names(void **state)
{
	enum spf_result r;
	(void)state;
	assert_string_equal(spf_result_name(SPF_SOFTFAIL), "softfail");
	assert_string_equal(dkim_result_name(DKIM_PERMERROR), "permerror");
	assert_string_equal(dmarc_policy_name(DMARC_POLICY_QUARANTINE), "quarantine");
	assert_true(spf_result_parse("temperror", &r));
	assert_int_equal(r, SPF_TEMPERROR);
	assert_false(spf_result_parse("bogus", &r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_domains),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_taglist),
		cmocka_unit_test(test_hdr_split),
		cmocka_unit_test(test_dns_zone),
		cmocka_unit_test(test_result_names),
		cmocka_unit_test(test_base64),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
