/* fuzz_addr5322 - the From: address parser on arbitrary bytes; checks the invariants of
 * its output (stored <= count, stored <= ADDR5322_MAX, domains NUL-terminated and
 * lower-case) and then runs the evaluator on the same value. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include "addr5322.h"
#include "dmarc_eval.h"
#include "dns_zone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct addr5322_list l;
	char err[96];
	int rc = addr5322_domains((const char *)data, size, &l, err, sizeof err);
	if (rc == 0) {
		if (l.stored > l.count || l.stored > ADDR5322_MAX)
			__builtin_trap();
		for (size_t i = 0; i < l.stored; i++) {
			size_t n = strnlen(l.a[i].domain, sizeof l.a[i].domain);
			if (n == 0 || n >= sizeof l.a[i].domain)
				__builtin_trap();
			for (size_t k = 0; k < n; k++)
				if (l.a[i].domain[k] >= 'A' && l.a[i].domain[k] <= 'Z')
					__builtin_trap();
		}
	} else if (err[0] == '\0') {
		__builtin_trap();
	}
	if (size > 2048)
		return 0;
	struct dns_zone *z = dns_zone_new();
	if (z == NULL)
		return 0;
	dns_zone_add_txt(z, "_dmarc.example.com", "v=DMARC1; p=reject", 18);
	struct dns_resolver r = dns_zone_resolver(z);
	struct dmarc_options opt;
	dmarc_options_default(&opt);
	opt.from_policy = size % 2 ? DMARC_FROM_STRICTEST : DMARC_FROM_REJECT;
	struct dmarc_ctx *c = dmarc_ctx_new(&r, &opt);
	if (c) {
		struct msg_results res;
		struct dmarc_verdict v;
		memset(&res, 0, sizeof res);
		dmarc_ctx_add_from(c, (const char *)data, size);
		dmarc_ctx_add_from(c, (const char *)data, size / 2);
		dmarc_ctx_finish(c, &res, NULL, 0, &v);
		dmarc_ctx_free(c);
	}
	dns_zone_free(z);
	return 0;
}
