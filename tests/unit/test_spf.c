/* test_spf - SPF record parser, macro expander, evaluator (limits, stepping, identities)
 * and the Received-SPF header. The OpenSPF suites run in test_spf_suite.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "buf.h"
#include "clock.h"
#include "dns_zone.h"
#include "conf.h"
#include "spf_conf.h"
#include "spf_eval.h"
#include "spf_header.h"
#include "spf_macro.h"
#include "spf_record.h"
#include "spf_slow.h"

/* ---- record parser ---- */

static int parse(const char *txt, struct spf_record **r)
{
	char why[160];
	return spf_record_parse(txt, strlen(txt), r, why, sizeof why);
}

static void test_record_select(void **state)
{
	(void)state;
	assert_true(spf_record_is_spf("v=spf1", 6));
	assert_true(spf_record_is_spf("V=SPF1 -all", 11));
	assert_false(spf_record_is_spf("v=spf10", 7));
	assert_false(spf_record_is_spf("v=spf1\tmx", 9));
	assert_false(spf_record_is_spf("spf1", 4));
}

static void test_record_terms(void **state)
{
	struct spf_record *r;
	(void)state;
	assert_int_equal(parse("v=spf1 ip4:192.0.2.0/24 -a:mail.%{d}/28//64 ~mx ?ptr:example.org "
			       "include:_spf.example.net exists:%{ir}.bl.example.com ip6:2001:db8::/32 "
			       "redirect=other.example exp=why.%{d} x-foo=%{c} +all", &r), 0);
	assert_int_equal(r->nterms, 8);
	assert_int_equal(r->terms[0].mech, SPF_MECH_IP4);
	assert_int_equal(r->terms[0].cidr4, 24);
	assert_int_equal(r->terms[0].net.family, AF_INET);
	assert_int_equal(r->terms[1].mech, SPF_MECH_A);
	assert_int_equal(r->terms[1].qual, SPF_FAIL);
	assert_string_equal(r->terms[1].domain, "mail.%{d}");
	assert_int_equal(r->terms[1].cidr4, 28);
	assert_int_equal(r->terms[1].cidr6, 64);
	assert_int_equal(r->terms[2].qual, SPF_SOFTFAIL);
	assert_null(r->terms[2].domain);
	assert_int_equal(r->terms[3].qual, SPF_NEUTRAL);
	assert_string_equal(r->terms[3].domain, "example.org");
	assert_int_equal(r->terms[6].mech, SPF_MECH_IP6);
	assert_int_equal(r->terms[6].cidr6, 32);
	assert_int_equal(r->terms[7].mech, SPF_MECH_ALL);
	assert_int_equal(r->terms[7].qual, SPF_PASS);
	assert_string_equal(r->redirect, "other.example");
	assert_string_equal(r->exp, "why.%{d}");
	spf_record_free(r);
	/* a/mx dual CIDR without a domain */
	assert_int_equal(parse("v=spf1 a/24//64 mx//0", &r), 0);
	assert_int_equal(r->terms[0].cidr4, 24);
	assert_int_equal(r->terms[0].cidr6, 64);
	assert_int_equal(r->terms[1].cidr4, 32);
	assert_int_equal(r->terms[1].cidr6, 0);
	spf_record_free(r);
	/* multiple spaces and a trailing space */
	assert_int_equal(parse("v=spf1  a   -all ", &r), 0);
	assert_int_equal(r->nterms, 2);
	spf_record_free(r);
	assert_int_equal(parse("v=spf1", &r), 0);
	assert_int_equal(r->nterms, 0);
	spf_record_free(r);
}

static void test_record_errors(void **state)
{
	static const char *const bad[] = {
		"v=spf1 moo", "v=spf1 -all.", "v=spf1 all:x", "v=spf1 all/8", "v=spf1 ip4:1.2.3.4/33",
		"v=spf1 ip4:1.2.3.4/032", "v=spf1 ip4", "v=spf1 ip4:1.2.3", "v=spf1 ip4:1.2.3.4//32",
		"v=spf1 ip6:::1/129", "v=spf1 ip6::CAFE::BABE", "v=spf1 a:foo-bar", "v=spf1 a:museum",
		"v=spf1 a:museum.", "v=spf1 a:abc.123", "v=spf1 a:example.-com", "v=spf1 a:", "v=spf1 a/33",
		"v=spf1 a//129", "v=spf1 a/24/64", "v=spf1 include", "v=spf1 include:", "v=spf1 exists",
		"v=spf1 exists:a.example/24", "v=spf1 ptr/0", "v=spf1 ptr:", "v=spf1 =all",
		"v=spf1 1up=foo", "v=spf1 foo=%abc", "v=spf1 redirect=a.example redirect=b.example",
		"v=spf1 exp=a.example exp=b.example", "v=spf1 exp=", "v=spf1 redirect=", "v=spf1 exp=-all",
		"v=spf1 exp=%{r}.example.com", "v=spf1 a:%{a}.example.com", "v=spf1 exists:%(ir).x.com",
		"v=spf1 exists:foo%.x.com", "v=spf1 a:%{d0}.example.com", "v=spf1 a:x.example\rptr",
		"v=spf1 ip4:192.0.2.5\n", "v=spf1 a:x.example.com\xc2\x96", "v=spf1 redirect:x.example",
		"v=spf1 moo.cow/far_out=man:dog/cat", "v=spf1 a:example.com:8080",
	};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct spf_record *r = NULL;
		char why[160] = "";
		int rc = spf_record_parse(bad[i], strlen(bad[i]), &r, why, sizeof why);
		if (rc != -1)
			fail_msg("accepted bad record '%s'", bad[i]);
		assert_null(r);
		assert_true(why[0] != '\0');
	}
	{
		/* a NUL inside the record */
		struct spf_record *r;
		char why[160];
		assert_int_equal(spf_record_parse("v=spf1 a:foo.example.com\0", 25, &r, why, sizeof why), -1);
	}
}

static void test_record_good_oddities(void **state)
{
	static const char *const good[] = {
		"v=spf1 moo.cow-far_out=man:dog/cat ip4:1.2.3.4 -all", "v=spf1 a:foo:bar/baz.example.com",
		"v=spf1 a:foo.example.xn--zckzah", "v=spf1 -mx:%%%_/.Clara.de/27", "v=spf1 default=+",
		"v=spf1 a:%{H}.bar", "v=spf1 exists:%{i}.%{l2r-}.user.%{d2}", "v=spf1 redirect=%{d}.d.spf.example.com.",
		"v=spf1 a:macro%%percent%_%_space%-url-space.example.com", "v=spf1 x=%{c}%{r}%{t}",
	};
	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct spf_record *r = NULL;
		if (parse(good[i], &r) != 0)
			fail_msg("rejected good record '%s'", good[i]);
		spf_record_free(r);
	}
}

/* ---- macros ---- */

static void expand_eq(const struct spf_macro_ctx *m, unsigned flags, const char *in, const char *want)
{
	char out[512], why[160];
	int n = spf_macro_expand(in, strlen(in), m, flags, out, sizeof out, why, sizeof why);
	if (n < 0)
		fail_msg("'%s' failed: %s", in, why);
	if (strcmp(out, want) != 0)
		fail_msg("'%s' -> '%s', want '%s'", in, out, want);
	assert_int_equal((size_t)n, strlen(want));
}

static void test_macro_rfc_examples(void **state)
{
	struct am_ip ip4, ip6;
	struct spf_macro_ctx m = { .sender = "strong-bad@email.example.com", .local = "strong-bad",
				   .sender_domain = "email.example.com", .domain = "email.example.com",
				   .helo = "mx.example.org", .now = 1234567890 };
	(void)state;
	assert_true(am_ip_parse("192.0.2.3", &ip4));
	assert_true(am_ip_parse("2001:db8::cb01", &ip6));
	m.ip = &ip4;
	/* RFC 7208 §7.4 */
	expand_eq(&m, 0, "%{s}", "strong-bad@email.example.com");
	expand_eq(&m, 0, "%{o}", "email.example.com");
	expand_eq(&m, 0, "%{d}", "email.example.com");
	expand_eq(&m, 0, "%{d4}", "email.example.com");
	expand_eq(&m, 0, "%{d3}", "email.example.com");
	expand_eq(&m, 0, "%{d2}", "example.com");
	expand_eq(&m, 0, "%{d1}", "com");
	expand_eq(&m, 0, "%{dr}", "com.example.email");
	expand_eq(&m, 0, "%{d2r}", "example.email");
	expand_eq(&m, 0, "%{l}", "strong-bad");
	expand_eq(&m, 0, "%{l-}", "strong.bad");
	expand_eq(&m, 0, "%{lr}", "strong-bad");
	expand_eq(&m, 0, "%{lr-}", "bad.strong");
	expand_eq(&m, 0, "%{l1r-}", "strong");
	expand_eq(&m, 0, "%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com");
	expand_eq(&m, 0, "%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com");
	expand_eq(&m, 0, "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com");
	expand_eq(&m, 0, "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com");
	expand_eq(&m, 0, "%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net");
	m.ip = &ip6;
	expand_eq(&m, 0, "%{ir}.%{v}._spf.%{d2}",
		  "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com");
	/* the rest of the letters, escapes, URL encoding, explanation-only letters */
	expand_eq(&m, 0, "%{h}|%{p}|%%|%_|%-", "mx.example.org|unknown|%| |%20");
	expand_eq(&m, 0, "%{H}", "mx.example.org");
	expand_eq(&m, SPF_MACRO_EXP, "%{c} %{r} %{t} %{v}", "2001:db8::cb01 unknown 1234567890 ip6");
	m.receiver = "mx.receiver.example";
	m.ptr_name = "host.example.com";
	expand_eq(&m, SPF_MACRO_EXP, "%{R} %{p2}", "mx.receiver.example example.com");
	m.local = "~jack&jill=up-a_b3.c";
	expand_eq(&m, SPF_MACRO_EXP, "l=%{L}", "l=~jack%26jill%3Dup-a_b3.c");
	/* delimiters "+-=": [~jack&jill, up, a_b3.c], reversed, the right-most two */
	expand_eq(&m, 0, "%{l2r+-=}", "up.~jack&jill");
	m.local = "foo-bar+zip+quux";
	expand_eq(&m, 0, "%{l2r+-}", "bar.foo");
	/* large digit transformers mean "all parts" */
	expand_eq(&m, 0, "%{d999}", "email.example.com");
}

static void test_macro_errors(void **state)
{
	static const char *const bad[] = { "%{d0}", "%{x}", "%{c}", "%{r}.x", "%{t}", "%", "%a", "%{d", "%{d2r" ,
					   "%{ d}", "a b", "%{d}\x01" };
	struct spf_macro_ctx m = { .domain = "example.com" };
	char out[64], why[160];
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why[0] = '\0';
		if (spf_macro_expand(bad[i], strlen(bad[i]), &m, 0, out, sizeof out, why, sizeof why) != -1)
			fail_msg("accepted '%s'", bad[i]);
		assert_true(why[0] != '\0');
		assert_int_equal(spf_macro_check(bad[i], strlen(bad[i]), 0, NULL, why, sizeof why), -1);
	}
	assert_true(spf_macro_uses_p("x.%{p}.y", 8));
	assert_true(spf_macro_uses_p("%{P2}", 5));
	assert_false(spf_macro_uses_p("%%{p}", 5));
}

static void test_macro_truncation(void **state)
{
	char in[600], out[300], why[160], want[300];
	struct spf_macro_ctx m = { .sender_domain = "somewhat.long.exp.example.com" };
	int n;
	(void)state;
	snprintf(in, sizeof in, "foobar.%s.example.com", "%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}");
	n = spf_macro_expand(in, strlen(in), &m, 0, out, sizeof out, why, sizeof why);
	assert_true(n > 0 && n <= 253);
	want[0] = '\0';
	for (int i = 0; i < 8; i++)
		strcat(want, "somewhat.long.exp.example.com.");
	strcat(want, "example.com");
	assert_string_equal(out, want);
	/* a result far beyond the internal tail buffer still ends in the right 253 octets */
	{
		struct buf b;
		buf_init(&b);
		for (int i = 0; i < 400; i++)
			buf_puts(&b, "%{o}.");
		buf_puts(&b, "tail.example");
		n = spf_macro_expand(b.data, b.len, &m, 0, out, sizeof out, why, sizeof why);
		assert_true(n > 0 && n <= 253);
		assert_true(strlen(out) == (size_t)n);
		assert_string_equal(out + n - 12, "tail.example");
		assert_true(out[0] != '.');
		buf_clear(&b);
	}
	/* explanation mode cuts at the buffer */
	{
		char small[8];
		n = spf_macro_expand("%{o}", 4, &m, SPF_MACRO_EXP, small, sizeof small, why, sizeof why);
		assert_int_equal(n, 7);
		assert_string_equal(small, "somewha");
	}
}

/* ---- evaluator ---- */

static struct dns_zone *zone_of(const char *const *lines)
{
	struct dns_zone *z = dns_zone_new();
	char err[200];
	for (size_t i = 0; lines[i]; i++)
		if (dns_zone_load_line(z, lines[i], err, sizeof err) != 0)
			fail_msg("zone line '%s': %s", lines[i], err);
	return z;
}

static enum spf_result run_check(struct dns_zone *z, const struct spf_request *req, const struct spf_limits *lim,
				 struct spf_outcome *out)
{
	struct dns_resolver r = dns_zone_resolver(z);
	struct spf_check *c = spf_check_new(req, lim);
	assert_non_null(c);
	spf_check_run(c, &r, am_now_ms() + 5000);
	spf_check_result(c, out);
	assert_true(out->checked);
	spf_check_free(c);
	return out->result;
}

static void test_eval_identities(void **state)
{
	static const char *const zl[] = {
		"example.com TXT \"v=spf1 ip4:192.0.2.0/24 -all\"",
		"mx.example.com TXT \"v=spf1 a -all\"",
		"mx.example.com A 192.0.2.77",
		NULL,
	};
	struct dns_zone *z = zone_of(zl);
	struct spf_outcome o;
	struct spf_request req = { .ip = "192.0.2.10", .sender = "user@example.com", .helo = "mx.example.com" };
	(void)state;
	assert_int_equal(run_check(z, &req, NULL, &o), SPF_PASS);
	assert_string_equal(o.identity, "user@example.com");
	assert_string_equal(o.domain, "example.com");
	req.sender = "user@example.com.";            /* a trailing dot names the same domain */
	assert_int_equal(run_check(z, &req, NULL, &o), SPF_PASS);
	assert_string_equal(o.domain, "example.com");
	req.sender = "@example.com";                 /* no local part: postmaster */
	assert_int_equal(run_check(z, &req, NULL, &o), SPF_PASS);
	assert_string_equal(o.identity, "postmaster@example.com");
	/* null reverse-path, given both ways: postmaster@HELO */
	req.sender = "<>";
	assert_int_equal(run_check(z, &req, NULL, &o), SPF_FAIL);
	assert_string_equal(o.identity, "postmaster@mx.example.com");
	assert_string_equal(o.domain, "mx.example.com");
	req.sender = "";
	assert_int_equal(run_check(z, &req, NULL, &o), SPF_FAIL);
	req.ip = "192.0.2.77";
	assert_int_equal(run_check(z, &req, NULL, &o), SPF_PASS);
	/* HELO identity */
	req.sender = "user@example.com";
	req.identity = SPF_ID_HELO;
	assert_int_equal(run_check(z, &req, NULL, &o), SPF_PASS);
	assert_string_equal(o.identity, "mx.example.com");
	/* angle brackets around MAIL FROM */
	req.identity = SPF_ID_MAILFROM;
	req.ip = "192.0.2.9";
	req.sender = "<user@example.com>";
	assert_int_equal(run_check(z, &req, NULL, &o), SPF_PASS);
	assert_string_equal(o.identity, "user@example.com");
	/* a control character in the sender never reaches the explanation */
	req.ip = "198.51.100.1";
	req.sender = "a\tb@example.com";
	assert_int_equal(run_check(z, &req, NULL, &o), SPF_FAIL);
	{
		struct spf_limits lim;
		spf_limits_default(&lim);
		lim.default_explanation = "%{l} from %{i}";
		assert_int_equal(run_check(z, &req, &lim, &o), SPF_FAIL);
		assert_string_equal(o.explanation, "a?b from 198.51.100.1");
	}
	req.sender = "<user@example.com>";
	/* fail carries the default explanation, expanded */
	req.ip = "198.51.100.1";
	assert_int_equal(run_check(z, &req, NULL, &o), SPF_FAIL);
	assert_string_equal(o.explanation, "198.51.100.1 is not one of example.com's designated mail servers");
	/* the address may come parsed (the milter's struct conn_info) */
	{
		struct am_ip ip;
		assert_true(am_ip_parse("192.0.2.200", &ip));
		req.ip = NULL;
		req.addr = &ip;
		assert_int_equal(run_check(z, &req, NULL, &o), SPF_PASS);
		req.addr = NULL;
	}
	/* a bad client address is refused */
	req.ip = "not-an-ip";
	assert_null(spf_check_new(&req, NULL));
	req.ip = NULL;
	assert_null(spf_check_new(&req, NULL));
	dns_zone_free(z);
}

static void test_eval_limits(void **state)
{
	static const char *const zl[] = {
		"v.example TXT \"v=spf1 a:n1.v.example a:n2.v.example ip4:192.0.2.1 -all\"",
		"v3.example TXT \"v=spf1 a:n1.v.example a:n2.v.example a:n3.v.example ip4:192.0.2.1 -all\"",
		"t.example TXT \"v=spf1 a a a a a a a a a a ip4:192.0.2.1 -all\"",
		"t.example A 198.51.100.1",
		"t11.example TXT \"v=spf1 a a a a a a a a a a a ip4:192.0.2.1 -all\"",
		"t11.example A 198.51.100.1",
		NULL,
	};
	struct dns_zone *z = zone_of(zl);
	struct spf_outcome o;
	struct spf_limits lim;
	struct spf_request req = { .ip = "192.0.2.1", .sender = "a@v.example", .helo = "h.example" };
	(void)state;
	spf_limits_default(&lim);
	assert_int_equal(run_check(z, &req, &lim, &o), SPF_PASS);      /* 2 void lookups: ok */
	req.sender = "a@v3.example";
	assert_int_equal(run_check(z, &req, &lim, &o), SPF_PERMERROR); /* 3: over */
	assert_non_null(strstr(o.explanation, "void lookup"));
	lim.void_lookups = 3;                                          /* configurable */
	assert_int_equal(run_check(z, &req, &lim, &o), SPF_PASS);
	lim.void_lookups = 2;
	req.sender = "a@t.example";
	assert_int_equal(run_check(z, &req, &lim, &o), SPF_PASS);      /* exactly 10 terms */
	req.sender = "a@t11.example";
	assert_int_equal(run_check(z, &req, &lim, &o), SPF_PERMERROR); /* 11 */
	lim.dns_terms = 11;
	assert_int_equal(run_check(z, &req, &lim, &o), SPF_PASS);
	dns_zone_free(z);
}

static void test_eval_stepping(void **state)
{
	static const char *const zl[] = {
		"example.org TXT \"v=spf1 mx -all\"",
		"example.org MX 10 mx1.example.org",
		"example.org MX 20 mx2.example.org",
		"example.org MX 30 mx3.example.org",
		"mx1.example.org A 192.0.2.1",
		"mx2.example.org A 192.0.2.2",
		"mx3.example.org A 192.0.2.3",
		NULL,
	};
	struct spf_slow s = { 0 };
	struct dns_resolver r = spf_slow_resolver(&s);
	struct dns_zone *z;
	struct spf_request req = { .ip = "192.0.2.3", .sender = "x@example.org", .helo = "h.example" };
	struct spf_check *c;
	struct spf_outcome o;
	int steps = 0;
	(void)state;
	z = zone_of(zl);
	s.inner = dns_zone_resolver(z);
	c = spf_check_new(&req, NULL);
	spf_check_result(c, &o);
	assert_false(o.checked);
	while (spf_check_step(c, &r, 0) == SPF_STEP_NEED_DNS) {
		assert_true(++steps < 20);
		s.tick++;
	}
	/* TXT, MX, then the three A lookups together: three NEED_DNS steps */
	assert_int_equal(steps, 3);
	assert_int_equal(s.max_in_flight, 3);
	spf_check_result(c, &o);
	assert_true(o.checked);
	assert_int_equal(o.result, SPF_PASS);
	assert_string_equal(spf_check_mechanism(c), "mx");
	spf_check_free(c);
	assert_int_equal(s.outstanding, 0);

	/* prefetch: the TXT lookups of three includes go out in one round trip, not three,
	 * with the same result and the same limit counts */
	{
		static const char *const il[] = {
			"inc.example TXT \"v=spf1 include:a.inc.example include:b.inc.example include:c.inc.example -all\"",
			"a.inc.example TXT \"v=spf1 ip4:198.51.100.1 -all\"",
			"b.inc.example TXT \"v=spf1 ip4:198.51.100.2 -all\"",
			"c.inc.example TXT \"v=spf1 ip4:192.0.2.3 -all\"",
			NULL,
		};
		struct dns_zone *iz = zone_of(il);
		struct spf_request ireq = { .ip = "192.0.2.3", .sender = "x@inc.example", .helo = "h.example" };
		int nsteps[2];
		unsigned terms[2], voids[2];
		for (int pf = 0; pf < 2; pf++) {
			struct spf_slow is = { 0 };
			struct dns_resolver ir;
			struct spf_limits lim;
			spf_limits_default(&lim);
			lim.prefetch = pf;
			is.inner = dns_zone_resolver(iz);
			ir = spf_slow_resolver(&is);
			c = spf_check_new(&ireq, &lim);
			nsteps[pf] = 0;
			while (spf_check_step(c, &ir, 0) == SPF_STEP_NEED_DNS) {
				assert_true(++nsteps[pf] < 20);
				is.tick++;
			}
			spf_check_result(c, &o);
			assert_int_equal(o.result, SPF_PASS);
			spf_check_counts(c, &terms[pf], &voids[pf]);
			spf_check_free(c);
		}
		assert_int_equal(nsteps[0], 4);
		assert_int_equal(nsteps[1], 2);
		assert_int_equal(terms[0], 3);
		assert_int_equal(terms[1], 3);
		assert_int_equal(voids[0], voids[1]);
		dns_zone_free(iz);
	}

	/* a resolver that never answers: the deadline turns into temperror */
	s.never = 1;
	c = spf_check_new(&req, NULL);
	spf_check_run(c, &r, am_now_ms() + 50);
	spf_check_result(c, &o);
	assert_int_equal(o.result, SPF_TEMPERROR);
	spf_check_free(c);
	/* and the configured time limit does too, whatever the caller's deadline */
	{
		struct spf_limits lim;
		spf_limits_default(&lim);
		lim.time_limit_ms = 30;
		c = spf_check_new(&req, &lim);
		spf_check_run(c, &r, am_now_ms() + 60000);
		spf_check_result(c, &o);
		assert_int_equal(o.result, SPF_TEMPERROR);
		assert_non_null(strstr(o.explanation, "time limit"));
		spf_check_free(c);
	}
	assert_int_equal(s.outstanding, 0);
	dns_zone_free(z);
}

static void test_eval_mx_ptr_limits(void **state)
{
	struct dns_zone *z = dns_zone_new();
	char line[200], err[100];
	struct spf_outcome o;
	struct spf_request req = { .ip = "192.0.2.11", .sender = "x@mx.example", .helo = "h.example" };
	(void)state;
	dns_zone_load_line(z, "mx.example TXT \"v=spf1 mx -all\"", err, sizeof err);
	dns_zone_load_line(z, "ptr.example TXT \"v=spf1 ptr -all\"", err, sizeof err);
	for (int i = 1; i <= 11; i++) {
		snprintf(line, sizeof line, "mx.example MX %d h%d.mx.example", i, i);
		dns_zone_load_line(z, line, err, sizeof err);
		snprintf(line, sizeof line, "h%d.mx.example A 192.0.2.%d", i, i);
		dns_zone_load_line(z, line, err, sizeof err);
		snprintf(line, sizeof line, "11.2.0.192.in-addr.arpa PTR h%d.mx.example", i);
		dns_zone_load_line(z, line, err, sizeof err);
		snprintf(line, sizeof line, "h%d.ptr.example A 192.0.2.11", i);
		dns_zone_load_line(z, line, err, sizeof err);
	}
	dns_zone_load_line(z, "11.2.0.192.in-addr.arpa PTR h11.ptr.example", err, sizeof err);
	assert_int_equal(run_check(z, &req, NULL, &o), SPF_PERMERROR);   /* 11 MX names, 11th needed */
	req.ip = "192.0.2.8";
	assert_int_equal(run_check(z, &req, NULL, &o), SPF_PASS);        /* found among the first 10 */
	req.ip = "198.51.100.1";
	assert_int_equal(run_check(z, &req, NULL, &o), SPF_PERMERROR);   /* no match: the 11th counts */
	req.ip = "192.0.2.11";
	/* ptr: only the first 10 PTR names are tried; the 12th would have matched */
	req.sender = "x@ptr.example";
	assert_int_equal(run_check(z, &req, NULL, &o), SPF_FAIL);
	{
		struct spf_limits lim;
		spf_limits_default(&lim);
		lim.ptr_names = 12;
		assert_int_equal(run_check(z, &req, &lim, &o), SPF_PASS);
	}
	dns_zone_free(z);
}

/* ---- Received-SPF ---- */

static void test_header(void **state)
{
	struct spf_outcome o = { .checked = true, .result = SPF_PASS, .identity = "myname@example.com",
				 .domain = "example.com" };
	struct spf_request req = { .ip = "192.0.2.1", .sender = "myname@example.com", .helo = "foo.example.com",
				   .receiver = "mybox.example.org" };
	struct buf b;
	(void)state;
	buf_init(&b);
	assert_int_equal(spf_header_received_spf(&o, &req, "ip4:192.0.2.0/24", NULL, &b), 0);
	assert_string_equal(b.data, "pass (mybox.example.org: domain of myname@example.com designates 192.0.2.1 "
				    "as permitted sender) receiver=mybox.example.org; client-ip=192.0.2.1; "
				    "envelope-from=\"myname@example.com\"; helo=foo.example.com; identity=mailfrom; "
				    "mechanism=\"ip4:192.0.2.0/24\"");
	buf_reset(&b);
	o.result = SPF_PERMERROR;
	snprintf(o.explanation, sizeof o.explanation, "example.com: unknown mechanism 'moo'");
	req.sender = "we\"ird)(\r\nInjected: yes@example.com";
	snprintf(o.identity, sizeof o.identity, "%s", req.sender);
	assert_int_equal(spf_header_received_spf(&o, &req, NULL, NULL, &b), 0);
	assert_null(strchr(b.data, '\r'));
	assert_null(strchr(b.data, '\n'));
	assert_non_null(strstr(b.data, "permerror (mybox.example.org: permanent error in processing domain of "
					"we\"ird\\)\\(??Injected: yes@example.com)"));
	assert_non_null(strstr(b.data, "envelope-from=\"we\\\"ird)(??Injected: yes@example.com\";"));
	assert_non_null(strstr(b.data, "problem=\"example.com: unknown mechanism 'moo'\""));
	/* folded form: the fold string before each pair, no trailing ';' */
	buf_reset(&b);
	o.result = SPF_SOFTFAIL;
	req.sender = "a@example.com";
	req.helo = NULL;
	req.identity = SPF_ID_HELO;
	snprintf(o.identity, sizeof o.identity, "mx.example.org");
	assert_int_equal(spf_header_received_spf(&o, &req, "~all", "\r\n\t", &b), 0);
	assert_string_equal(b.data, "softfail (mybox.example.org: domain of transitioning mx.example.org does not "
				    "designate 192.0.2.1 as permitted sender)\r\n\treceiver=mybox.example.org;\r\n\t"
				    "client-ip=192.0.2.1;\r\n\tenvelope-from=\"a@example.com\";\r\n\tidentity=helo;"
				    "\r\n\tmechanism=~all");
	buf_clear(&b);
}

/* ---- configuration bridge ---- */

static void test_limits_from_conf(void **state)
{
	char err[512] = "";
	struct spf_limits lim;
	struct conf *c = conf_defaults();
	(void)state;
	assert_non_null(c);
	spf_limits_from_conf(c, &lim);
	assert_int_equal(lim.void_lookups, 2);
	assert_int_equal(lim.time_limit_ms, 20000);
	assert_int_equal(lim.dns_terms, 10);
	conf_free(c);
	c = conf_load_string("spf = { void_lookup_limit = 5; time_limit = 7; };", "test", err, sizeof err);
	if (c == NULL)
		fail_msg("conf: %s", err);
	spf_limits_from_conf(c, &lim);
	assert_int_equal(lim.void_lookups, 5);
	assert_int_equal(lim.time_limit_ms, 7000);
	conf_free(c);
	spf_limits_from_conf(NULL, &lim);
	assert_int_equal(lim.void_lookups, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_select),
		cmocka_unit_test(test_record_terms),
		cmocka_unit_test(test_record_errors),
		cmocka_unit_test(test_record_good_oddities),
		cmocka_unit_test(test_macro_rfc_examples),
		cmocka_unit_test(test_macro_errors),
		cmocka_unit_test(test_macro_truncation),
		cmocka_unit_test(test_eval_identities),
		cmocka_unit_test(test_eval_limits),
		cmocka_unit_test(test_eval_stepping),
		cmocka_unit_test(test_eval_mx_ptr_limits),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_limits_from_conf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
