/* fuzz_dmarc_record - the DMARC record parser on arbitrary bytes, then a tree walk and a
 * full evaluation over an in-memory zone publishing those bytes as the record. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include "dmarc_eval.h"
#include "dmarc_record.h"
#include "dns_zone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dmarc_record rec;
	char why[128];
	if (size > 4096)
		return 0;
	if (dmarc_record_parse((const char *)data, size, &rec, why, sizeof why)) {
		/* invariants */
		if (rec.rua.count > DMARC_URI_MAX || rec.ruf.count > DMARC_URI_MAX)
			__builtin_trap();
		if (rec.forced_none && !rec.apply)
			__builtin_trap();
		if (rec.pct > 100)
			__builtin_trap();
	} else if (dmarc_record_is_dmarc((const char *)data, size)) {
		__builtin_trap();
	}
	/* the same bytes as a published record, evaluated end to end */
	struct dns_zone *z = dns_zone_new();
	if (z == NULL)
		return 0;
	dns_zone_add_txt(z, "_dmarc.example.com", (const char *)data, size);
	dns_zone_add_txt(z, "_dmarc.com", (const char *)data, size);
	dns_zone_add(z, "mail.example.com", DNS_T_A, "192.0.2.1");
	struct dns_resolver r = dns_zone_resolver(z);
	struct msg_results res;
	struct dmarc_verdict v;
	const char *from[] = { "a@mail.example.com" };
	memset(&res, 0, sizeof res);
	res.spf_mailfrom.checked = true;
	res.spf_mailfrom.result = SPF_PASS;
	strcpy(res.spf_mailfrom.domain, "bounce.example.com");
	res.dkim_count = 1;
	res.dkim[0].result = DKIM_PASS;
	strcpy(res.dkim[0].domain, "example.net");
	dmarc_evaluate(&r, NULL, from, 1, &res, NULL, 0, &v);
	dns_zone_free(z);
	return 0;
}
