/* addr5322 - the domains of the addresses in an RFC 5322 address field (From:).
 * Grammar: RFC 5322 §3.4 mailbox-list / address-list with groups (RFC 6854), display
 * names (atoms, quoted strings, obs-phrase dots), nested comments, quoted-pairs, the
 * obsolete forms of §4.4 (CFWS around dots, obs-route "<@a,@b:x@y>", empty list elements),
 * RFC 2047 encoded words in display names (skipped as one word even when their text holds
 * specials), and RFC 6532 UTF-8 in atoms, quoted strings, comments and domains.
 * OWNS: nothing; results go to a caller struct. Pure and bounded: one pass over the input,
 *   no recursion, no allocation.
 * DIAGNOSTICS: addr5322_domains() returns 0 and fills the list, or -1 with a reason in err
 *   (e.g. "unterminated quoted string at offset 12"). A domain literal ("x@[192.0.2.1]") is
 *   an error: it names no DNS domain for DMARC.
 * LENIENCY: a local-part made of several words without dots ("\"Joe, J\" joe@x") is
 *   accepted (seen in the wild; the domain is what DMARC needs).
 * THREADS: reentrant. */
#ifndef AM_ADDR5322_H
#define AM_ADDR5322_H
#include <stdbool.h>
#include <stddef.h>
#include "results.h"

#define ADDR5322_MAX 16      /* addresses whose domain is kept; more are only counted */

struct addr5322_domain {
	char domain[AM_DOMAIN_MAX];      /* lower-cased (ASCII), no trailing dot */
	bool utf8;                       /* holds non-ASCII (U-label) characters */
};

struct addr5322_list {
	size_t count;                    /* addresses found */
	size_t stored;                   /* entries used in a[] (<= ADDR5322_MAX) */
	struct addr5322_domain a[ADDR5322_MAX];
};

/* addr5322_domains - parse a field value (after the colon; folding allowed). */
int addr5322_domains(const char *value, size_t len, struct addr5322_list *out, char *err,
		     size_t errlen);
#endif
