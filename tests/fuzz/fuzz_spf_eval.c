/* fuzz_spf_eval - the whole evaluator over a fuzzed zone. The input is split at '\n'
 * into up to 8 TXT records published at d0.test .. d7.test (d0.test is the sender's
 * domain), with fixed A/AAAA/MX/PTR data around them; the check must always finish with
 * one of the seven results, within its lookup bounds, without leaking. */
#include "clock.h"
#include "dns_zone.h"
#include "spf_eval.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_zone *z;
	struct dns_resolver r;
	struct spf_check *c;
	struct spf_outcome o;
	size_t start = 0, k = 0;
	char err[128];
	static const char *const fixed[] = {
		"d1.test A 192.0.2.1", "d2.test AAAA 2001:db8::1", "d0.test MX 10 mx.d1.test",
		"mx.d1.test A 192.0.2.10", "10.2.0.192.in-addr.arpa PTR mx.d1.test", "d3.test TIMEOUT",
		"d4.test SERVFAIL A", "d5.test CNAME d1.test",
	};
	if (size > 16384)
		return 0;
	z = dns_zone_new();
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		dns_zone_load_line(z, fixed[i], err, sizeof err);
	for (size_t i = 0; i <= size && k < 8; i++) {
		if (i == size || data[i] == '\n') {
			char name[16];
			snprintf(name, sizeof name, "d%zu.test", k++);
			dns_zone_add_txt(z, name, (const char *)data + start, i - start);
			start = i + 1;
		}
	}
	r = dns_zone_resolver(z);
	for (int ipv = 0; ipv < 2; ipv++) {
		struct spf_request req = { .ip = ipv ? "2001:db8::1" : "192.0.2.10", .sender = "u@d0.test",
					   .helo = "d1.test", .receiver = "rx.test", .now = 1 };
		c = spf_check_new(&req, NULL);
		if (c == NULL)
			abort();
		spf_check_run(c, &r, am_now_ms() + 10000);
		spf_check_result(c, &o);
		if (!o.checked || (int)o.result < 0 || o.result > SPF_PERMERROR)
			abort();
		{
			unsigned terms, voids;
			spf_check_counts(c, &terms, &voids);
			if (terms > 11 || voids > 3)
				abort();
		}
		spf_check_free(c);
	}
	dns_zone_free(z);
	return 0;
}
