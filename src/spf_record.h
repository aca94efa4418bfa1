/* spf_record - RFC 7208 record text -> term array (§4.6, §5, §6, §12 ABNF).
 * OWNS: the parsed record (terms and their strings). PURE: no I/O, no DNS.
 * The whole record is checked before evaluation (§4.6: a syntax error anywhere is a
 * permerror). Domain-specs are kept unexpanded; their macro syntax is checked here. */
#ifndef AM_SPF_RECORD_H
#define AM_SPF_RECORD_H
#include "cidr.h"
#include "results.h"
#include <stdbool.h>
#include <stddef.h>

#define SPF_RECORD_MAX_TERMS 256     /* far above anything sane; more is a permerror */

enum spf_mech {
	SPF_MECH_ALL,
	SPF_MECH_INCLUDE,
	SPF_MECH_A,
	SPF_MECH_MX,
	SPF_MECH_PTR,
	SPF_MECH_IP4,
	SPF_MECH_IP6,
	SPF_MECH_EXISTS,
};

struct spf_term {
	enum spf_mech mech;
	enum spf_result qual;        /* SPF_PASS, SPF_FAIL, SPF_SOFTFAIL or SPF_NEUTRAL */
	char *domain;                /* domain-spec, unexpanded; NULL = current domain */
	unsigned cidr4, cidr6;       /* a/mx dual CIDR (default 32/128); ip4/ip6 prefix */
	struct am_ip net;            /* ip4/ip6 network */
	char *text;                  /* the term as written, for diagnostics */
};

struct spf_record {
	struct spf_term *terms;
	size_t nterms;
	char *redirect;              /* redirect= domain-spec, or NULL */
	char *exp;                   /* exp= domain-spec, or NULL */
};

/* spf_record_is_spf - does this TXT string select as an SPF record: "v=spf1"
 * (case-insensitive) followed by a space or the end (RFC 7208 §4.5)? */
bool spf_record_is_spf(const char *txt, size_t len);

/* spf_record_parse - parse a record selected by spf_record_is_spf. Returns 0 and *out,
 * -1 on a syntax error (reason in why; RFC result permerror), -2 on ENOMEM. */
int spf_record_parse(const char *txt, size_t len, struct spf_record **out, char *why, size_t whylen);
void spf_record_free(struct spf_record *r);

/* spf_mech_name - "all", "include", ... */
const char *spf_mech_name(enum spf_mech m);

/* spf_domain_spec_valid - macro-string syntax plus domain-end (RFC 7208 §7.1, §12);
 * c/r/t macros are refused (they belong to explanation text only). */
bool spf_domain_spec_valid(const char *s, size_t len, char *why, size_t whylen);
#endif
