/* fuzz_dns_wire - dns_wire_parse on arbitrary bytes. The question is taken from the packet
 * itself when it parses (so answers get past the question check), and also a fixed one. */
#include "dns_wire.h"
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct dns_answer *a)
{
	/* touch every record so ASan sees any bad pointer or length */
	volatile size_t sum = 0;
	for (size_t i = 0; i < a->count; i++) {
		const struct dns_rr *rr = &a->rr[i];
		switch (rr->type) {
		case DNS_T_TXT:
			for (size_t k = 0; k < rr->u.txt.len; k++)
				sum += (unsigned char)rr->u.txt.data[k];
			break;
		case DNS_T_MX:
			sum += strlen(rr->u.mx.host);
			break;
		case DNS_T_A:
		case DNS_T_AAAA:
			sum += rr->u.addr[0];
			break;
		default:
			sum += strlen(rr->u.name);
			break;
		}
	}
	if (a->status == DNS_ANSWER && a->count == 0)
		__builtin_trap();
	(void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char qname[1100];
	size_t off = 12;
	struct dns_answer *a;
	if (size > 12 && dns_wire_name(data, size, &off, qname, sizeof qname) == 0 && off + 2 <= size) {
		enum dns_type t = (enum dns_type)((data[off] << 8) | data[off + 1]);
		a = dns_wire_parse(data, size, qname, t);
		if (a) {
			check(a);
			dns_answer_free(a);
		}
	}
	a = dns_wire_parse(data, size, "example.com", DNS_T_TXT);
	if (a) {
		check(a);
		dns_answer_free(a);
	}
	return 0;
}
