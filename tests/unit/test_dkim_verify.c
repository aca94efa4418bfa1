/* test_dkim_verify - the per-message verifier against the in-memory zone: dkimpy's test
 * vectors (RFC 6376 / RFC 8463 examples), stalwart's messages, the Mail::DKIM corpus, and
 * dkimpy-signed fixtures with one defect each (tests/data/dkim-verify/README.md). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "test_files.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "clock.h"
#include "dkim_verify.h"
#include "dns_zone.h"
#include "hdr.h"

#define DATA "tests/data/dkim-verify/"

static char *slurp(const char *path, size_t *len)
{
	char *s = test_read_file(path, len);
	if (s == NULL)
		fail_msg("cannot read %s", path);
	return s;
}

/* run_msg - verify a message (any line ends) feeding the body in chunks of `chunk`
 * bytes; returns the dkim_verify_finish status. */
static int run_msg(const char *msg, size_t len, const struct dns_resolver *r,
		   const struct dkim_verify_limits *lim, size_t chunk, struct msg_results *out)
{
	struct buf crlf;
	struct hdr_list hl;
	struct dkim_verify *v;
	size_t body;
	int rc;
	buf_init(&crlf);
	hdr_list_init(&hl);
	assert_int_equal(hdr_to_crlf(msg, len, &crlf), 0);
	assert_int_equal(hdr_split_message(crlf.data, crlf.len, &hl, &body), 0);
	v = dkim_verify_new(lim, r);
	assert_non_null(v);
	for (size_t i = 0; i < hl.count; i++)
		assert_int_equal(dkim_verify_header(v, hl.f[i].name, hl.f[i].value), 0);
	assert_int_equal(dkim_verify_eoh(v), 0);
	for (size_t off = body; off < crlf.len; off += chunk)
		assert_int_equal(dkim_verify_body(v, crlf.data + off,
						  crlf.len - off < chunk ? crlf.len - off : chunk), 0);
	memset(out, 0, sizeof *out);
	rc = dkim_verify_finish(v, am_now_ms() + 2000, out);
	dkim_verify_free(v);
	hdr_list_clear(&hl);
	buf_clear(&crlf);
	return rc;
}

static void run_file(const char *path, const struct dns_resolver *r, const struct dkim_verify_limits *lim,
		     struct msg_results *out)
{
	size_t len;
	char *msg = slurp(path, &len);
	assert_int_equal(run_msg(msg, len, r, lim, 4096, out), 0);
	free(msg);
}

/* expect - signature i has result res and its reason contains why ("" = empty reason). */
static void expect(const struct msg_results *mr, size_t i, enum dkim_result res, const char *why,
		   const char *what)
{
	if (i >= mr->dkim_count)
		fail_msg("%s: no signature %zu (have %zu)", what, i, mr->dkim_count);
	if (mr->dkim[i].result != res)
		fail_msg("%s: signature %zu is %s (%s), want %s", what, i, dkim_result_name(mr->dkim[i].result),
			 mr->dkim[i].reason, dkim_result_name(res));
	if (why[0] == '\0' ? mr->dkim[i].reason[0] != '\0' : strstr(mr->dkim[i].reason, why) == NULL)
		fail_msg("%s: reason '%s', want '%s'", what, mr->dkim[i].reason, why);
}

static struct dns_zone *zone_file(const char *path)
{
	char err[256];
	struct dns_zone *z = dns_zone_new();
	assert_non_null(z);
	if (dns_zone_load_file(z, path, err, sizeof err) < 0)
		fail_msg("%s", err);
	return z;
}

/* ---- dkimpy test data: RFC 6376 / RFC 8463 examples and others ---- */

static void add_dkimpy_dns(struct dns_zone *z)
{
	static const char *names[] = {
		"20120113._domainkey.gmail.com", "brisbane._domainkey.football.example.com",
		"sed._domainkey.test.ex", "test._domainkey.example.com",
	};
	char path[256];
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		size_t len;
		char *v;
		snprintf(path, sizeof path, DATA "dkimpy/dns/%s.txt", names[i]);
		v = slurp(path, &len);
		while (len > 0 && (v[len - 1] == '\n' || v[len - 1] == '\r'))
			len--;
		assert_int_equal(dns_zone_add_txt(z, names[i], v, len), 0);
		free(v);
	}
}

static void test_dkimpy_vectors(void **state)
{
	struct msg_results mr;
	struct dns_zone *z = dns_zone_new(), *bad = dns_zone_new();
	struct dns_resolver r, rb;
	size_t len;
	char *v;
	(void)state;
	add_dkimpy_dns(z);
	add_dkimpy_dns(bad);
	v = slurp(DATA "dkimpy/dns/test._domainkey.football.example.com.txt", &len);
	assert_int_equal(dns_zone_add_txt(z, "test._domainkey.football.example.com", v, strcspn(v, "\r\n")), 0);
	free(v);
	v = slurp(DATA "dkimpy/test_bad.txt", &len);
	assert_int_equal(dns_zone_add_txt(bad, "test._domainkey.football.example.com", v, strcspn(v, "\r\n")), 0);
	free(v);
	r = dns_zone_resolver(z);
	rb = dns_zone_resolver(bad);

	/* RFC 6376 Appendix A message signed with both RFC 8463 keys */
	run_file(DATA "dkimpy/rfc6376.signed.msg", &r, NULL, &mr);
	assert_int_equal(mr.dkim_count, 2);
	expect(&mr, 0, DKIM_PASS, "", "rfc6376.signed ed25519");
	assert_string_equal(mr.dkim[0].algorithm, "ed25519-sha256");
	assert_string_equal(mr.dkim[0].selector, "brisbane");
	expect(&mr, 1, DKIM_PASS, "", "rfc6376.signed rsa");
	assert_string_equal(mr.dkim[1].domain, "football.example.com");
	assert_string_equal(mr.dkim[1].identity, "@football.example.com");
	assert_int_equal(strlen(mr.dkim[1].b_prefix), 8);
	run_file(DATA "dkimpy/rfc6376.signed.rsa.msg", &r, NULL, &mr);
	assert_int_equal(mr.dkim_count, 1);
	expect(&mr, 0, DKIM_PASS, "", "rfc6376.signed.rsa");
	/* the same with the altered key: fail */
	run_file(DATA "dkimpy/rfc6376.signed.rsa.msg", &rb, NULL, &mr);
	assert_int_not_equal(mr.dkim[0].result, DKIM_PASS);
	run_file(DATA "dkimpy/ed25519test2.msg", &r, NULL, &mr);
	expect(&mr, 0, DKIM_PASS, "", "ed25519test2 (Exim)");
	run_file(DATA "dkimpy/test2.message", &r, NULL, &mr);
	expect(&mr, 0, DKIM_PASS, "", "test2.message (degenerate folding)");
	run_file(DATA "dkimpy/test.message.baddomain", &r, NULL, &mr);
	expect(&mr, 0, DKIM_PERMERROR, "d= is not a valid domain", "baddomain");
	assert_string_equal(mr.dkim[0].domain, "");
	dns_zone_free(z);
	dns_zone_free(bad);
}

/* ---- stalwart mail-auth DKIM messages (DNS records above the first empty line) ---- */

static void run_stalwart(const char *name, const struct dkim_verify_limits *lim, struct msg_results *mr)
{
	char path[256];
	size_t len, off = 0;
	char *f, *msg;
	struct dns_zone *z = dns_zone_new();
	struct dns_resolver r;
	snprintf(path, sizeof path, DATA "stalwart/%s", name);
	f = slurp(path, &len);
	msg = strstr(f, "\n\n");
	assert_non_null(msg);
	*msg = '\0';
	msg += 2;
	while (off < (size_t)(msg - 2 - f)) {
		char *line = f + off, *nl = strchr(line, '\n'), *sp;
		size_t ll = nl ? (size_t)(nl - line) : strlen(line);
		line[ll] = '\0';
		sp = strchr(line, ' ');
		assert_non_null(sp);
		*sp = '\0';
		assert_int_equal(dns_zone_add_txt(z, line, sp + 1, strlen(sp + 1)), 0);
		off += ll + 1;
	}
	r = dns_zone_resolver(z);
	assert_int_equal(run_msg(msg, len - (size_t)(msg - f), &r, lim, 1000, mr), 0);
	dns_zone_free(z);
	free(f);
}

static void test_stalwart(void **state)
{
	struct dkim_verify_limits lim;
	struct msg_results mr;
	static const char *files[] = { "001.txt", "002.txt", "003.txt", "005.txt", "006.txt" };
	(void)state;
	dkim_verify_limits_default(&lim);
	lim.now = 1667843664;    /* upstream's verification clock */
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		run_stalwart(files[i], &lim, &mr);
		assert_true(mr.dkim_count >= 1);
		for (size_t k = 0; k < mr.dkim_count; k++)
			expect(&mr, k, DKIM_PASS, "", files[i]);
	}
	/* 004: t= lies 19137 s after upstream's clock; dkimpy allows 10 h, we allow 300 s */
	run_stalwart("004.txt", &lim, &mr);
	expect(&mr, 0, DKIM_FAIL, "timestamp in the future", "004 default skew");
	lim.clock_skew = 36000;
	run_stalwart("004.txt", &lim, &mr);
	expect(&mr, 0, DKIM_PASS, "", "004 with dkimpy's 10 h allowance");
	/* 005 carries x=1667930064: expired at any later clock */
	lim.now = 1667930065;
	run_stalwart("005.txt", &lim, &mr);
	expect(&mr, 0, DKIM_FAIL, "signature expired", "005 after x=");
}

/* ---- Mail::DKIM corpus ---- */

static struct dns_zone *mail_dkim_zone(void)
{
	FILE *f = fopen(DATA "mail-dkim/FAKE_DNS.dat", "r");
	struct dns_zone *z = dns_zone_new();
	char line[2048], err[128];
	assert_non_null(f);
	while (fgets(line, sizeof line, f)) {
		char *v, zl[2100];
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == ';' || line[0] == '\0')
			continue;
		v = line + strcspn(line, " \t");
		*v++ = '\0';
		v += strspn(v, " \t");
		if (strcmp(v, "NXDOMAIN") == 0)
			continue;
		if (strcmp(v, "~~Query timed out~~") == 0)
			snprintf(zl, sizeof zl, "%s TIMEOUT", line);
		else if (strcmp(v, "~~SERVFAIL~~") == 0)
			snprintf(zl, sizeof zl, "%s SERVFAIL", line);
		else
			snprintf(zl, sizeof zl, "%s TXT %s", line, v);
		if (dns_zone_load_line(z, zl, err, sizeof err) < 0)
			fail_msg("%s", err);
	}
	fclose(f);
	return z;
}

static void test_mail_dkim_corpus(void **state)
{
	FILE *f = fopen(DATA "mail-dkim/expected.tsv", "r");
	struct dns_zone *z = mail_dkim_zone();
	struct dns_resolver r = dns_zone_resolver(z);
	struct msg_results mr;
	char line[1024];
	unsigned total = 0, current = 0, current_ok = 0, dk_none = 0, legacy_notpass = 0;
	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof line, f)) {
		char *fld[8] = { 0 }, *p = line, path[256];
		size_t n = 0;
		if (line[0] == '#')
			continue;
		line[strcspn(line, "\r\n")] = '\0';
		while (n < 8) {
			fld[n++] = p;
			p = strchr(p, '\t');
			if (p == NULL)
				break;
			*p++ = '\0';
		}
		assert_int_equal(n, 8);
		snprintf(path, sizeof path, DATA "mail-dkim/%s", fld[0]);
		run_file(path, &r, NULL, &mr);
		total++;
		if (strcmp(fld[7], "-") == 0) {
			/* current algorithm, current key: Mail::DKIM's verdict must be ours
			 * (pass = pass, fail = fail, invalid = permerror) */
			enum dkim_result want = strcmp(fld[1], "pass") == 0 ? DKIM_PASS
						: strcmp(fld[1], "fail") == 0 ? DKIM_FAIL : DKIM_PERMERROR;
			current++;
			assert_int_equal(mr.dkim_count, 1);
			if (mr.dkim[0].result != want)
				fail_msg("%s: %s (%s), Mail::DKIM says %s", fld[0],
					 dkim_result_name(mr.dkim[0].result), mr.dkim[0].reason, fld[1]);
			current_ok++;
		} else if (strcmp(fld[7], "domainkeys-only") == 0) {
			assert_int_equal(mr.dkim_count, 0);    /* DomainKeys is not DKIM: none */
			dk_none++;
		} else {
			/* pre-RFC 6376, rsa-sha1 or small keys: never a pass, and the reason is the
			 * flagged defect or an earlier one */
			assert_true(mr.dkim_count >= 1);
			for (size_t k = 0; k < mr.dkim_count; k++) {
				if (mr.dkim[k].result == DKIM_PASS)
					fail_msg("%s: signature %zu passes", fld[0], k);
				assert_true(mr.dkim[k].result == DKIM_FAIL || mr.dkim[k].result == DKIM_PERMERROR);
				if (strstr(fld[7], "rsa-sha1") && strstr(fld[7], "v-") == NULL &&
				    mr.dkim[k].result == DKIM_FAIL)
					assert_non_null(strstr(mr.dkim[k].reason, "rsa-sha1"));
			}
			legacy_notpass++;
		}
	}
	fclose(f);
	print_message("Mail::DKIM corpus: %u messages; %u current (all %u agree with Mail::DKIM), "
		      "%u DomainKeys-only (none), %u legacy (none pass)\n",
		      total, current, current_ok, dk_none, legacy_notpass);
	assert_int_equal(total, 79);
	assert_int_equal(current, 6);
	assert_int_equal(current_ok, 6);
	assert_int_equal(dk_none, 17);
	dns_zone_free(z);
}

/* ---- dkimpy-signed fixtures with one defect each ---- */

struct fixture_case {
	const char *file;
	enum dkim_result result;
	const char *reason;
};

static void test_fixtures(void **state)
{
	static const struct fixture_case cases[] = {
		{ "good-rsa.eml", DKIM_PASS, "" },
		{ "good-rsa1024.eml", DKIM_PASS, "" },
		{ "good-ed25519.eml", DKIM_PASS, "" },
		{ "good-pkcs1.eml", DKIM_PASS, "" },
		{ "i-subdomain.eml", DKIM_PASS, "" },
		{ "strict-ok.eml", DKIM_PASS, "" },
		{ "repeated.eml", DKIM_PASS, "" },
		{ "repeated-added-top.eml", DKIM_PASS, "" },     /* bottom-up: a new top X-Trace is unsigned */
		{ "oversigned-from-added.eml", DKIM_FAIL, "signature mismatch" },
		{ "relaxed-refold.eml", DKIM_PASS, "" },
		{ "simple-refold.eml", DKIM_FAIL, "signature mismatch" },
		{ "tampered-body.eml", DKIM_FAIL, "body hash mismatch" },
		{ "tampered-header.eml", DKIM_FAIL, "signature mismatch" },
		{ "revoked.eml", DKIM_PERMERROR, "key revoked" },
		{ "small.eml", DKIM_PERMERROR, "RSA key too small: 512 bits" },
		{ "sha1.eml", DKIM_FAIL, "rsa-sha1 not accepted, RFC 8301" },
		{ "expired.eml", DKIM_FAIL, "signature expired" },
		{ "future.eml", DKIM_FAIL, "timestamp in the future" },
		{ "nofrom.eml", DKIM_PERMERROR, "h= does not include From" },
		{ "i-outside.eml", DKIM_PERMERROR, "i= domain is not within d=" },
		{ "badb64.eml", DKIM_PERMERROR, "b= is empty or not valid base64" },
		{ "strict-sub.eml", DKIM_PERMERROR, "t=s" },
		{ "sha1only.eml", DKIM_PERMERROR, "does not allow sha256" },
		{ "edasrsa.eml", DKIM_PERMERROR, "not a valid public key" },
		{ "twice.eml", DKIM_PERMERROR, "multiple key records" },
		{ "timeout.eml", DKIM_TEMPERROR, "timed out" },
		{ "servfail.eml", DKIM_TEMPERROR, "servfail" },
		{ "nokey.eml", DKIM_PERMERROR, "no key" },
		{ "l-exact.eml", DKIM_PASS, "" },
		{ "l-beyond.eml", DKIM_FAIL, "body shorter than l=" },
		{ "canon-rsa-simple-simple.eml", DKIM_PASS, "" },
		{ "canon-rsa-simple-relaxed.eml", DKIM_PASS, "" },
		{ "canon-rsa-relaxed-simple.eml", DKIM_PASS, "" },
		{ "canon-rsa-relaxed-relaxed.eml", DKIM_PASS, "" },
		{ "canon-ed25519-simple-simple.eml", DKIM_PASS, "" },
		{ "canon-ed25519-simple-relaxed.eml", DKIM_PASS, "" },
		{ "canon-ed25519-relaxed-simple.eml", DKIM_PASS, "" },
		{ "canon-ed25519-relaxed-relaxed.eml", DKIM_PASS, "" },
	};
	struct dns_zone *z = zone_file(DATA "zone.txt");
	struct dns_resolver r = dns_zone_resolver(z);
	struct msg_results mr;
	char path[256];
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(path, sizeof path, DATA "fixtures/%s", cases[i].file);
		run_file(path, &r, NULL, &mr);
		assert_int_equal(mr.dkim_count, 1);
		expect(&mr, 0, cases[i].result, cases[i].reason, cases[i].file);
		assert_false(mr.dkim[0].testing);
		assert_false(mr.dkim[0].partial_body);
	}
	dns_zone_free(z);
}

static void test_testing_key(void **state)
{
	struct dns_zone *z = zone_file(DATA "zone.txt");
	struct dns_resolver r = dns_zone_resolver(z);
	struct msg_results mr;
	(void)state;
	/* t=y is reported, the result is unchanged */
	run_file(DATA "fixtures/testing.eml", &r, NULL, &mr);
	expect(&mr, 0, DKIM_PASS, "", "testing key");
	assert_true(mr.dkim[0].testing);
	dns_zone_free(z);
}

static void test_l_partial(void **state)
{
	struct dns_zone *z = zone_file(DATA "zone.txt");
	struct dns_resolver r = dns_zone_resolver(z);
	struct dkim_verify_limits lim;
	struct msg_results mr;
	(void)state;
	run_file(DATA "fixtures/l-partial.eml", &r, NULL, &mr);
	expect(&mr, 0, DKIM_PASS, "", "l= partial, default");
	assert_true(mr.dkim[0].partial_body);
	dkim_verify_limits_default(&lim);
	lim.l_strict = true;
	run_file(DATA "fixtures/l-partial.eml", &r, &lim, &mr);
	expect(&mr, 0, DKIM_FAIL, "l= leaves body content unsigned", "l= partial, strict");
	assert_true(mr.dkim[0].partial_body);
	run_file(DATA "fixtures/l-exact.eml", &r, &lim, &mr);
	expect(&mr, 0, DKIM_PASS, "", "l= exact, strict");
	assert_false(mr.dkim[0].partial_body);
	dns_zone_free(z);
}

static void test_multiple_and_limit(void **state)
{
	struct dns_zone *z = zone_file(DATA "zone.txt");
	struct dns_resolver r = dns_zone_resolver(z);
	struct dkim_verify_limits lim;
	struct msg_results mr;
	unsigned long q0;
	(void)state;
	run_file(DATA "fixtures/multi.eml", &r, NULL, &mr);
	assert_int_equal(mr.dkim_count, 2);
	expect(&mr, 0, DKIM_PASS, "", "multi: ed25519");
	expect(&mr, 1, DKIM_FAIL, "signature mismatch", "multi: rsa1024 selector, other key");
	/* ten signatures of one key: 8 checked, 2 unchecked, one shared key lookup */
	q0 = dns_zone_queries(z);
	run_file(DATA "fixtures/ten-signatures.eml", &r, NULL, &mr);
	assert_int_equal(mr.dkim_count, 8);
	assert_int_equal(mr.dkim_unchecked, 2);
	for (size_t i = 0; i < 8; i++)
		expect(&mr, i, DKIM_PASS, "", "ten signatures");
	assert_int_equal(dns_zone_queries(z) - q0, 1);
	dkim_verify_limits_default(&lim);
	lim.max_signatures = 3;
	run_file(DATA "fixtures/ten-signatures.eml", &r, &lim, &mr);
	assert_int_equal(mr.dkim_count, 3);
	assert_int_equal(mr.dkim_unchecked, 7);
	lim.max_signatures = 100;      /* clamped to AM_DKIM_SIGS_MAX */
	run_file(DATA "fixtures/ten-signatures.eml", &r, &lim, &mr);
	assert_int_equal(mr.dkim_count, 10);
	assert_int_equal(mr.dkim_unchecked, 0);
	dns_zone_free(z);
}

/* the key lookup starts when the DKIM-Signature header arrives, before the body */
static void test_lookup_starts_early(void **state)
{
	struct dns_zone *z = zone_file(DATA "zone.txt");
	struct dns_resolver r = dns_zone_resolver(z);
	struct dkim_verify *v = dkim_verify_new(NULL, &r);
	struct msg_results mr;
	unsigned long q0 = dns_zone_queries(z);
	size_t len;
	char *msg = slurp(DATA "fixtures/good-ed25519.eml", &len);
	struct hdr_list hl;
	size_t body;
	(void)state;
	hdr_list_init(&hl);
	assert_int_equal(hdr_split_message(msg, len, &hl, &body), 0);
	assert_int_equal(dkim_verify_signatures(v), 0);
	assert_int_equal(dkim_verify_header(v, hl.f[0].name, hl.f[0].value), 0);
	assert_int_equal(dns_zone_queries(z) - q0, 1);      /* started already */
	assert_int_equal(dkim_verify_signatures(v), 1);
	for (size_t i = 1; i < hl.count; i++)
		assert_int_equal(dkim_verify_header(v, hl.f[i].name, hl.f[i].value), 0);
	/* body one byte at a time; eoh implied by the first body call */
	for (size_t i = body; i < len; i++)
		assert_int_equal(dkim_verify_body(v, msg + i, 1), 0);
	assert_int_equal(dkim_verify_finish(v, am_now_ms() + 1000, &mr), 0);
	assert_int_equal(dkim_verify_finish(v, am_now_ms() + 1000, &mr), -1);
	expect(&mr, 0, DKIM_PASS, "", "byte-wise body");
	assert_int_equal(dns_zone_queries(z) - q0, 1);
	dkim_verify_free(v);
	hdr_list_clear(&hl);
	free(msg);
	dns_zone_free(z);
}

/* a resolver whose queries never complete: the deadline turns them into temperror */
static struct dns_query *never_start(void *impl, const char *name, enum dns_type type)
{
	(void)name;
	(void)type;
	++*(int *)impl;
	return (struct dns_query *)impl;
}

static const struct dns_answer *never_wait(void *impl, struct dns_query *q, uint64_t deadline_ms)
{
	(void)impl;
	(void)q;
	(void)deadline_ms;
	return NULL;
}

static void never_release(void *impl, struct dns_query *q)
{
	(void)q;
	--*(int *)impl;
}

static void test_deadline(void **state)
{
	static const struct dns_ops ops = { never_start, never_wait, never_release };
	int outstanding = 0;
	struct dns_resolver r = { &ops, &outstanding };
	struct msg_results mr;
	(void)state;
	run_file(DATA "fixtures/good-rsa.eml", &r, NULL, &mr);
	expect(&mr, 0, DKIM_TEMPERROR, "key lookup timed out", "deadline");
	assert_int_equal(outstanding, 0);    /* released */
}

static void test_unsigned_and_odd(void **state)
{
	struct dns_zone *z = zone_file(DATA "zone.txt");
	struct dns_resolver r = dns_zone_resolver(z);
	struct dkim_verify *v;
	struct msg_results mr;
	const char *m = "From: a@example.org\r\nSubject: x\r\n\r\nbody\r\n";
	(void)state;
	assert_int_equal(run_msg(m, strlen(m), &r, NULL, 3, &mr), 0);
	assert_int_equal(mr.dkim_count, 0);
	assert_int_equal(mr.dkim_unchecked, 0);
	/* finish without eoh or body, a broken signature */
	v = dkim_verify_new(NULL, &r);
	assert_int_equal(dkim_verify_header(v, "dkim-signature", " v=1; a=rsa-sha256"), 0);
	assert_int_equal(dkim_verify_finish(v, am_now_ms(), &mr), 0);
	assert_int_equal(mr.dkim_count, 1);
	expect(&mr, 0, DKIM_PERMERROR, "missing d=", "broken");
	dkim_verify_free(v);
	dkim_verify_free(NULL);
	dns_zone_free(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dkimpy_vectors),
		cmocka_unit_test(test_stalwart),
		cmocka_unit_test(test_mail_dkim_corpus),
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_testing_key),
		cmocka_unit_test(test_l_partial),
		cmocka_unit_test(test_multiple_and_limit),
		cmocka_unit_test(test_lookup_starts_early),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_unsigned_and_odd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
