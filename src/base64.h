/* base64 - RFC 4648 base64 for DKIM (b=, bh=, p=). Decoding skips folding whitespace
 * (RFC 6376 §3.5 allows FWS inside b=) and rejects any other non-alphabet byte, bad
 * padding and non-zero trailing bits. Pure; no allocation. */
#ifndef AM_BASE64_H
#define AM_BASE64_H
#include <stddef.h>

/* base64_encoded_len - output length (without NUL) for n input bytes. */
size_t base64_encoded_len(size_t n);
/* base64_encode - writes the encoding and a NUL; out needs base64_encoded_len(n)+1 bytes. */
void base64_encode(const unsigned char *in, size_t n, char *out);
/* base64_decode - decode into out (capacity outcap); returns the decoded length, or
 * (size_t)-1 for invalid input or an output that does not fit. */
size_t base64_decode(const char *in, size_t n, unsigned char *out, size_t outcap);
#endif
