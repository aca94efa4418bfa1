/* fuzz_spf_macro - spf_macro_expand on arbitrary macro-strings. The first byte picks the
 * mode (domain / explanation), the client family and the output buffer size; the rest is
 * the string. Checks: syntax check and expansion agree, the output is NUL-terminated and
 * as long as reported, a domain is at most 253 octets, an explanation fits its buffer. */
#include "spf_macro.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t caps[4] = { 1, 16, 256, 2048 };
	char out[2048], why[160];
	struct am_ip ip;
	unsigned flags;
	size_t cap;
	int n, chk;
	struct spf_macro_ctx m = { .sender = "strong-bad@email.example.com", .local = "strong-bad",
				   .sender_domain = "email.example.com", .domain = "email.example.com",
				   .helo = "mx.example.org", .receiver = "rx.example.net", .now = 1700000000,
				   .ptr_name = "mail.example.com", .ip = &ip };
	if (size < 1 || size > 65536)
		return 0;
	flags = (data[0] & 1) ? SPF_MACRO_EXP : 0;
	am_ip_parse((data[0] & 2) ? "2001:db8::cb01" : "192.0.2.3", &ip);
	cap = caps[(data[0] >> 2) & 3];
	if (data[0] & 16)
		m.ptr_name = NULL;
	chk = spf_macro_check((const char *)data + 1, size - 1, flags, NULL, why, sizeof why);
	n = spf_macro_expand((const char *)data + 1, size - 1, &m, flags, out, cap, why, sizeof why);
	if (chk < 0 && n >= 0)   /* expansion may also fail on length; never succeed on bad syntax */
		abort();
	if (n >= 0) {
		if (strlen(out) != (size_t)n || (size_t)n >= cap)
			abort();
		if (!(flags & SPF_MACRO_EXP) && n > 253)
			abort();
	}
	return 0;
}
