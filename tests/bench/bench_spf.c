/* bench_spf - SPF evaluations per second on a warm cache, for a record with nested
 * includes (3 levels, 9 DNS-querying terms, the match at the deepest level).
 * Two warm caches: the in-memory zone itself, and the daemon's dns_cache in front of it
 * after one warm-up pass (every answer then comes from the cache table).
 * Bounded: each case runs for about BENCH_SPF_SECONDS (default 1) or 2,000,000 checks. */
#include "clock.h"
#include "dns_cache.h"
#include "dns_zone.h"
#include "spf_eval.h"
#include <stdio.h>
#include <stdlib.h>

static const char *const zone_lines[] = {
	"example.com TXT \"v=spf1 include:_spf1.example.com include:_spf2.example.com mx -all\"",
	"example.com MX 10 mx1.example.com",
	"example.com MX 20 mx2.example.com",
	"mx1.example.com A 198.51.100.1",
	"mx2.example.com A 198.51.100.2",
	"_spf1.example.com TXT \"v=spf1 ip4:203.0.113.0/25 ip6:2001:db8:1::/48 include:_spf3.example.com ~all\"",
	"_spf2.example.com TXT \"v=spf1 a:relay.example.com include:_spf4.example.com ?all\"",
	"relay.example.com A 198.51.100.50",
	"_spf3.example.com TXT \"v=spf1 ip4:192.0.2.0/27 ip4:192.0.2.64/27 -all\"",
	"_spf4.example.com TXT \"v=spf1 ip4:10.0.0.0/8 include:_spf5.example.com -all\"",
	"_spf5.example.com TXT \"v=spf1 exists:%{ir}.%{l}.allow.example.com ip4:192.0.2.128/25 -all\"",
	"201.2.0.192.user.allow.example.com A 127.0.0.2",
	NULL,
};

static double run(const char *label, const struct dns_resolver *r, const char *ip, bool prefetch, double seconds)
{
	struct spf_request req = { .ip = ip, .sender = "user@example.com", .helo = "mx.example.net",
				   .receiver = "rx.example.org", .now = 1700000000 };
	struct spf_limits lim;
	struct spf_outcome o = { 0 };
	uint64_t start = am_now_ms(), end = start + (uint64_t)(seconds * 1000), now = start;
	unsigned long n = 0;
	spf_limits_default(&lim);
	lim.prefetch = prefetch;
	while (n < 2000000 && (n % 256 != 0 || (now = am_now_ms()) < end)) {
		struct spf_check *c = spf_check_new(&req, &lim);
		if (c == NULL)
			abort();
		spf_check_run(c, r, am_now_ms() + 5000);
		spf_check_result(c, &o);
		spf_check_free(c);
		n++;
	}
	now = am_now_ms();
	{
		double secs = (double)(now - start) / 1000.0;
		double rate = secs > 0 ? (double)n / secs : 0;
		printf("bench_spf: %-44s %-9s %8.0f evaluations/s (%lu in %.2f s)\n", label,
		       spf_result_name(o.result), rate, n, secs);
		return rate;
	}
}

int main(void)
{
	struct dns_zone *z = dns_zone_new();
	struct dns_resolver zr, cr;
	struct dns_cache *cache;
	char err[200];
	const char *s = getenv("BENCH_SPF_SECONDS");
	double seconds = s ? atof(s) : 1.0;
	if (seconds <= 0 || seconds > 60)
		seconds = 1.0;
	for (size_t i = 0; zone_lines[i]; i++)
		if (dns_zone_load_line(z, zone_lines[i], err, sizeof err) != 0) {
			fprintf(stderr, "bench_spf: %s\n", err);
			return 1;
		}
	zr = dns_zone_resolver(z);
	cache = dns_cache_new(&zr, NULL);
	if (cache == NULL)
		return 1;
	cr = dns_cache_resolver(cache);
	run("warm-up (fills dns_cache)", &cr, "192.0.2.201", true, 0.05);
	run("zone: pass, 3-level nested include", &zr, "192.0.2.201", true, seconds);
	run("zone: pass, nested include, no prefetch", &zr, "192.0.2.201", false, seconds);
	run("zone: fail + default explanation", &zr, "198.18.0.1", true, seconds);
	run("dns_cache: pass, 3-level nested include", &cr, "192.0.2.201", true, seconds);
	run("dns_cache: pass, first include (ip4)", &cr, "203.0.113.9", true, seconds);
	run("dns_cache: fail + default explanation", &cr, "198.18.0.1", true, seconds);
	dns_cache_free(cache);
	dns_zone_free(z);
	return 0;
}
