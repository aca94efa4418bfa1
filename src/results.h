/* results - result vocabularies (one X-macro table each, so enum and name never drift)
 * and the per-message results record that every check fills and that DMARC, the
 * Authentication-Results writer, the summary log line and (later) metrics and aggregate
 * reports read. Fixed-size fields: the record is plain data, copied freely, no ownership.
 * Names follow RFC 8601 §2.7 (dkim, spf) and RFC 9989 (dmarc). */
#ifndef AM_RESULTS_H
#define AM_RESULTS_H
#include <stdbool.h>
#include <stddef.h>

#define SPF_RESULT_MAP(XX)          \
	XX(NONE, "none")            \
	XX(NEUTRAL, "neutral")      \
	XX(PASS, "pass")            \
	XX(FAIL, "fail")            \
	XX(SOFTFAIL, "softfail")    \
	XX(TEMPERROR, "temperror")  \
	XX(PERMERROR, "permerror")

#define DKIM_RESULT_MAP(XX)         \
	XX(NONE, "none")            \
	XX(PASS, "pass")            \
	XX(FAIL, "fail")            \
	XX(NEUTRAL, "neutral")      \
	XX(POLICY, "policy")        \
	XX(TEMPERROR, "temperror")  \
	XX(PERMERROR, "permerror")

#define DMARC_RESULT_MAP(XX)        \
	XX(NONE, "none")            \
	XX(PASS, "pass")            \
	XX(FAIL, "fail")            \
	XX(TEMPERROR, "temperror")  \
	XX(PERMERROR, "permerror")

#define DMARC_POLICY_MAP(XX)        \
	XX(UNSET, "unset")          \
	XX(NONE, "none")            \
	XX(QUARANTINE, "quarantine") \
	XX(REJECT, "reject")

/* what the milter does with the message in the end */
#define DISPOSITION_MAP(XX)         \
	XX(ACCEPT, "accept")        \
	XX(QUARANTINE, "quarantine") \
	XX(REJECT, "reject")        \
	XX(TEMPFAIL, "tempfail")    \
	XX(DISCARD, "discard")

#define AM_ENUM_SPF(n, s) SPF_##n,
#define AM_ENUM_DKIM(n, s) DKIM_##n,
#define AM_ENUM_DMARC(n, s) DMARC_##n,
#define AM_ENUM_POLICY(n, s) DMARC_POLICY_##n,
#define AM_ENUM_DISP(n, s) DISP_##n,
enum spf_result { SPF_RESULT_MAP(AM_ENUM_SPF) };
enum dkim_result { DKIM_RESULT_MAP(AM_ENUM_DKIM) };
enum dmarc_result { DMARC_RESULT_MAP(AM_ENUM_DMARC) };
enum dmarc_policy { DMARC_POLICY_MAP(AM_ENUM_POLICY) };
enum disposition { DISPOSITION_MAP(AM_ENUM_DISP) };
#undef AM_ENUM_SPF
#undef AM_ENUM_DKIM
#undef AM_ENUM_DMARC
#undef AM_ENUM_POLICY
#undef AM_ENUM_DISP

const char *spf_result_name(enum spf_result r);
const char *dkim_result_name(enum dkim_result r);
const char *dmarc_result_name(enum dmarc_result r);
const char *dmarc_policy_name(enum dmarc_policy p);
const char *disposition_name(enum disposition d);
/* *_parse - name to enum; false for an unknown name. */
bool spf_result_parse(const char *s, enum spf_result *out);
bool dkim_result_parse(const char *s, enum dkim_result *out);

#define AM_DOMAIN_MAX 256      /* 253 octets of name, a trailing dot, NUL */
#define AM_DKIM_SIGS_MAX 16    /* signatures recorded per message (dkim.max_signatures <= this) */

/* One SPF check: the MAIL FROM identity or the HELO identity (RFC 7208 §2.3, §2.4). */
struct spf_outcome {
	bool checked;
	enum spf_result result;
	char identity[AM_DOMAIN_MAX + 65];   /* the checked identity: local@domain or the HELO name */
	char domain[AM_DOMAIN_MAX];          /* its domain (postmaster@HELO for <>) */
	char explanation[256];               /* exp= text on fail, or the reason for an error */
};

/* One DKIM-Signature as verified (RFC 6376 §6, RFC 8601 §2.7.1). */
struct dkim_outcome {
	enum dkim_result result;
	char domain[AM_DOMAIN_MAX];          /* d= */
	char selector[AM_DOMAIN_MAX];        /* s= */
	char algorithm[24];                  /* a= */
	char identity[AM_DOMAIN_MAX + 65];   /* i= (or @d when absent) */
	char b_prefix[16];                   /* first 8 characters of b= (RFC 6008) */
	char reason[96];                     /* why it is not a pass, or "" */
	bool testing;                        /* key record t=y */
	bool partial_body;                   /* l= left body bytes unsigned */
};

struct dmarc_outcome {
	bool checked;
	enum dmarc_result result;
	char from_domain[AM_DOMAIN_MAX];     /* RFC5322.From domain */
	char org_domain[AM_DOMAIN_MAX];      /* organizational domain used */
	char policy_domain[AM_DOMAIN_MAX];   /* where the record was found */
	enum dmarc_policy policy;            /* p, sp or np as applied */
	enum dmarc_policy requested;         /* before t=y and local overrides */
	enum dmarc_policy rec_p, rec_sp;     /* the policy record's p, and its sp (or p) */
	bool spf_aligned, dkim_aligned;
	bool testing;                        /* t=y in force */
	char reason[128];                    /* override reason or discovery note */
};

/* The per-message record: every check writes its part, everything downstream reads it. */
struct msg_results {
	bool outbound;                       /* recognised as outbound: signed, not judged */
	struct spf_outcome spf_mailfrom;
	struct spf_outcome spf_helo;
	struct dkim_outcome dkim[AM_DKIM_SIGS_MAX];
	bool dkim_checked;                   /* verification ran (dkim=none when no signature) */
	size_t dkim_count;                   /* entries used in dkim[] */
	size_t dkim_unchecked;               /* signatures beyond the configured limit */
	size_t dkim_signed;                  /* signatures we added (outbound) */
	struct dmarc_outcome dmarc;
	enum disposition disposition;
	char disposition_reason[128];
};
#endif
