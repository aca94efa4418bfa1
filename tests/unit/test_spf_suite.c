/* test_spf_suite - the OpenSPF conformance suites over spf_eval + dns_zone.
 * Both the RFC 7208 suite (203 tests) and the older RFC 4408 suite (191 tests, where
 * the suite lists the RFC 7208 answer as an accepted alternative) must pass entirely.
 * The stalwartlabs/mail-auth SPF cases (163) must pass except 5 listed places where
 * mail-auth departs from RFC 7208; there the RFC answer is required. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <string.h>
#include "spf_stalwart.h"
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
	printf("RFC 7208 suite: %u scenarios, %u/%u tests passed (%u explanations checked; 4 variants "
	       "each; DNS round trips when answers come a step late: %u with prefetch, %u without)\n",
	       st.scenarios, st.passed, st.tests, st.exp_checked, st.async_steps, st.async_steps_noprefetch);
	assert_true(st.async_steps > st.tests);
	assert_true(st.async_steps <= st.async_steps_noprefetch);
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

static void test_stalwart_cases(void **state)
{
	char dir[512], path[1024];
	struct spf_suite_stats st = { 0 };
	struct dirent *e;
	DIR *d;
	unsigned files = 0;
	(void)state;
	snprintf(dir, sizeof dir, "%s/stalwart", data_dir());
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 4, ".yml") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		assert_int_equal(spf_stalwart_run(path, &st), 0);
		files++;
	}
	closedir(d);
	printf("stalwart mail-auth SPF cases: %u files, %u/%u upstream expectations met, %u where RFC 7208 "
	       "differs gave the RFC answer, %u failed (%u explanations checked)\n",
	       files, st.passed, st.tests, st.rfc_differs, st.failed, st.exp_checked);
	assert_int_equal(files, 12);
	assert_int_equal(st.tests, 163);
	assert_int_equal(st.rfc_differs, 5);
	assert_int_equal(st.passed, 158);
	assert_int_equal(st.failed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc7208_suite),
		cmocka_unit_test(test_rfc4408_suite),
		cmocka_unit_test(test_stalwart_cases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
