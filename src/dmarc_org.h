/* dmarc_org - RFC 9989 §4.10 DNS Tree Walk as a resumable step machine: DMARC policy
 * discovery for an Author Domain (§4.10.1), the Organizational Domain of any domain
 * (§4.10.2) and the existence test behind np (§3.2.13, RFC 8020).
 * OWNS: the queries it started (released by dmarc_org_free), a per-message cache of
 *   every _dmarc lookup (a name is queried once per message, whichever walk needs it)
 *   and of every walk (a domain is walked once per message).
 * DIAGNOSTICS: request functions return 0, or -1 for ENOMEM, a full table or an invalid
 *   domain; step returns DONE / PENDING / ENOMEM. A lookup that answers SERVFAIL, TIMEOUT
 *   or MALFORMED, or is still pending when dmarc_org_expire() is called, is a temporary
 *   error for every walk that needs it.
 * THREADS: one owner (a message context). Pure: no I/O except through the dns.h seam.
 *
 * Use: request what you need (policy for the author domain, organizational domains for
 * the identifiers, existence), call dmarc_org_step() whenever convenient (deadline 0 =
 * just poll; it never blocks past the deadline), read the results. dmarc_org_run() is the
 * blocking form: steps until done or the deadline, then expires what is left.
 *
 * Limits: at most DMARC_WALK_MAX (8) queries per walk, jumping to 7 labels for longer names
 * (§4.10 step 4); at most DMARC_ORG_LOOKUPS_MAX lookups and DMARC_ORG_WALKS_MAX walks per
 * message (further requests fail with -1 and the caller treats them as temporary errors). */
#ifndef AM_DMARC_ORG_H
#define AM_DMARC_ORG_H
#include <stdbool.h>
#include <stdint.h>
#include "dmarc_record.h"
#include "dns.h"
#include "results.h"

#define DMARC_WALK_MAX 8
#define DMARC_ORG_LOOKUPS_MAX 96
#define DMARC_ORG_WALKS_MAX 40

enum dmarc_org_step {
	DMARC_ORG_DONE = 0,      /* nothing requested is outstanding */
	DMARC_ORG_PENDING,       /* queries still in flight at the deadline */
	DMARC_ORG_ENOMEM,
};

/* what is known about one requested item */
enum dmarc_org_state {
	DMARC_ORG_S_PENDING = 0, /* not finished yet (or never requested) */
	DMARC_ORG_S_OK,
	DMARC_ORG_S_TEMPERROR,
};

enum dmarc_exists { DMARC_EXISTS_UNKNOWN = 0, DMARC_EXISTS_YES, DMARC_EXISTS_NO };

struct dmarc_policy_found {
	enum dmarc_org_state state;
	bool found;                          /* a DMARC record applies (state OK) */
	bool at_author;                      /* found at the Author Domain itself */
	bool from_psd;                       /* the record is a PSD's (psd=y, one label up) */
	char policy_domain[AM_DOMAIN_MAX];   /* where it was found */
	char org_domain[AM_DOMAIN_MAX];      /* the author's org domain, when the walk finished */
	struct dmarc_record rec;             /* the record (valid when found) */
	unsigned queries;                    /* _dmarc queries this walk needed */
	char note[128];                      /* "several records at _dmarc.x", temp error name */
};

struct dmarc_org;
struct dmarc_psl;

struct dmarc_org *dmarc_org_new(const struct dns_resolver *r);
/* dmarc_org_free - release every query and the cache; accepts NULL. */
void dmarc_org_free(struct dmarc_org *o);

/* dmarc_org_set_psl - RFC 7489 mode (before any request): the Organizational Domain is
 * the registrable domain from the list (no DNS), policy discovery asks _dmarc.<author>
 * then _dmarc.<org domain>, psd is not used. The list must outlive o. */
void dmarc_org_set_psl(struct dmarc_org *o, const struct dmarc_psl *psl);
/* dmarc_org_method_name - "treewalk" or "psl" (the report's discovery_method). */
const char *dmarc_org_method_name(const struct dmarc_org *o);

/* dmarc_org_request_policy - start policy discovery for an Author Domain (A-labels). */
int dmarc_org_request_policy(struct dmarc_org *o, const char *author);
/* dmarc_org_request_orgdomain - start a full tree walk to find domain's org domain. */
int dmarc_org_request_orgdomain(struct dmarc_org *o, const char *domain);
/* dmarc_org_request_exists - start the existence test for domain (np vs sp): the answer
 * to _dmarc.<domain> is used when it proves existence, else an A query for the name. */
int dmarc_org_request_exists(struct dmarc_org *o, const char *domain);

/* dmarc_org_step - start what can be started, collect answers until all requested work is
 * done or deadline_ms (am_now_ms() time; 0 = poll once) has passed. */
enum dmarc_org_step dmarc_org_step(struct dmarc_org *o, uint64_t deadline_ms);
/* dmarc_org_expire - treat every query still pending as timed out (temporary error). */
void dmarc_org_expire(struct dmarc_org *o);
/* dmarc_org_run - step until done or deadline, then expire the rest. */
enum dmarc_org_step dmarc_org_run(struct dmarc_org *o, uint64_t deadline_ms);

/* dmarc_org_policy - the discovery result for a requested author (state PENDING if the
 * walk has not finished). */
void dmarc_org_policy(const struct dmarc_org *o, const char *author, struct dmarc_policy_found *out);
/* dmarc_org_orgdomain - the org domain of a requested domain into out (AM_DOMAIN_MAX). */
enum dmarc_org_state dmarc_org_orgdomain(const struct dmarc_org *o, const char *domain, char *out);
/* dmarc_org_exists - the existence test result for a requested domain. */
enum dmarc_org_state dmarc_org_exists(const struct dmarc_org *o, const char *domain,
				      enum dmarc_exists *out);

/* dmarc_org_queries - DNS queries started so far (tests and the summary line). */
unsigned dmarc_org_queries(const struct dmarc_org *o);
/* dmarc_org_query_name - the n-th query name started (tests: the walk order), or NULL. */
const char *dmarc_org_query_name(const struct dmarc_org *o, unsigned n);

/* dmarc_walk_targets - the names (without "_dmarc.") a tree walk from domain queries, in
 * order (§4.10 steps 1-7); returns how many (0 for an invalid domain). */
size_t dmarc_walk_targets(const char *domain, char targets[DMARC_WALK_MAX][AM_DOMAIN_MAX]);
#endif
