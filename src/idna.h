/* idna - domain names with UTF-8 labels (U-labels) to A-labels ("xn--" + RFC 3492
 * Punycode), as RFC 9989 §5.3.1 asks for the Author Domain and the Public Suffix List needs
 * for its IDN rules.
 * LIMITS: no IDNA2008 mapping tables: ASCII letters are lower-cased, other characters are
 *   encoded as given (no Unicode case folding or NFC). Mail from conforming senders carries
 *   lower-case, NFC U-labels, for which the result is exact.
 * OWNS: nothing. THREADS: reentrant. */
#ifndef AM_IDNA_H
#define AM_IDNA_H
#include <stdbool.h>
#include <stddef.h>

/* idna_to_ascii - convert a domain (UTF-8, dots between labels) into out (outcap bytes);
 * pure-ASCII labels are only lower-cased. false for invalid UTF-8, an empty or too long
 * label (> 63 octets after encoding), a name over 253 octets, or a small buffer. */
bool idna_to_ascii(const char *in, size_t len, char *out, size_t outcap);
#endif
