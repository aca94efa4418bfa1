/* fuzz_dkim_key - the DKIM key record parser (and OpenSSL key decoding) on arbitrary
 * input. Invariant: success means a usable key of the declared type, RSA within bounds. */
#include <stdint.h>
#include <stdlib.h>
#include "dkim_key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dkim_key k;
	char reason[96];
	if (dkim_key_parse((const char *)data, size, 1024, &k, reason, sizeof reason) == 0) {
		if (k.pkey == NULL)
			abort();
		if (k.type == DKIM_KEY_RSA && (k.bits < 1024 || k.bits > DKIM_KEY_MAX_RSA_BITS))
			abort();
		if (k.type == DKIM_KEY_ED25519 && EVP_PKEY_get_base_id(k.pkey) != EVP_PKEY_ED25519)
			abort();
	} else if (k.pkey != NULL || reason[0] == '\0') {
		abort();
	}
	dkim_key_clear(&k);
	return 0;
}
