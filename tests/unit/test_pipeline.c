/* test_pipeline - outbound detection, Authentication-Results writing and matching, the
 * forged-header removal order, and the summary line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "authres.h"
#include "conf.h"
#include "dns_zone.h"
#include "msg_eval.h"
#include "outbound.h"
#include "summary.h"

static struct conf *conf_text(const char *t)
{
	char err[1024];
	struct conf *c = conf_load_string(t, "t.conf", err, sizeof err);
	if (c == NULL)
		fail_msg("%s", err);
	return c;
}

static void test_outbound(void **state)
{
	struct conf *c = conf_text("outbound: { internal_hosts = [ \"10.0.0.0/8\", \"2001:db8::/32\" ]; submission_daemons = [ \"ORIGINATING\" ]; };");
	struct am_ip ip;
	(void)state;
	am_ip_parse("192.0.2.1", &ip);
	assert_int_equal(outbound_decide(c, &ip, NULL, "smtpd"), OUTBOUND_NO);
	assert_int_equal(outbound_decide(c, &ip, "", "smtpd"), OUTBOUND_NO);
	assert_int_equal(outbound_decide(c, &ip, "alice", "smtpd"), OUTBOUND_AUTH);
	assert_int_equal(outbound_decide(c, &ip, NULL, "ORIGINATING"), OUTBOUND_DAEMON);
	assert_int_equal(outbound_decide(c, NULL, NULL, NULL), OUTBOUND_NO);
	am_ip_parse("10.1.2.3", &ip);
	assert_int_equal(outbound_decide(c, &ip, NULL, NULL), OUTBOUND_INTERNAL);
	am_ip_parse("2001:db8::25", &ip);
	assert_int_equal(outbound_decide(c, &ip, NULL, NULL), OUTBOUND_INTERNAL);
	am_ip_parse("::ffff:10.9.9.9", &ip);
	assert_int_equal(outbound_decide(c, &ip, NULL, NULL), OUTBOUND_INTERNAL);
	conf_free(c);
	c = conf_text("outbound: { authenticated = false; internal_hosts = []; };");
	am_ip_parse("127.0.0.1", &ip);
	assert_int_equal(outbound_decide(c, &ip, "alice", NULL), OUTBOUND_NO);
	conf_free(c);
}

static void test_authres_claims(void **state)
{
	(void)state;
	assert_true(authres_claims_id(" mx.example.com; spf=pass", "mx.example.com"));
	assert_true(authres_claims_id(" MX.Example.COM;\r\n\tdkim=pass", "mx.example.com"));
	assert_true(authres_claims_id("\r\n (forged) mx.example.com 1; none", "mx.example.com"));
	assert_true(authres_claims_id(" (a (nested) comment)mx.example.com;", "mx.example.com"));
	assert_true(authres_claims_id(" \"mx.example.com\"; none", "mx.example.com"));
	assert_false(authres_claims_id(" mx.example.com.evil; none", "mx.example.com"));
	assert_false(authres_claims_id(" other.example; dkim=pass header.d=mx.example.com", "mx.example.com"));
	assert_false(authres_claims_id("", "mx.example.com"));
}

static void test_authres_format(void **state)
{
	struct msg_results r;
	struct buf b;
	(void)state;
	memset(&r, 0, sizeof r);
	buf_init(&b);
	authres_format(&r, "mx.example.com", "\r\n\t", &b);
	assert_string_equal(b.data, "mx.example.com; none");
	buf_reset(&b);
	r.spf_mailfrom.checked = true;
	r.spf_mailfrom.result = SPF_PASS;
	snprintf(r.spf_mailfrom.identity, sizeof r.spf_mailfrom.identity, "bob@example.org");
	r.dkim_count = 1;
	r.dkim[0].result = DKIM_PASS;
	snprintf(r.dkim[0].domain, sizeof r.dkim[0].domain, "example.org");
	snprintf(r.dkim[0].selector, sizeof r.dkim[0].selector, "s1");
	snprintf(r.dkim[0].algorithm, sizeof r.dkim[0].algorithm, "ed25519-sha256");
	snprintf(r.dkim[0].b_prefix, sizeof r.dkim[0].b_prefix, "abc+/def");
	r.dmarc.checked = true;
	r.dmarc.result = DMARC_PASS;
	r.dmarc.requested = DMARC_POLICY_REJECT;
	r.dmarc.rec_p = r.dmarc.rec_sp = DMARC_POLICY_REJECT;
	snprintf(r.dmarc.from_domain, sizeof r.dmarc.from_domain, "example.org");
	authres_format(&r, "mx.example.com", "\r\n\t", &b);
	assert_string_equal(b.data, "mx.example.com;\r\n\tspf=pass smtp.mailfrom=bob@example.org;\r\n\t"
				    "dkim=pass header.d=example.org header.s=s1 header.a=ed25519-sha256 header.b=abc+/def;\r\n\t"
				    "dmarc=pass (p=reject sp=reject dis=none) header.from=example.org policy.dmarc=reject");
	buf_clear(&b);
}

static void test_forged_removed_last_first(void **state)
{
	struct conf *c = conf_text("authserv_id = \"mx.example.com\";");
	struct dns_zone *z = dns_zone_new();
	struct dns_resolver r = dns_zone_resolver(z);
	struct conn_info ci;
	struct msg_env env;
	struct msg_eval *me;
	struct verdict v;
	struct buf line;
	(void)state;
	memset(&env, 0, sizeof env);
	env.conf = c;
	env.dns = &r;
	memset(&ci, 0, sizeof ci);
	ci.have_ip = am_ip_parse("192.0.2.7", &ci.ip);
	snprintf(ci.helo, sizeof ci.helo, "client.example");
	me = msg_eval_new(&env, &ci);
	msg_eval_set_queue_id(me, "ABC123");
	assert_int_equal(msg_eval_mail(me, "x@example.org", NULL, &v), DISP_ACCEPT);
	msg_eval_header(me, "Authentication-Results", " mx.example.com; spf=pass");
	msg_eval_header(me, "From", " x@example.org");
	msg_eval_header(me, "authentication-results", " other.example; dkim=pass");
	msg_eval_header(me, "AUTHENTICATION-RESULTS", "\n\tmx.EXAMPLE.com;\n\tdmarc=pass");
	msg_eval_eoh(me);
	msg_eval_body(me, "hi\r\n", 4);
	msg_eval_eom(me, 0, &v);
	/* occurrences 3 and 1 claim our id: deleted in the order 3, then 1 */
	assert_int_equal(v.nedits, 3);
	assert_int_equal(v.edits[0].op, EDIT_DELETE);
	assert_int_equal(v.edits[0].index, 3);
	assert_int_equal(v.edits[1].op, EDIT_DELETE);
	assert_int_equal(v.edits[1].index, 1);
	assert_int_equal(v.edits[2].op, EDIT_INSERT);
	assert_int_equal(v.edits[2].index, 0);
	assert_string_equal(v.edits[2].name, "Authentication-Results");
	assert_int_equal(v.disp, DISP_ACCEPT);
	buf_init(&line);
	summary_format(me, &ci, &v, 3, false, &line);
	assert_non_null(strstr(line.data, "queue_id=ABC123 client=192.0.2.7"));
	assert_non_null(strstr(line.data, "forged_ar_removed=2"));
	assert_non_null(strstr(line.data, "action=accept ms=3"));
	buf_reset(&line);
	summary_format(me, &ci, &v, 3, true, &line);
	assert_non_null(strstr(line.data, "{\"queue_id\":\"ABC123\""));
	buf_clear(&line);
	verdict_clear(&v);
	msg_eval_free(me);

	/* outbound mail: no A-R of ours, but forged ones still go */
	me = msg_eval_new(&env, &ci);
	assert_int_equal(msg_eval_mail(me, "x@example.org", "alice", &v), DISP_ACCEPT);
	msg_eval_header(me, "Authentication-Results", " mx.example.com; spf=pass");
	msg_eval_eom(me, 0, &v);
	assert_int_equal(v.nedits, 1);
	assert_int_equal(v.edits[0].op, EDIT_DELETE);
	assert_true(msg_eval_results(me)->outbound);
	verdict_clear(&v);
	msg_eval_free(me);
	dns_zone_free(z);
	conf_free(c);
}

/* forged A-R beyond the header list's field limit, and more of them than a fixed edit
 * array held: every one is deleted, and our own A-R is still added */
static void test_forged_removed_beyond_limits(void **state)
{
	struct conf *c = conf_text("authserv_id = \"mx.example.com\"; dmarc: { enabled = false; };");
	struct dns_zone *z = dns_zone_new();
	struct dns_resolver r = dns_zone_resolver(z);
	struct conn_info ci;
	struct msg_env env;
	struct msg_eval *me;
	struct verdict v;
	(void)state;
	memset(&env, 0, sizeof env);
	env.conf = c;
	env.dns = &r;
	memset(&ci, 0, sizeof ci);
	ci.have_ip = am_ip_parse("192.0.2.7", &ci.ip);
	me = msg_eval_new(&env, &ci);
	assert_int_equal(msg_eval_mail(me, "x@example.org", NULL, &v), DISP_ACCEPT);
	for (int i = 0; i < HDR_MAX_FIELDS; i++)
		msg_eval_header(me, "X-Filler", " x");
	msg_eval_header(me, "Authentication-Results", " other.example; spf=pass");
	for (int i = 0; i < 60; i++)
		msg_eval_header(me, "Authentication-Results", " mx.example.com; dkim=pass");
	msg_eval_header(me, "From", " x@example.org");
	msg_eval_eoh(me);
	msg_eval_body(me, "hi\r\n", 4);
	msg_eval_eom(me, 0, &v);
	assert_int_equal(v.nedits, 61);
	for (size_t i = 0; i < 60; i++) {
		assert_int_equal(v.edits[i].op, EDIT_DELETE);
		assert_int_equal(v.edits[i].index, 61 - i);       /* occurrences 61..2 */
	}
	assert_int_equal(v.edits[60].op, EDIT_INSERT);
	assert_string_equal(v.edits[60].name, "Authentication-Results");
	assert_int_equal(msg_eval_forged_removed(me), 60);
	verdict_clear(&v);
	msg_eval_free(me);
	dns_zone_free(z);
	conf_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outbound),
		cmocka_unit_test(test_authres_claims),
		cmocka_unit_test(test_authres_format),
		cmocka_unit_test(test_forged_removed_last_first),
		cmocka_unit_test(test_forged_removed_beyond_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
