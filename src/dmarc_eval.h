/* dmarc_eval - DMARC for one message (RFC 9989 §5.3): Author Domain from the From: field(s),
 * policy discovery, identifier alignment (SPF MAIL FROM and DKIM d=, strict/relaxed),
 * p/sp/np selection, t=y, and the disposition with local policy (monitor mode, allow-lists,
 * DNS temporary errors, From problems) applied.
 * OWNS: a struct dmarc_ctx per message: the parsed From domains and a dmarc_org walker
 *   (its DNS queries); freed by dmarc_ctx_free.
 * DIAGNOSTICS: dmarc_ctx_* return 0 or -1 (ENOMEM); the verdict carries the reason.
 * THREADS: one owner per ctx; options are read-only and may be shared.
 *
 * Milter use (docs/dmarc.md):
 *   ctx = dmarc_ctx_new(resolver, &opts)                      at MAIL FROM or first header
 *   dmarc_ctx_add_from(ctx, value, len)                        each From: header (starts
 *                                                              policy discovery at once)
 *   dmarc_ctx_step(ctx, 0)                                     any later callback: poll
 *   dmarc_ctx_finish(ctx, &res, client_ip, deadline, &verdict) at EOM, after SPF and DKIM
 *   dmarc_report_row_fill(ctx, ...)                            optional (dmarc_report.h)
 *   dmarc_ctx_free(ctx)
 * The CLI does the same in one go. */
#ifndef AM_DMARC_EVAL_H
#define AM_DMARC_EVAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cidr.h"
#include "dmarc_org.h"
#include "dns.h"
#include "results.h"

/* What to do when DMARC cannot name exactly one Author Domain (RFC 9989 §5.3.1, §11.5). */
enum dmarc_from_policy {
	DMARC_FROM_REJECT = 0,   /* reject (dmarc=permerror); the default */
	DMARC_FROM_STRICTEST,    /* evaluate each domain (up to max_author_domains), apply the
				    strictest outcome; no domain at all still rejects */
	DMARC_FROM_ACCEPT,       /* no DMARC for the message (dmarc=none), accept */
};

/* Aggregate-report override reasons (RFC 9990 PolicyOverrideType). */
#define DMARC_OVERRIDE_MAP(XX)                     \
	XX(NONE, "none")                           \
	XX(LOCAL_POLICY, "local_policy")           \
	XX(MAILING_LIST, "mailing_list")           \
	XX(TRUSTED_FORWARDER, "trusted_forwarder") \
	XX(POLICY_TEST_MODE, "policy_test_mode")   \
	XX(OTHER, "other")
#define AM_ENUM_OVR(n, s) DMARC_OVERRIDE_##n,
enum dmarc_override { DMARC_OVERRIDE_MAP(AM_ENUM_OVR) };
#undef AM_ENUM_OVR
const char *dmarc_override_name(enum dmarc_override o);

struct dmarc_psl;

struct dmarc_options {
	bool enforce;                        /* false = monitor mode: never reject/quarantine */
	enum dmarc_from_policy from_policy;
	bool tempfail_on_temperror;          /* DNS temperror: tempfail (true) or accept */
	bool pct0_is_testing;                /* pct=0 without t= acts as t=y (default true) */
	unsigned max_author_domains;         /* DMARC_FROM_STRICTEST cap (default 4) */
	const char *const *allow_domains;    /* author domains (and subdomains) not enforced */
	size_t n_allow_domains;
	const struct am_cidr *allow_networks; /* client networks not enforced */
	size_t n_allow_networks;
	const struct dmarc_psl *psl;         /* non-NULL: RFC 7489 PSL mode (dmarc_psl.h) */
	const char *reject_text;             /* policy reject text after "550 5.7.1": %d = the
						author domain, %% = %; NULL = built-in text */
};

/* dmarc_options_default - enforce, reject From problems, tempfail on temperror, pct=0 as
 * t=y, 4 author domains, empty allow-lists. */
void dmarc_options_default(struct dmarc_options *o);

/* What the milter does. smtp_* are set for REJECT and TEMPFAIL. */
struct dmarc_verdict {
	enum disposition disposition;
	enum dmarc_override override;        /* why the disposition is milder than the policy */
	char smtp_rcode[4];                  /* "550" / "451" */
	char smtp_xcode[8];                  /* "5.7.1" / "4.7.5" */
	char smtp_text[256];                 /* names DMARC and the author domain */
	char reason[128];                    /* for logs and disposition_reason */
};

/* The evaluation of one Author Domain (the one the verdict is based on is "selected"). */
struct dmarc_author_eval {
	char domain[AM_DOMAIN_MAX];
	struct dmarc_policy_found pf;        /* discovery result and the record */
	enum dmarc_result result;
	enum dmarc_policy requested;         /* p, sp or np from the record */
	enum dmarc_policy applied;           /* after t=y */
	char policy_tag[3];                  /* "p", "sp", "np" or "" */
	bool testing;                        /* t=y (or pct=0) in force */
	bool spf_aligned, dkim_aligned;
	char org_domain[AM_DOMAIN_MAX];
	char reason[128];
	enum disposition disposition;        /* before local overrides */
};

struct dmarc_ctx;

struct dmarc_ctx *dmarc_ctx_new(const struct dns_resolver *r, const struct dmarc_options *opt);
void dmarc_ctx_free(struct dmarc_ctx *c);
/* dmarc_ctx_add_from - one From: field value, in header order; parses it and starts policy
 * discovery for its domains. 0, or -1 on ENOMEM (parse errors are kept for finish). */
int dmarc_ctx_add_from(struct dmarc_ctx *c, const char *value, size_t len);
/* dmarc_ctx_step - move the DNS work along without blocking past deadline_ms. */
enum dmarc_org_step dmarc_ctx_step(struct dmarc_ctx *c, uint64_t deadline_ms);
/* dmarc_ctx_finish - evaluate with the SPF/DKIM results in res; DNS work still missing at
 * deadline_ms counts as a temporary error. Fills res->dmarc, res->disposition and
 * res->disposition_reason, and *v. client may be NULL (allow_networks then unused).
 * 0, or -1 on ENOMEM (v then says tempfail). */
int dmarc_ctx_finish(struct dmarc_ctx *c, struct msg_results *res, const struct am_ip *client,
		     uint64_t deadline_ms, struct dmarc_verdict *v);
/* dmarc_ctx_selected - after finish: the author evaluation the verdict rests on, or NULL
 * (no author domain, outbound). */
const struct dmarc_author_eval *dmarc_ctx_selected(const struct dmarc_ctx *c);
/* dmarc_ctx_org - the walker (tests: query counts and order). */
const struct dmarc_org *dmarc_ctx_org(const struct dmarc_ctx *c);

/* dmarc_evaluate - one-shot: the From values, res, client; as add_from + finish. */
int dmarc_evaluate(const struct dns_resolver *r, const struct dmarc_options *opt,
		   const char *const *from, size_t n_from, struct msg_results *res,
		   const struct am_ip *client, uint64_t deadline_ms, struct dmarc_verdict *v);
#endif
