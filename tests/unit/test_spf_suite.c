/* test_spf_suite - the OpenSPF conformance suites over spf_eval + dns_zone.
 * Both the RFC 7208 suite (203 tests) and the older RFC 4408 suite (191 tests, where
 * the suite lists the RFC 7208 answer as an accepted alternative) must pass entirely. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include "spf_suite.h"

static const char *data_dir(void)
{
	const char *d = getenv("SPF_SUITE_DIR");
	return d ? d : "tests/data/spf";
}

static void test_rfc7208_suite(void **state)
{
	char path[512];
	struct spf_suite_stats st;
	(void)state;
	snprintf(path, sizeof path, "%s/rfc7208-tests.tsv", data_dir());
	assert_int_equal(spf_suite_run(path, &st), 0);
	printf("RFC 7208 suite: %u scenarios, %u/%u tests passed (%u explanations checked)\n",
	       st.scenarios, st.passed, st.tests, st.exp_checked);
	assert_int_equal(st.scenarios, 16);
	assert_int_equal(st.tests, 203);
	assert_int_equal(st.failed, 0);
}

static void test_rfc4408_suite(void **state)
{
	char path[512];
	struct spf_suite_stats st;
	(void)state;
	snprintf(path, sizeof path, "%s/rfc4408-tests.tsv", data_dir());
	assert_int_equal(spf_suite_run(path, &st), 0);
	printf("RFC 4408 suite: %u scenarios, %u/%u tests passed (%u explanations checked)\n",
	       st.scenarios, st.passed, st.tests, st.exp_checked);
	assert_int_equal(st.tests, 191);
	assert_int_equal(st.failed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc7208_suite),
		cmocka_unit_test(test_rfc4408_suite),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
