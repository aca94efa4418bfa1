/* test_dmarc_vectors - the shared DMARC conformance vectors (106 cases from
 * ../shared/corpora/dmarc-vectors/dmarc-cases.yaml, converted to
 * tests/data/dmarc/dmarc-cases.txt by tests/data/dmarc/convert.py), one cmocka test per
 * section with a per-section count. Cases marked ambiguous are run and reported; a
 * different answer there is not a failure (README of the vectors). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "test_files.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr5322.h"
#include "dmarc_eval.h"
#include "dmarc_org.h"
#include "dmarc_psl.h"
#include "dmarc_record.h"
#include "dns_zone.h"
#include "strutil.h"

#define VEC_PATH "tests/data/dmarc/dmarc-cases.txt"
#define MAXLINES 48

struct vcase {
	char section[40], id[96];
	bool ambiguous;
	char *line[MAXLINES];
	size_t n;
};

struct tally {
	unsigned pass, fail, amb_same, amb_diff, skipped;
};

static char *vec_text;

static int load_vectors(void **state)
{
	(void)state;
	const char *path = getenv("DMARC_VECTORS") ? getenv("DMARC_VECTORS") : VEC_PATH;
	vec_text = test_read_file(path, NULL);
	if (vec_text == NULL) {
		fprintf(stderr, "cannot read %s (run from the repository root)\n", path);
		return -1;
	}
	return 0;
}

static int free_vectors(void **state)
{
	(void)state;
	free(vec_text);
	return 0;
}

/* next_case - the next case of section sec after *pos (lines are NUL-split copies). */
static bool next_case(const char *sec, const char **pos, struct vcase *c, char *scratch, size_t cap)
{
	const char *p = *pos;
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		if (len > 5 && strncmp(p, "case ", 5) == 0) {
			char hdr[256];
			snprintf(hdr, sizeof hdr, "%.*s", (int)len, p);
			char amb[16] = "";
			memset(c, 0, sizeof *c);
			if (sscanf(hdr, "case %39s %95s %15s", c->section, c->id, amb) >= 2 &&
			    strcmp(c->section, sec) == 0) {
				c->ambiguous = strcmp(amb, "ambiguous") == 0;
				size_t used = 0;
				p = eol ? eol + 1 : p + len;
				while (*p) {
					eol = strchr(p, '\n');
					len = eol ? (size_t)(eol - p) : strlen(p);
					if (len == 3 && strncmp(p, "end", 3) == 0)
						break;
					if (c->n < MAXLINES && used + len + 1 < cap) {
						memcpy(scratch + used, p, len);
						scratch[used + len] = '\0';
						c->line[c->n++] = scratch + used;
						used += len + 1;
					}
					p = eol ? eol + 1 : p + len;
				}
				*pos = eol ? eol + 1 : p;
				return true;
			}
		}
		p = eol ? eol + 1 : p + len;
	}
	*pos = p;
	return false;
}

/* field - the rest of the first line starting with key+" ", or NULL. */
static const char *field(const struct vcase *c, const char *key)
{
	size_t kl = strlen(key);
	for (size_t i = 0; i < c->n; i++)
		if (strncmp(c->line[i], key, kl) == 0 && (c->line[i][kl] == ' ' || c->line[i][kl] == '\0'))
			return c->line[i][kl] ? c->line[i] + kl + 1 : c->line[i] + kl;
	return NULL;
}

static void record_outcome(struct tally *t, const struct vcase *c, bool ok, const char *why)
{
	if (c->ambiguous) {
		if (ok)
			t->amb_same++;
		else {
			t->amb_diff++;
			printf("  ambiguous %s: our answer differs (%s)\n", c->id, why);
		}
	} else if (ok) {
		t->pass++;
	} else {
		t->fail++;
		printf("  FAIL %s: %s\n", c->id, why);
	}
}

static void report(const char *sec, const struct tally *t)
{
	printf("[dmarc-vectors] %-26s %u passed, %u failed, %u ambiguous (%u same, %u differ), %u skipped\n",
	       sec, t->pass, t->fail, t->amb_same + t->amb_diff, t->amb_same, t->amb_diff, t->skipped);
}

/* ---- record_parse and record_parse_real_world ---- */

static bool check_record(const struct vcase *c, char *why, size_t wl)
{
	const char *txt = field(c, "record");
	struct dmarc_record rec;
	bool valid = dmarc_record_parse(txt, strlen(txt), &rec, NULL, 0);
	for (size_t i = 0; i < c->n; i++) {
		char key[32], val[512];
		if (sscanf(c->line[i], "expect %31s %511[^\n]", key, val) != 2)
			continue;
		const char *got = NULL;
		char buf[600];
		if (strcmp(key, "valid") == 0)
			got = valid ? "true" : "false";
		else if (!valid)
			continue;
		else if (strcmp(key, "apply") == 0)
			got = rec.apply ? "true" : "false";
		else if (strcmp(key, "p") == 0)
			got = strcmp(val, "-") == 0 ? (rec.p == DMARC_POLICY_UNSET ? "-" : dmarc_policy_name(rec.p))
						    : dmarc_policy_name(dmarc_record_policy(&rec));
		else if (strcmp(key, "sp") == 0)
			got = rec.sp == DMARC_POLICY_UNSET ? "-" : dmarc_policy_name(rec.sp);
		else if (strcmp(key, "np") == 0)
			got = rec.np == DMARC_POLICY_UNSET ? "-" : dmarc_policy_name(rec.np);
		else if (strcmp(key, "adkim") == 0)
			got = dmarc_align_name(rec.adkim);
		else if (strcmp(key, "aspf") == 0)
			got = dmarc_align_name(rec.aspf);
		else if (strcmp(key, "t") == 0)
			got = rec.t ? "y" : "n";
		else if (strcmp(key, "psd") == 0)
			got = dmarc_psd_name(rec.psd);
		else if (strcmp(key, "rua") == 0 || strcmp(key, "ruf") == 0) {
			const struct dmarc_urilist *l = key[2] == 'a' ? &rec.rua : &rec.ruf;
			buf[0] = '\0';
			for (size_t k = 0; k < l->count; k++) {
				if (k)
					strcat(buf, " ");
				strncat(buf, l->uri[k], sizeof buf - strlen(buf) - 1);
			}
			got = buf;
		} else {
			snprintf(why, wl, "unknown expectation %s", key);
			return false;
		}
		if (strcmp(got, val) != 0) {
			snprintf(why, wl, "%.30s: want %.100s, got %.100s", key, val, got);
			return false;
		}
	}
	return true;
}

static void run_record_section(const char *sec)
{
	const char *pos = vec_text;
	struct vcase c;
	static char scratch[16384];
	struct tally t = { 0 };
	while (next_case(sec, &pos, &c, scratch, sizeof scratch)) {
		char why[256] = "";
		record_outcome(&t, &c, check_record(&c, why, sizeof why), why);
	}
	report(sec, &t);
	assert_int_equal(t.fail, 0);
	assert_true(t.pass + t.amb_same + t.amb_diff > 0);
}

static void test_vectors_record_parse(void **state)
{
	(void)state;
	run_record_section("record_parse");
}

static void test_vectors_record_real_world(void **state)
{
	(void)state;
	run_record_section("record_parse_real_world");
}

/* ---- DNS-based sections ---- */

static struct dns_zone *zone_of(const struct vcase *c)
{
	struct dns_zone *z = dns_zone_new();
	char err[128];
	for (size_t i = 0; i < c->n; i++)
		if (strncmp(c->line[i], "zone ", 5) == 0)
			assert_int_equal(dns_zone_load_line(z, c->line[i] + 5, err, sizeof err), 0);
	return z;
}

static void results_of(const struct vcase *c, struct msg_results *res)
{
	memset(res, 0, sizeof *res);
	for (size_t i = 0; i < c->n; i++) {
		char r[32], d[AM_DOMAIN_MAX];
		struct spf_outcome *so = NULL;
		if (strncmp(c->line[i], "spf ", 4) == 0)
			so = &res->spf_mailfrom;
		else if (strncmp(c->line[i], "spf_helo ", 9) == 0)
			so = &res->spf_helo;
		if (so) {
			assert_int_equal(sscanf(strchr(c->line[i], ' ') + 1, "%31s %255s", r, d), 2);
			so->checked = true;
			assert_true(spf_result_parse(r, &so->result));
			snprintf(so->domain, sizeof so->domain, "%s", strcmp(d, "-") ? d : "");
		} else if (strncmp(c->line[i], "dkim ", 5) == 0 && res->dkim_count < AM_DKIM_SIGS_MAX) {
			struct dkim_outcome *dk = &res->dkim[res->dkim_count++];
			assert_int_equal(sscanf(c->line[i] + 5, "%31s %255s", r, d), 2);
			assert_true(dkim_result_parse(r, &dk->result));
			snprintf(dk->domain, sizeof dk->domain, "%s", d);
			snprintf(dk->selector, sizeof dk->selector, "sel");
		}
	}
}

static bool org_of(struct dns_zone *z, const char *domain, char *out)
{
	struct dns_resolver r = dns_zone_resolver(z);
	struct dmarc_org *o = dmarc_org_new(&r);
	bool ok;
	assert_non_null(o);
	assert_int_equal(dmarc_org_request_orgdomain(o, domain), 0);
	dmarc_org_run(o, 0);
	ok = dmarc_org_orgdomain(o, domain, out) == DMARC_ORG_S_OK;
	dmarc_org_free(o);
	return ok;
}

static const char *disp_word(enum disposition d)
{
	return d == DISP_ACCEPT ? "none" : disposition_name(d);
}

static bool check_eval(const struct vcase *c, char *why, size_t wl)
{
	struct dns_zone *z = zone_of(c);
	struct dns_resolver r = dns_zone_resolver(z);
	struct dmarc_options opt;
	struct msg_results res;
	struct dmarc_verdict v;
	const char *author = field(c, "author");
	const char *domain = field(c, "domain");
	struct dmarc_ctx *ctx = NULL;
	const struct dmarc_author_eval *ae = NULL;
	bool ok = true;

	dmarc_options_default(&opt);
	results_of(c, &res);
	if (author) {
		char from[300];
		snprintf(from, sizeof from, "Someone <user@%s>", author);
		ctx = dmarc_ctx_new(&r, &opt);
		assert_non_null(ctx);
		assert_int_equal(dmarc_ctx_add_from(ctx, from, strlen(from)), 0);
		assert_int_equal(dmarc_ctx_finish(ctx, &res, NULL, 0, &v), 0);
		ae = dmarc_ctx_selected(ctx);
	}
	for (size_t i = 0; i < c->n && ok; i++) {
		char key[48], val[1024], got[1024];
		if (sscanf(c->line[i], "expect %47s %1023[^\n]", key, val) != 2)
			continue;
		got[0] = '\0';
		if (strcmp(key, "organizational_domain") == 0 && domain && !author) {
			if (!org_of(z, domain, got))
				strcpy(got, "(temperror)");
		} else if (strncmp(key, "organizational_domain_", 22) == 0) {
			const char *d = strcmp(key + 22, "author") == 0 ? author
					: strcmp(key + 22, "spf") == 0 ? res.spf_mailfrom.domain
					: res.dkim[0].domain;
			if (!org_of(z, d, got))
				strcpy(got, "(temperror)");
		} else if (ae == NULL && ctx == NULL) {
			snprintf(why, wl, "no author for %s", key);
			ok = false;
			break;
		} else if (strcmp(key, "queries") == 0 || strcmp(key, "queries_for_author") == 0) {
			const struct dmarc_org *o = dmarc_ctx_org(ctx);
			size_t want_n = 1;
			for (const char *p = val; *p; p++)
				want_n += *p == ' ';
			for (unsigned k = 0; k < want_n && dmarc_org_query_name(o, k); k++) {
				if (k)
					strcat(got, " ");
				strncat(got, dmarc_org_query_name(o, k), sizeof got - strlen(got) - 1);
			}
			if (strcmp(key, "queries") == 0 && dmarc_org_query_name(o, (unsigned)want_n)) {
				snprintf(why, wl, "more queries than expected: %s", dmarc_org_query_name(o, (unsigned)want_n));
				ok = false;
				break;
			}
		} else if (strcmp(key, "max_queries") == 0) {
			const struct dmarc_org *o = dmarc_ctx_org(ctx);
			unsigned n = 0;
			for (unsigned k = 0; dmarc_org_query_name(o, k); k++)
				n += strncmp(dmarc_org_query_name(o, k), "_dmarc.", 7) == 0;
			snprintf(got, sizeof got, "%s", n <= (unsigned)atoi(val) ? val : "too many");
		} else if (strcmp(key, "dmarc_applies") == 0) {
			strcpy(got, ae && ae->pf.found && ae->pf.rec.apply ? "true" : "false");
		} else if (ae == NULL) {
			snprintf(why, wl, "no author evaluation for %s (dmarc=%s: %s)", key,
				 dmarc_result_name(res.dmarc.result), res.dmarc.reason);
			ok = false;
			break;
		} else if (strcmp(key, "policy_domain") == 0) {
			snprintf(got, sizeof got, "%s", ae->pf.found ? ae->pf.policy_domain : "-");
		} else if (strcmp(key, "organizational_domain") == 0) {
			snprintf(got, sizeof got, "%s", ae->org_domain);
		} else if (strcmp(key, "policy_from") == 0) {
			snprintf(got, sizeof got, "%s", ae->policy_tag);
			if (strcmp(val, "sp-or-p") == 0 && (strcmp(got, "sp") == 0 || strcmp(got, "p") == 0))
				strcpy(got, val);
		} else if (strcmp(key, "applied_policy") == 0) {
			snprintf(got, sizeof got, "%s", dmarc_policy_name(ae->applied));
		} else if (strcmp(key, "result") == 0) {
			snprintf(got, sizeof got, "%s", dmarc_result_name(res.dmarc.result));
		} else if (strcmp(key, "spf_aligned") == 0) {
			strcpy(got, res.dmarc.spf_aligned ? "true" : "false");
		} else if (strcmp(key, "dkim_aligned") == 0) {
			strcpy(got, res.dmarc.dkim_aligned ? "true" : "false");
		} else if (strcmp(key, "spf_alignment") == 0 || strcmp(key, "dkim_alignment") == 0) {
			bool al = key[0] == 's' ? res.dmarc.spf_aligned : res.dmarc.dkim_aligned;
			strcpy(got, al ? "relaxed" : "unaligned");
		} else if (strcmp(key, "disposition") == 0) {
			snprintf(got, sizeof got, "%s", disp_word(v.disposition));
			if (strcmp(val, "local-policy") == 0 &&
			    (v.disposition == DISP_TEMPFAIL || v.disposition == DISP_ACCEPT))
				strcpy(got, val);
		} else {
			snprintf(why, wl, "unknown expectation %s", key);
			ok = false;
			break;
		}
		if (strcmp(got, val) != 0) {
			snprintf(why, wl, "%.30s: want %.100s, got %.100s", key, val, got);
			ok = false;
		}
	}
	dmarc_ctx_free(ctx);
	dns_zone_free(z);
	return ok;
}

static void run_eval_section(const char *sec)
{
	const char *pos = vec_text;
	struct vcase c;
	static char scratch[16384];
	struct tally t = { 0 };
	while (next_case(sec, &pos, &c, scratch, sizeof scratch)) {
		char why[512] = "";
		record_outcome(&t, &c, check_eval(&c, why, sizeof why), why);
	}
	report(sec, &t);
	assert_int_equal(t.fail, 0);
	assert_true(t.pass > 0);
}

static void test_vectors_policy_discovery(void **state)
{
	(void)state;
	run_eval_section("policy_discovery");
}

static void test_vectors_alignment_tree_walk(void **state)
{
	(void)state;
	run_eval_section("alignment_tree_walk");
}

static void test_vectors_evaluation(void **state)
{
	(void)state;
	run_eval_section("evaluation");
}

/* ---- author_domain_extraction ---- */

static bool check_from(const struct vcase *c, char *why, size_t wl)
{
	const char *in = field(c, "from");
	const char *want = NULL;
	struct addr5322_list l;
	char err[128];
	for (size_t i = 0; i < c->n; i++)
		if (strncmp(c->line[i], "expect domain ", 14) == 0)
			want = c->line[i] + 14;
	if (addr5322_domains(in, strlen(in), &l, err, sizeof err) != 0) {
		snprintf(why, wl, "parse error: %s", err);
		return false;
	}
	if (l.stored == 0) {
		snprintf(why, wl, "no domain");
		return false;
	}
	for (size_t i = 0; i < l.stored; i++)
		if (!am_strcaseeq(l.a[i].domain, want)) {
			snprintf(why, wl, "domain %zu is %s, want only %s", i, l.a[i].domain, want);
			return false;
		}
	return true;
}

static void test_vectors_author_domain(void **state)
{
	const char *pos = vec_text;
	struct vcase c;
	static char scratch[16384];
	struct tally t = { 0 };
	(void)state;
	while (next_case("author_domain_extraction", &pos, &c, scratch, sizeof scratch)) {
		char why[256] = "";
		record_outcome(&t, &c, check_from(&c, why, sizeof why), why);
	}
	report("author_domain_extraction", &t);
	assert_int_equal(t.fail, 0);
	assert_true(t.pass > 0);
}

/* ---- alignment_psl_rfc7489: RFC 7489 mode with the pinned Public Suffix List ---- */

static bool check_psl(const struct dmarc_psl *psl, const struct vcase *c, char *why, size_t wl)
{
	char from[AM_DOMAIN_MAX], auth[AM_DOMAIN_MAX], mode[4], want[8];
	char of[AM_DOMAIN_MAX] = "", oa[AM_DOMAIN_MAX] = "";
	struct dns_zone *z = dns_zone_new();
	struct dns_resolver r = dns_zone_resolver(z);
	struct dmarc_org *o = dmarc_org_new(&r);
	bool aligned;
	assert_int_equal(sscanf(field(c, "psl"), "%255s %255s %3s %7s", from, auth, mode, want), 4);
	dmarc_org_set_psl(o, psl);
	if (strcmp(mode, "s") == 0) {
		/* strict: identical names (dmarc_eval's comparison, no DNS) */
		aligned = dmarc_org_orgdomain(o, from, of) == DMARC_ORG_S_OK &&
			  dmarc_org_orgdomain(o, auth, oa) == DMARC_ORG_S_OK && am_strcaseeq(from, auth);
	} else {
		aligned = dmarc_org_orgdomain(o, from, of) == DMARC_ORG_S_OK &&
			  dmarc_org_orgdomain(o, auth, oa) == DMARC_ORG_S_OK && strcmp(of, oa) == 0;
	}
	assert_int_equal(dmarc_org_queries(o), 0);     /* PSL mode: no DNS for org domains */
	dmarc_org_free(o);
	dns_zone_free(z);
	if (aligned != (strcmp(want, "true") == 0)) {
		snprintf(why, wl, "%.60s/%.60s mode %s: want %s (org %.60s vs %.60s)", from, auth, mode, want, of, oa);
		return false;
	}
	return true;
}

static void test_vectors_psl(void **state)
{
	const char *pos = vec_text;
	struct vcase c;
	static char scratch[16384];
	struct tally t = { 0 };
	char err[128];
	struct dmarc_psl *psl = dmarc_psl_load("tests/data/dmarc/psl/public_suffix_list.dat", err, sizeof err);
	(void)state;
	if (psl == NULL)
		fail_msg("%s", err);
	while (next_case("alignment_psl_rfc7489", &pos, &c, scratch, sizeof scratch)) {
		char why[512] = "";
		record_outcome(&t, &c, check_psl(psl, &c, why, sizeof why), why);
	}
	dmarc_psl_free(psl);
	report("alignment_psl_rfc7489", &t);
	assert_int_equal(t.fail, 0);
	assert_true(t.pass > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors_record_parse),
		cmocka_unit_test(test_vectors_record_real_world),
		cmocka_unit_test(test_vectors_policy_discovery),
		cmocka_unit_test(test_vectors_alignment_tree_walk),
		cmocka_unit_test(test_vectors_evaluation),
		cmocka_unit_test(test_vectors_psl),
		cmocka_unit_test(test_vectors_author_domain),
	};
	return cmocka_run_group_tests(tests, load_vectors, free_vectors);
}
