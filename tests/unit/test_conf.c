/* test_conf - configuration loading: defaults, types, ranges, unknown options with
 * file:line, signing tables, and that the shipped example and man page cover every
 * option in the schema. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "test_files.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conf.h"
#include "conf_live.h"

static struct conf *load(const char *text, char *err, size_t errlen)
{
	return conf_load_string(text, "test.conf", err, errlen);
}

static void test_defaults(void **state)
{
	char err[1024];
	struct conf *c = load("", err, sizeof err);
	(void)state;
	assert_non_null(c);
	assert_string_equal(c->milter.socket, "inet:8891@127.0.0.1");
	assert_int_equal(c->milter.socket_mode, 0660);
	assert_int_equal(c->dns.tries, 3);
	assert_true(c->dkim.oversign);
	assert_false(c->spf.reject_on_fail);
	assert_int_equal(c->outbound.internal_hosts.n, 2);
	assert_int_equal(c->outbound.submission_daemons.n, 1);
	assert_true(c->authserv_id[0] != '\0');          /* the host name */
	assert_true(c->dkim.sign_headers.n > 10);
	conf_free(c);
}

static void test_values(void **state)
{
	char err[1024];
	struct conf *c = load("authserv_id = \"mx.example.com\";\n"
			      "milter: { socket = \"unix:/run/authmilter/sock\"; socket_mode = \"0600\"; };\n"
			      "dns: { servers = [ \"127.0.0.1:5353\", \"[::1]:53\" ]; timeout = 500; };\n"
			      "outbound: { internal_hosts = [ \"10.0.0.0/8\", \"2001:db8::/32\" ]; };\n"
			      "dmarc: { enforce = false; from_policy = \"strictest\"; };\n",
			      err, sizeof err);
	(void)state;
	assert_non_null(c);
	assert_string_equal(c->authserv_id, "mx.example.com");
	assert_int_equal(c->milter.socket_mode, 0600);
	assert_int_equal(c->dns.servers.n, 2);
	assert_string_equal(c->dns.servers.v[1], "[::1]:53");
	assert_int_equal(c->dns.timeout, 500);
	assert_int_equal(c->outbound.internal_hosts.n, 2);
	assert_false(c->dmarc.enforce);
	assert_string_equal(c->dmarc.from_policy, "strictest");
	conf_free(c);
}

/* expect_error - loading fails and the messages contain want. */
static void expect_error(const char *text, const char *want)
{
	char err[2048];
	struct conf *c = load(text, err, sizeof err);
	assert_null(c);
	if (strstr(err, want) == NULL)
		fail_msg("error '%s' does not contain '%s'", err, want);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("milter: {\n  sockett = \"x\";\n};\n", "test.conf:2: unknown option 'milter.sockett' (did you mean 'milter.socket'?)");
	expect_error("dns: { timeout = \"5\"; };", "test.conf:1: option 'dns.timeout' must be an integer");
	expect_error("dns: { timeout = 1; };", "outside 50..60000");
	expect_error("log: { format = \"xml\"; };", "expected one of text|json");
	expect_error("\n\nfoo = 1;", "test.conf:3: unknown option 'foo'");
	expect_error("milter: { socket = \"tcp:25\"; };", "option 'milter.socket' is \"tcp:25\"");
	expect_error("dns: { servers = [ \"::1:53\" ]; };", "is not host:port");
	expect_error("outbound: { internal_hosts = [ \"10.0.0.0/40\" ]; };", "not an address or address/prefix");
	expect_error("spf: { enabled = 1; };", "must be true or false");
	expect_error("milter: { socket_mode = \"999\"; };", "octal mode");
	expect_error("this is not libconfig", "test.conf:1:");
	expect_error("dns: { min_ttl = 100; max_ttl = 10; };", "dns.min_ttl (100) is larger");
	expect_error("authserv_id = \"bad id\";", "is not a host name");
	/* every error is reported, not only the first */
	{
		char err[2048];
		assert_null(load("a = 1;\nb = 2;\n", err, sizeof err));
		assert_non_null(strstr(err, "'a'"));
		assert_non_null(strstr(err, "'b'"));
	}
}

static void test_signing_tables(void **state)
{
	char err[2048];
	const char *good =
		"dkim: { keys = ( { name = \"r\"; domain = \"Example.COM\"; selector = \"s1\"; key_file = \"/k/r.pem\"; },\n"
		"                 { name = \"e\"; domain = \"example.com\"; selector = \"s2\"; algorithm = \"ed25519-sha256\"; key_file = \"/k/e.pem\"; } );\n"
		"        signing_table = ( { domain = \"example.com\"; keys = [ \"r\", \"e\" ]; }, { domain = \"*.example.com\"; keys = [ \"r\" ]; } ); };";
	struct conf *c = load(good, err, sizeof err);
	(void)state;
	assert_non_null(c);
	assert_int_equal(c->dkim.nkeys, 2);
	assert_string_equal(c->dkim.keys[0].domain, "example.com");
	assert_string_equal(c->dkim.keys[0].algorithm, "rsa-sha256");
	assert_int_equal(c->dkim.nrules, 2);
	assert_int_equal(c->dkim.rules[0].keys.n, 2);
	conf_free(c);
	expect_error("dkim: { keys = ( { name = \"r\"; domain = \"e.com\"; selector = \"s\"; algorithm = \"rsa-sha1\"; key_file = \"/k\"; } ); };",
		     "rsa-sha1 is never used");
	expect_error("dkim: { keys = ( { name = \"r\"; domain = \"e.com\"; key_file = \"/k\"; } ); };", "'selector' is missing");
	expect_error("dkim: { signing_table = ( { domain = \"e.com\"; keys = [ \"nokey\" ]; } ); };",
		     "names key 'nokey', which dkim.keys does not define");
	expect_error("dkim: { keys = ( { name = \"r\"; domain = \"e.com\"; selector = \"s\"; key_file = \"/k\"; colour = \"red\"; } ); };",
		     "unknown member 'colour'");
}

/* file_text - a file of the source tree (tests run from the top directory). */
static char *file_text(const char *path)
{
	return test_read_file(path, NULL);
}

static void test_example_and_manual_cover_schema(void **state)
{
	char err[2048];
	char *example = file_text("conf/authmilter.conf"), *man = file_text("docs/authmilter.conf.5");
	struct conf *c;
	(void)state;
	assert_non_null(example);
	assert_non_null(man);
	c = conf_load("conf/authmilter.conf", err, sizeof err);
	if (c == NULL)
		fail_msg("conf/authmilter.conf does not load: %s", err);
	conf_free(c);
	for (size_t i = 0; i < conf_option_count; i++) {
		const char *path = conf_options[i].path, *dot = strrchr(path, '.');
		char line[128];
		snprintf(line, sizeof line, "%s = ", dot ? dot + 1 : path);
		if (strstr(example, line) == NULL)
			fail_msg("conf/authmilter.conf does not list %s", path);
		/* the man page names each option by its full path (groff escapes '-' as '\-') */
		{
			char esc[160];
			size_t o = 0;
			for (const char *p = path; *p && o + 3 < sizeof esc; p++) {
				if (*p == '-')
					esc[o++] = '\\';
				esc[o++] = *p;
			}
			esc[o] = '\0';
			if (strstr(man, esc) == NULL && strstr(man, path) == NULL)
				fail_msg("docs/authmilter.conf.5 does not document %s", path);
		}
	}
	free(example);
	free(man);
}

static int freed;
static void count_free(void *p)
{
	(void)p;
	freed++;
}

static void test_live_snapshots(void **state)
{
	char err[256];
	struct conf_snapshot *a, *b;
	(void)state;
	freed = 0;
	assert_int_equal(conf_live_install(load("", err, sizeof err), NULL, count_free), 0);
	a = conf_live_acquire();
	assert_int_equal(conf_live_install(load("dns: { tries = 5; };", err, sizeof err), NULL, count_free), 0);
	/* the message that started before the reload keeps its snapshot */
	assert_int_equal(a->conf->dns.tries, 3);
	assert_int_equal(freed, 0);
	b = conf_live_acquire();
	assert_int_equal(b->conf->dns.tries, 5);
	conf_live_release(a);
	assert_int_equal(freed, 1);               /* the old one goes with its last user */
	conf_live_release(b);
	conf_live_shutdown();
	assert_int_equal(freed, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_signing_tables),
		cmocka_unit_test(test_example_and_manual_cover_schema),
		cmocka_unit_test(test_live_snapshots),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
