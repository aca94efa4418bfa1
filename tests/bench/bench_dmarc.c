/* bench_dmarc - DMARC core throughput on a warm (in-memory) DNS: record parses, From
 * parses, and whole DMARC evaluations per second (discovery + relaxed alignment walks +
 * disposition), in tree-walk and PSL mode. Prints figures; not a timed test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr5322.h"
#include "clock.h"
#include "dmarc_eval.h"
#include "dmarc_psl.h"
#include "dmarc_record.h"
#include "dns_zone.h"

static double per_sec(unsigned long n, uint64_t ms)
{
	return ms ? (double)n * 1000.0 / (double)ms : 0.0;
}

static unsigned long run_eval(const struct dns_resolver *r, const struct dmarc_options *opt,
			      unsigned long n)
{
	unsigned long pass = 0;
	const char *from = "\"Example News\" <news@mail.example.com>";
	for (unsigned long i = 0; i < n; i++) {
		struct msg_results res;
		struct dmarc_verdict v;
		memset(&res, 0, sizeof res);
		res.spf_mailfrom.checked = true;
		res.spf_mailfrom.result = SPF_PASS;
		strcpy(res.spf_mailfrom.domain, "bounces.example.com");
		res.dkim_count = 2;
		res.dkim[0].result = DKIM_PASS;
		strcpy(res.dkim[0].domain, "esp.example.net");
		res.dkim[1].result = DKIM_PASS;
		strcpy(res.dkim[1].domain, "example.com");
		dmarc_evaluate(r, opt, &from, 1, &res, NULL, am_now_ms() + 1000, &v);
		pass += res.dmarc.result == DMARC_PASS;
	}
	return pass;
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	const char *rec = "v=DMARC1; p=reject; sp=quarantine; adkim=r; aspf=r; rua=mailto:d@example.com!10m; fo=1";
	const char *from = "\"Joe Q. Public\" (comment) <john.q.public@example.com>, Team: a@b.example;";
	struct dmarc_record r;
	struct addr5322_list l;
	uint64_t t0;
	unsigned long ok = 0;
	char err[128];

	t0 = am_now_ms();
	for (unsigned long i = 0; i < n * 5; i++)
		ok += dmarc_record_parse(rec, strlen(rec), &r, NULL, 0);
	printf("dmarc record parse:      %10.0f /s\n", per_sec(ok, am_now_ms() - t0));

	ok = 0;
	t0 = am_now_ms();
	for (unsigned long i = 0; i < n * 5; i++)
		ok += addr5322_domains(from, strlen(from), &l, NULL, 0) == 0;
	printf("From parse:              %10.0f /s\n", per_sec(ok, am_now_ms() - t0));

	struct dns_zone *z = dns_zone_new();
	dns_zone_load_line(z, "_dmarc.example.com TXT \"v=DMARC1; p=reject; sp=quarantine; rua=mailto:d@example.com\"", err, sizeof err);
	dns_zone_load_line(z, "mail.example.com A 192.0.2.1", err, sizeof err);
	struct dns_resolver res = dns_zone_resolver(z);
	struct dmarc_options opt;
	dmarc_options_default(&opt);
	t0 = am_now_ms();
	ok = run_eval(&res, &opt, n);
	uint64_t ms = am_now_ms() - t0;
	printf("DMARC evaluation (walk): %10.0f /s  (%lu pass, %.1f DNS lookups each)\n",
	       per_sec(n, ms), ok, (double)dns_zone_queries(z) / (double)n);

	struct dmarc_psl *psl = dmarc_psl_load(DMARC_PSL_DEFAULT_PATH, err, sizeof err);
	if (psl == NULL)
		psl = dmarc_psl_load("tests/data/dmarc/psl/public_suffix_list.dat", err, sizeof err);
	if (psl) {
		unsigned long q0 = dns_zone_queries(z);
		opt.psl = psl;
		t0 = am_now_ms();
		ok = run_eval(&res, &opt, n);
		ms = am_now_ms() - t0;
		printf("DMARC evaluation (psl):  %10.0f /s  (%lu pass, %.1f DNS lookups each)\n",
		       per_sec(n, ms), ok, (double)(dns_zone_queries(z) - q0) / (double)n);
		dmarc_psl_free(psl);
	} else {
		printf("DMARC evaluation (psl):  skipped (%s)\n", err);
	}
	dns_zone_free(z);
	return 0;
}
