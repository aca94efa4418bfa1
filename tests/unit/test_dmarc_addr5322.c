/* test_dmarc_addr5322 - the RFC 5322 From: parser (addr5322.c): every syntax form it
 * accepts, each error it reports, and bounded behaviour on hostile input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr5322.h"
#include "idna.h"

struct good {
	const char *in;
	const char *domains;      /* space-separated, in order */
	bool utf8;                /* the first domain is flagged UTF-8 */
};

static const struct good goods[] = {
	{ "joe@example.com", "example.com", false },
	{ "Joe <joe@Example.COM>", "example.com", false },
	{ " \"Joe Q. Public\" <john.q.public@example.com>", "example.com", false },
	{ "Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>", "x.test example.org y.test", false },
	{ "<boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>", "nil.test example.net", false },
	{ "A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;", "a.test where.test one.test", false },
	{ "Undisclosed recipients:;", "", false },
	{ "Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>", "silly.test", false },
	{ "(((nested) comments) here) a@b.example (trailing)", "b.example", false },
	{ "Joe Q. Public <john.q.public@example.com>", "example.com", false },        /* obs-phrase */
	{ "<@route1.test,@route2.test:joe@final.test>", "final.test", false },       /* obs-route */
	{ ",, a@one.test ,, b@two.test,", "one.test two.test", false },              /* obs list */
	{ "joe . q @ example . com", "example.com", false },                           /* obs CFWS */
	{ "joe@example.com\r\n (folded\r\n comment)", "example.com", false },
	{ "=?utf-8?B?SsO2cmc=?= <j@example.de>", "example.de", false },
	{ "=?iso-8859-1?q?a,b<c@evil.test>?= <real@good.test>", "good.test", false },
	{ "\"J\xc3\xb6rg\" <j\xc3\xb6rg@b\xc3\xbc" "cher.example>", "b\xc3\xbc" "cher.example", true },
	{ "J\xc3\xb6rg <j@example.com>", "example.com", false },
	{ "\"quoted@local\"@example.com", "example.com", false },
	{ "Davide D'Marco <user@blah.com>", "blah.com", false },
	{ "a@xn--bcher-kva.example", "xn--bcher-kva.example", false },
	{ "group: a@one.test;, b@two.test", "one.test two.test", false },
};

struct bad {
	const char *in;
	const char *msg;          /* substring of the error */
};

static const struct bad bads[] = {
	{ "\"unterminated <a@b.test>", "unterminated quoted string" },
	{ "(unterminated comment a@b.test", "unterminated comment" },
	{ "a@[192.0.2.1]", "domain literal" },
	{ "a@b.test)", "unbalanced" },
	{ "a@", "domain name expected" },
	{ "@b.test", "local-part expected" },
	{ "<a@b.test", "'>' expected" },
	{ "<>", "local-part expected" },
	{ "Joe", "expected" },
	{ "a@b..test", "domain name expected" },
	{ "a@-b.test", "invalid domain" },
	{ "a@b.test c@d.test", "',' expected" },
	{ "g1: g2: a@b.test;;", "nested group" },
	{ "g: a@b.test", "not closed" },
	{ "a@b_\x01.test", "unexpected character" },
	{ "a@b\xff.test", "invalid domain" },
	{ "a@b.test;", "',' expected" },
};

static void test_addr_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof goods / sizeof goods[0]; i++) {
		struct addr5322_list l;
		char err[128], got[1024] = "";
		int rc = addr5322_domains(goods[i].in, strlen(goods[i].in), &l, err, sizeof err);
		if (rc != 0)
			fail_msg("\"%s\": %s", goods[i].in, err);
		for (size_t k = 0; k < l.stored; k++) {
			if (k)
				strcat(got, " ");
			strcat(got, l.a[k].domain);
		}
		if (strcmp(got, goods[i].domains) != 0)
			fail_msg("\"%s\": want \"%s\", got \"%s\"", goods[i].in, goods[i].domains, got);
		assert_int_equal(l.count, l.stored);
		if (l.stored)
			assert_int_equal(l.a[0].utf8, goods[i].utf8);
	}
}

static void test_addr_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
		struct addr5322_list l;
		char err[128];
		int rc = addr5322_domains(bads[i].in, strlen(bads[i].in), &l, err, sizeof err);
		if (rc != -1)
			fail_msg("\"%s\" was accepted", bads[i].in);
		if (strstr(err, bads[i].msg) == NULL)
			fail_msg("\"%s\": error \"%s\" lacks \"%s\"", bads[i].in, err, bads[i].msg);
	}
	/* NULL and empty: no address, no error */
	struct addr5322_list l;
	assert_int_equal(addr5322_domains("", 0, &l, NULL, 0), 0);
	assert_int_equal(l.count, 0);
	assert_int_equal(addr5322_domains(NULL, 0, &l, NULL, 0), 0);
}

static void test_addr_bounded(void **state)
{
	size_t n = 200000;
	char *big = malloc(n + 1);
	struct addr5322_list l;
	char err[128];
	(void)state;
	/* deep unterminated comment nesting */
	memset(big, '(', n);
	big[n] = '\0';
	assert_int_equal(addr5322_domains(big, n, &l, err, sizeof err), -1);
	/* many addresses: all counted, ADDR5322_MAX kept */
	size_t used = 0;
	for (int i = 0; used + 32 < n; i++)
		used += (size_t)snprintf(big + used, n - used, "u%d@d%d.test,", i % 100, i % 7);
	assert_int_equal(addr5322_domains(big, used, &l, err, sizeof err), 0);
	assert_true(l.count > 1000);
	assert_int_equal(l.stored, ADDR5322_MAX);
	/* a very long label is refused, not overflowed */
	memset(big, 'a', n);
	big[0] = 'x';
	big[1] = '@';
	assert_int_equal(addr5322_domains(big, n, &l, err, sizeof err), -1);
	free(big);
}

static void test_idna(void **state)
{
	static const struct {
		const char *in, *out;
	} ok[] = {
		{ "b\xc3\xbc" "cher.example", "xn--bcher-kva.example" },
		{ "\xe9\xa3\x9f\xe7\x8b\xae.com.cn", "xn--85x722f.com.cn" },
		{ "M\xc3\xbcnchen.DE.", "xn--mnchen-3ya.de" },
		{ "\xe4\xb8\xad\xe5\x9b\xbd", "xn--fiqs8s" },
		{ "plain.example", "plain.example" },
	};
	static const char *const bad[] = {
		"a..b", "", "b\xc3.example", "\xed\xa0\x80.example", "\xc0\xaf.example",
	};
	char out[300];
	(void)state;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		assert_true(idna_to_ascii(ok[i].in, strlen(ok[i].in), out, sizeof out));
		assert_string_equal(out, ok[i].out);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(idna_to_ascii(bad[i], strlen(bad[i]), out, sizeof out));
	/* a label whose A-label would exceed 63 octets */
	char big[200] = "";
	for (int i = 0; i < 62; i++)
		strcat(big, "\xc3\xbc");
	assert_false(idna_to_ascii(big, strlen(big), out, sizeof out));
	assert_false(idna_to_ascii("b\xc3\xbc" "cher.example", 14, out, 8));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_good),
		cmocka_unit_test(test_addr_bad),
		cmocka_unit_test(test_addr_bounded),
		cmocka_unit_test(test_idna),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
