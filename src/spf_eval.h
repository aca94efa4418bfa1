/* spf_eval - the RFC 7208 check_host() evaluator as a resumable step machine over the
 * dns.h seam, for one identity (MAIL FROM or HELO, §2.3/§2.4).
 *
 * spf_check_step() runs the evaluation as far as the DNS answers at hand allow. Every
 * answer is kept in a per-check cache, and a step replays the evaluation from the start
 * over that cache: the limits (§4.6.4: DNS-querying terms, void lookups, MX and PTR name
 * counts) are therefore counted exactly as a straight-line evaluation counts them, and a
 * query that is still outstanding is simply waited on again at the next step. Queries
 * that can run at once are started together (the address lookups of an mx or ptr name
 * list); a prefetch may start the lookups of the record's later terms early, which only
 * fills the cache and never changes results or limit accounting.
 *
 * OWNS: copies of the request strings, the parsed records, the DNS queries it started
 * (released by spf_check_free). THREADS: one check is used by one thread at a time. */
#ifndef AM_SPF_EVAL_H
#define AM_SPF_EVAL_H
#include "cidr.h"
#include "dns.h"
#include "results.h"
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

enum spf_identity {
	SPF_ID_MAILFROM,     /* MAIL FROM; a null reverse-path becomes postmaster@HELO */
	SPF_ID_HELO,         /* the HELO/EHLO name, sender postmaster@HELO */
};

struct spf_request {
	const char *ip;          /* client address, IPv4 or IPv6 text (ignored when addr is set) */
	const struct am_ip *addr;/* or the parsed client address (struct conn_info's) */
	const char *sender;      /* MAIL FROM address, with or without <>; NULL, "" or "<>" = null */
	const char *helo;        /* HELO/EHLO argument (may be NULL) */
	const char *receiver;    /* our host name for %{r}; NULL = "unknown" */
	enum spf_identity identity;
	time_t now;              /* %{t}; 0 = the wall clock at spf_check_new */
};

struct spf_limits {
	unsigned dns_terms;      /* include/a/mx/ptr/exists/redirect per evaluation (10) */
	unsigned void_lookups;   /* NXDOMAIN/NODATA answers to terms before permerror (2) */
	unsigned mx_names;       /* MX names per mx mechanism, more = permerror (10) */
	unsigned ptr_names;      /* PTR names considered by ptr and %{p} (10) */
	unsigned time_limit_ms;  /* whole evaluation; exceeded = temperror (20000) */
	bool prefetch;           /* start later terms' lookups early (true) */
	const char *default_explanation;  /* macro-string used on fail without exp= */
};

#define SPF_DEFAULT_EXPLANATION "%{i} is not one of %{d}'s designated mail servers"

/* spf_limits_default - RFC 7208 §4.6.4 values. */
void spf_limits_default(struct spf_limits *lim);

struct spf_check;

enum { SPF_STEP_DONE = 0, SPF_STEP_NEED_DNS = 1 };

/* spf_check_new - a check for one identity; lim may be NULL (defaults). The request's
 * strings are copied. Returns NULL when the address does not parse or on ENOMEM. */
struct spf_check *spf_check_new(const struct spf_request *req, const struct spf_limits *lim);

/* spf_check_step - advance; waits for outstanding answers until deadline_ms (am_now_ms()
 * time; 0 = only poll). Returns SPF_STEP_DONE or SPF_STEP_NEED_DNS. Use the same
 * resolver for every step of one check. */
int spf_check_step(struct spf_check *c, const struct dns_resolver *r, uint64_t deadline_ms);

/* spf_check_run - step until done; if deadline_ms passes first the result is temperror. */
void spf_check_run(struct spf_check *c, const struct dns_resolver *r, uint64_t deadline_ms);

/* spf_check_done - has a result been reached? */
bool spf_check_done(const struct spf_check *c);

/* spf_check_result - the outcome (result, identity, domain, explanation). Before the
 * check is done, out->checked is false. */
void spf_check_result(const struct spf_check *c, struct spf_outcome *out);

/* spf_check_mechanism - what decided the result ("ip4:192.0.2.0/24", "default",
 * "no SPF record", the error reason...); "" before done. */
const char *spf_check_mechanism(const struct spf_check *c);

/* spf_check_sender - the sender used (local@domain, postmaster@HELO for <>). */
const char *spf_check_sender(const struct spf_check *c);

/* spf_check_lookups - DNS-querying terms and void lookups counted by the final pass. */
void spf_check_counts(const struct spf_check *c, unsigned *terms, unsigned *voids);

void spf_check_free(struct spf_check *c);
#endif
