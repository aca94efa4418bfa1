/* test_dmarc_conf - conf->dmarc mapped onto struct dmarc_options, defaults and each option,
 * and a reject through the mapped options. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "clock.h"
#include "conf.h"
#include "dmarc_conf.h"
#include "dmarc_psl.h"
#include "dns_zone.h"

static void test_dmarc_conf_defaults(void **state)
{
	struct conf *cf = conf_defaults();
	struct dmarc_options o;
	(void)state;
	assert_non_null(cf);
	dmarc_options_from_conf(cf, NULL, &o);
	assert_true(o.enforce);
	assert_int_equal(o.from_policy, DMARC_FROM_REJECT);
	assert_true(o.tempfail_on_temperror);
	assert_true(o.pct0_is_testing);
	assert_int_equal(o.n_allow_domains, 0);
	assert_int_equal(o.n_allow_networks, 0);
	assert_null(o.psl);
	conf_free(cf);
}

static void test_dmarc_conf_values(void **state)
{
	const char *text =
		"dmarc: { enforce = false; from_policy = \"strictest\"; temperror_action = \"accept\";\n"
		"  org_domain_method = \"psl\"; allow_domains = [ \"lists.example.org\" ];\n"
		"  allow_networks = [ \"192.0.2.0/24\" ]; reject_text = \"No: %d\"; };\n";
	char err[512];
	struct conf *cf = conf_load_string(text, "t.conf", err, sizeof err);
	struct dmarc_options o;
	struct am_ip ip;
	struct dmarc_psl *psl = dmarc_psl_parse("com\norg\n", 8, err, sizeof err);
	(void)state;
	if (cf == NULL)
		fail_msg("%s", err);
	assert_non_null(psl);
	dmarc_options_from_conf(cf, psl, &o);
	assert_false(o.enforce);
	assert_int_equal(o.from_policy, DMARC_FROM_STRICTEST);
	assert_false(o.tempfail_on_temperror);
	assert_ptr_equal(o.psl, psl);
	assert_int_equal(o.n_allow_domains, 1);
	assert_string_equal(o.allow_domains[0], "lists.example.org");
	assert_int_equal(o.n_allow_networks, 1);
	assert_true(am_ip_parse("192.0.2.77", &ip));
	assert_true(am_cidr_match(&o.allow_networks[0], &ip));
	assert_string_equal(o.reject_text, "No: %d");

	/* the mapped options at work: monitor mode turns the reject into accept */
	struct dns_zone *z = dns_zone_new();
	struct dns_resolver r = dns_zone_resolver(z);
	struct msg_results res;
	struct dmarc_verdict v;
	const char *from[] = { "a@example.com" };
	assert_int_equal(dns_zone_add(z, "_dmarc.example.com", DNS_T_TXT, "v=DMARC1; p=reject"), 0);
	memset(&res, 0, sizeof res);
	assert_int_equal(dmarc_evaluate(&r, &o, from, 1, &res, NULL, am_now_ms() + 1000, &v), 0);
	assert_int_equal(res.dmarc.result, DMARC_FAIL);
	assert_int_equal(v.disposition, DISP_ACCEPT);
	assert_int_equal(v.override, DMARC_OVERRIDE_LOCAL_POLICY);
	o.enforce = true;
	assert_int_equal(dmarc_evaluate(&r, &o, from, 1, &res, NULL, am_now_ms() + 1000, &v), 0);
	assert_int_equal(v.disposition, DISP_REJECT);
	assert_string_equal(v.smtp_text, "No: example.com");
	dns_zone_free(z);
	dmarc_psl_free(psl);
	conf_free(cf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dmarc_conf_defaults),
		cmocka_unit_test(test_dmarc_conf_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
