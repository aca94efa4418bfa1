/* fuzz_spf_record - spf_record_parse on arbitrary text (with and without a "v=spf1 "
 * prefix), then every parsed domain-spec through the validator and the macro expander:
 * a parsed domain-spec must stay valid and expand to at most 253 octets. */
#include "spf_macro.h"
#include "spf_record.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_spec(const char *spec, const struct spf_macro_ctx *m)
{
	char why[160], out[300];
	int n;
	if (spec == NULL)
		return;
	if (!spf_domain_spec_valid(spec, strlen(spec), why, sizeof why))
		abort();
	n = spf_macro_expand(spec, strlen(spec), m, 0, out, sizeof out, why, sizeof why);
	if (n >= 0 && (n > 253 || strlen(out) != (size_t)n))
		abort();
}

static void one(const char *txt, size_t len)
{
	struct spf_record *r = NULL;
	char why[160];
	struct am_ip ip;
	struct spf_macro_ctx m = { .sender = "user@example.com", .local = "user", .sender_domain = "example.com",
				   .domain = "example.com", .helo = "mx.example.org", .ip = &ip };
	am_ip_parse("2001:db8::1", &ip);
	if (spf_record_parse(txt, len, &r, why, sizeof why) != 0) {
		if (r != NULL)
			abort();
		return;
	}
	for (size_t i = 0; i < r->nterms; i++) {
		const struct spf_term *t = &r->terms[i];
		if (t->cidr4 > 32 || t->cidr6 > 128)
			abort();
		check_spec(t->domain, &m);
	}
	check_spec(r->redirect, &m);
	check_spec(r->exp, &m);
	spf_record_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf;
	if (size > 65536)
		return 0;
	one((const char *)data, size);
	buf = malloc(size + 7);
	if (buf == NULL)
		return 0;
	memcpy(buf, "v=spf1 ", 7);
	memcpy(buf + 7, data, size);
	one(buf, size + 7);
	free(buf);
	return 0;
}
