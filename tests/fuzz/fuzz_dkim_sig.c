/* fuzz_dkim_sig - the DKIM-Signature parser and the b= stripper on arbitrary input.
 * Checks invariants: a parsed signature has a valid d=/s=, From in h=, i= within d=, and
 * stripping b= never grows the value and keeps every byte outside b=. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "dkim_sig.h"
#include "strutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dkim_sig *s = malloc(sizeof *s);
	char reason[96];
	struct buf b;
	const char *v = (const char *)data;
	if (s == NULL)
		return 0;
	if (dkim_sig_parse(v, size, s, reason, sizeof reason) == 0) {
		bool from = false;
		const char *at = strrchr(s->identity, '@');
		if (!am_domain_valid(s->domain, strlen(s->domain)) ||
		    !am_domain_valid(s->selector, strlen(s->selector)) || at == NULL ||
		    !am_domain_is_sub(at + 1, s->domain) || s->b_len == 0 || s->bh_len == 0)
			abort();
		for (size_t i = 0; i < s->h_count; i++)
			if (am_strcaseeq(dkim_sig_h_name(s, i), "from"))
				from = true;
		if (!from || (s->has_t && s->has_x && s->x <= s->t))
			abort();
	} else if (reason[0] == '\0') {
		abort();
	}
	buf_init(&b);
	if (dkim_sig_strip_b(v, size, &b) == 0 && b.len > size)
		abort();
	buf_clear(&b);
	free(s);
	return 0;
}
