/* test_dmarc_psl - the Public Suffix List reader (dmarc_psl.c) against the
 * publicsuffix.org test cases (tests/data/dmarc/psl/tests.txt, 78 cases), and DMARC in the
 * RFC 7489 PSL mode: policy at the author then at the registrable domain, relaxed alignment
 * by registrable domain, no tree-walk queries. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "clock.h"
#include "dmarc_eval.h"
#include "dmarc_psl.h"
#include "dmarc_report.h"
#include "dns_zone.h"
#include "idna.h"

#define PSL_PATH "tests/data/dmarc/psl/public_suffix_list.dat"
#define PSL_TESTS "tests/data/dmarc/psl/tests.txt"

static struct dmarc_psl *psl;

static int setup(void **state)
{
	char err[128];
	(void)state;
	psl = dmarc_psl_load(PSL_PATH, err, sizeof err);
	if (psl == NULL)
		fprintf(stderr, "%s\n", err);
	return psl ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	dmarc_psl_free(psl);
	return 0;
}

static void test_psl_official_cases(void **state)
{
	FILE *f = fopen(PSL_TESTS, "r");
	char line[512];
	unsigned pass = 0, failed = 0;
	(void)state;
	assert_non_null(f);
	assert_true(dmarc_psl_rules(psl) > 9000);
	while (fgets(line, sizeof line, f)) {
		char in[256], ex[256], got[AM_DOMAIN_MAX] = "null", want[AM_DOMAIN_MAX] = "null";
		if (line[0] == '/' || sscanf(line, "%255s %255s", in, ex) != 2)
			continue;
		if (strcmp(in, "null") == 0 || !dmarc_psl_registrable(psl, in, got))
			strcpy(got, "null");
		/* IDN rows give U-labels: compare in A-label form */
		if (strcmp(ex, "null") != 0)
			assert_true(idna_to_ascii(ex, strlen(ex), want, sizeof want));
		if (strcmp(got, want) != 0) {
			printf("  FAIL %s: want %s, got %s\n", in, want, got);
			failed++;
		} else {
			pass++;
		}
	}
	fclose(f);
	printf("[psl] publicsuffix.org tests.txt: %u passed, %u failed\n", pass, failed);
	assert_int_equal(pass, 78);
	assert_int_equal(failed, 0);
}

static void test_psl_parse_rules(void **state)
{
	const char *text = "// comment\ncom\n*.ck\n!www.ck\n\xe5\x85\xac\xe5\x8f\xb8.cn\ncn\n  uk   trailing words\nco.uk\n";
	char err[64], out[AM_DOMAIN_MAX];
	struct dmarc_psl *p = dmarc_psl_parse(text, strlen(text), err, sizeof err);
	(void)state;
	assert_non_null(p);
	assert_true(dmarc_psl_registrable(p, "a.b.example.co.uk", out));
	assert_string_equal(out, "example.co.uk");
	assert_true(dmarc_psl_registrable(p, "x.foo.ck.", out));     /* *.ck: foo.ck is a suffix */
	assert_string_equal(out, "x.foo.ck");
	assert_false(dmarc_psl_registrable(p, "foo.ck", out));
	assert_true(dmarc_psl_registrable(p, "a.www.ck", out));      /* !www.ck */
	assert_string_equal(out, "www.ck");
	assert_true(dmarc_psl_registrable(p, "shop.\xe5\x85\xac\xe5\x8f\xb8.cn", out));
	assert_string_equal(out, "shop.xn--55qx5d.cn");
	assert_true(dmarc_psl_registrable(p, "Example.Unlisted", out)); /* implicit "*" rule */
	assert_string_equal(out, "example.unlisted");
	assert_false(dmarc_psl_registrable(p, "com", out));
	assert_false(dmarc_psl_registrable(p, ".com", out));
	assert_false(dmarc_psl_registrable(p, "a..com", out));
	dmarc_psl_free(p);
	assert_null(dmarc_psl_parse("// only comments\n", 17, err, sizeof err));
	assert_null(dmarc_psl_load("/nonexistent/list.dat", err, sizeof err));
}

static void test_psl_mode_evaluation(void **state)
{
	struct dns_zone *z = dns_zone_new();
	struct dns_resolver r;
	struct dmarc_options opt;
	struct msg_results res;
	struct dmarc_verdict v;
	char err[128];
	(void)state;
	assert_int_equal(dns_zone_load_line(z, "_dmarc.example.co.uk TXT \"v=DMARC1; p=reject; sp=quarantine\"", err, sizeof err), 0);
	assert_int_equal(dns_zone_load_line(z, "_dmarc.co.uk TXT \"v=DMARC1; p=none; psd=y\"", err, sizeof err), 0);
	assert_int_equal(dns_zone_load_line(z, "_dmarc.mail.example.co.uk TXT \"v=DMARC1; p=none; psd=n\"", err, sizeof err), 0);
	r = dns_zone_resolver(z);
	dmarc_options_default(&opt);
	opt.psl = psl;

	/* deep author: two queries only (author, registrable domain); psd ignored */
	const char *from[] = { "x@a.b.c.d.e.f.g.h.i.mail.example.co.uk" };
	memset(&res, 0, sizeof res);
	res.dkim_count = 1;
	res.dkim[0].result = DKIM_PASS;
	strcpy(res.dkim[0].domain, "other.example.co.uk");
	struct dmarc_ctx *c = dmarc_ctx_new(&r, &opt);
	assert_int_equal(dmarc_ctx_add_from(c, from[0], strlen(from[0])), 0);
	assert_int_equal(dmarc_ctx_finish(c, &res, NULL, am_now_ms() + 1000, &v), 0);
	assert_int_equal(res.dmarc.result, DMARC_PASS);             /* relaxed by registrable domain */
	assert_string_equal(res.dmarc.org_domain, "example.co.uk");
	assert_string_equal(res.dmarc.policy_domain, "example.co.uk");
	assert_int_equal(res.dmarc.requested, DMARC_POLICY_QUARANTINE);   /* sp */
	assert_string_equal(dmarc_org_query_name(dmarc_ctx_org(c), 0), "_dmarc.a.b.c.d.e.f.g.h.i.mail.example.co.uk");
	assert_string_equal(dmarc_org_query_name(dmarc_ctx_org(c), 1), "_dmarc.example.co.uk");
	assert_null(dmarc_org_query_name(dmarc_ctx_org(c), 2));
	struct dmarc_report_row row;
	assert_true(dmarc_report_row_fill(c, &res, &v, NULL, NULL, &row));
	assert_string_equal(row.discovery_method, "psl");
	dmarc_ctx_free(c);

	/* unaligned: different registrable domains under co.uk */
	memset(&res, 0, sizeof res);
	res.spf_mailfrom.checked = true;
	res.spf_mailfrom.result = SPF_PASS;
	strcpy(res.spf_mailfrom.domain, "example2.co.uk");
	const char *from2[] = { "x@example.co.uk" };
	assert_int_equal(dmarc_evaluate(&r, &opt, from2, 1, &res, NULL, am_now_ms() + 1000, &v), 0);
	assert_int_equal(res.dmarc.result, DMARC_FAIL);
	assert_int_equal(v.disposition, DISP_REJECT);

	/* no record at author nor registrable domain: none (the PSD record is not used) */
	const char *from3[] = { "x@nothing.co.uk" };
	memset(&res, 0, sizeof res);
	assert_int_equal(dmarc_evaluate(&r, &opt, from3, 1, &res, NULL, am_now_ms() + 1000, &v), 0);
	assert_int_equal(res.dmarc.result, DMARC_NONE);
	dns_zone_free(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_psl_official_cases),
		cmocka_unit_test(test_psl_parse_rules),
		cmocka_unit_test(test_psl_mode_evaluation),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
