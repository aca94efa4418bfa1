/* dmarc_eval - per-message DMARC evaluation (see dmarc_eval.h and docs/dmarc.md). */
#include "dmarc_eval.h"
#include "addr5322.h"
#include "idna.h"
#include "strutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DMARC_FROM_FIELDS_MAX 8      /* From: fields looked at; more only counted */
#define DMARC_AUTHORS_MAX 8          /* distinct author domains kept */
#define DMARC_EVAL_ROUNDS 8          /* request/step rounds in finish (each adds one level) */

#define AM_NAME_OVR(n, s) s,
const char *dmarc_override_name(enum dmarc_override o)
{
	static const char *const names[] = { DMARC_OVERRIDE_MAP(AM_NAME_OVR) };
	return (size_t)o < sizeof names / sizeof names[0] ? names[o] : "other";
}
#undef AM_NAME_OVR

struct dmarc_ctx {
	const struct dns_resolver *r;
	struct dmarc_options opt;
	struct dmarc_org *org;
	size_t n_from;                       /* From: fields seen */
	size_t n_addresses;                  /* addresses in all of them */
	bool from_error;
	char from_err[96];
	bool idn;                            /* a U-label domain was seen */
	size_t n_authors;                    /* distinct domains (may exceed the array) */
	struct dmarc_author_eval *a;         /* grown as authors appear: most mail has one */
	size_t a_cap;
	bool oom;                            /* an author could not be stored */
	int selected;                        /* index into a[], or -1 */
};

void dmarc_options_default(struct dmarc_options *o)
{
	memset(o, 0, sizeof *o);
	o->enforce = true;
	o->from_policy = DMARC_FROM_REJECT;
	o->tempfail_on_temperror = true;
	o->pct0_is_testing = true;
	o->max_author_domains = 4;
}

struct dmarc_ctx *dmarc_ctx_new(const struct dns_resolver *r, const struct dmarc_options *opt)
{
	struct dmarc_ctx *c = calloc(1, sizeof *c);
	if (c == NULL)
		return NULL;
	c->r = r;
	if (opt)
		c->opt = *opt;
	else
		dmarc_options_default(&c->opt);
	c->org = dmarc_org_new(r);
	if (c->org == NULL) {
		free(c);
		return NULL;
	}
	if (c->opt.psl)
		dmarc_org_set_psl(c->org, c->opt.psl);
	c->selected = -1;
	return c;
}

void dmarc_ctx_free(struct dmarc_ctx *c)
{
	if (c == NULL)
		return;
	dmarc_org_free(c->org);
	free(c->a);
	free(c);
}

static void add_author(struct dmarc_ctx *c, const char *d)
{
	for (size_t i = 0; i < c->n_authors && i < DMARC_AUTHORS_MAX; i++)
		if (strcmp(c->a[i].domain, d) == 0)
			return;
	if (c->n_authors < DMARC_AUTHORS_MAX) {
		struct dmarc_author_eval *ae;
		if (c->n_authors == c->a_cap) {
			size_t cap = c->a_cap ? c->a_cap * 2 : 1;
			struct dmarc_author_eval *na;
			if (cap > DMARC_AUTHORS_MAX)
				cap = DMARC_AUTHORS_MAX;
			na = realloc(c->a, cap * sizeof *na);
			if (na == NULL) {
				c->oom = true;   /* finish answers a temporary failure */
				return;
			}
			c->a = na;
			c->a_cap = cap;
		}
		ae = &c->a[c->n_authors];
		memset(ae, 0, sizeof *ae);
		snprintf(ae->domain, sizeof ae->domain, "%s", d);
		/* Discovery starts now so the answers are in by end of message. A failure
		 * here (table full) shows up as a temporary error at finish. */
		(void)dmarc_org_request_policy(c->org, d);
	}
	c->n_authors++;
}

int dmarc_ctx_add_from(struct dmarc_ctx *c, const char *value, size_t len)
{
	struct addr5322_list l;
	char err[96];
	c->n_from++;
	if (c->n_from > DMARC_FROM_FIELDS_MAX)
		return 0;
	if (addr5322_domains(value, len, &l, err, sizeof err) != 0) {
		if (!c->from_error)
			snprintf(c->from_err, sizeof c->from_err, "%s", err);
		c->from_error = true;
		return 0;
	}
	c->n_addresses += l.count;
	for (size_t i = 0; i < l.stored; i++) {
		if (l.a[i].utf8) {
			/* RFC 9989 §5.3.1: a U-label becomes an A-label. A label we cannot
			 * convert leaves the domain unevaluated (docs/dmarc.md). */
			char alabel[AM_DOMAIN_MAX];
			if (idna_to_ascii(l.a[i].domain, strlen(l.a[i].domain), alabel, sizeof alabel))
				add_author(c, alabel);
			else
				c->idn = true;
			continue;
		}
		add_author(c, l.a[i].domain);
	}
	return 0;
}

enum dmarc_org_step dmarc_ctx_step(struct dmarc_ctx *c, uint64_t deadline_ms)
{
	return dmarc_org_step(c->org, deadline_ms);
}

/* dom_eq - same DNS name, ignoring case and one trailing dot. */
static bool dom_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	if (la != lb)
		return false;
	for (size_t i = 0; i < la; i++)
		if (am_tolower((unsigned char)a[i]) != am_tolower((unsigned char)b[i]))
			return false;
	return true;
}

enum align { AL_NO = 0, AL_YES, AL_PENDING, AL_UNKNOWN };

/* align - RFC 9989 §3.2.10 / §4.10.2 for one authenticated identifier. */
static enum align align(struct dmarc_ctx *c, const char *author, const char *ident,
			enum dmarc_align mode)
{
	char orga[AM_DOMAIN_MAX], orgi[AM_DOMAIN_MAX];
	enum dmarc_org_state st;
	if (ident[0] == '\0' || !am_domain_valid(ident, strlen(ident)))
		return AL_NO;               /* not a DNS name: cannot be a DMARC identifier */
	if (dom_eq(author, ident))
		return AL_YES;
	if (mode == DMARC_ALIGN_STRICT)
		return AL_NO;
	if (dmarc_org_request_orgdomain(c->org, author) != 0)
		return AL_UNKNOWN;
	st = dmarc_org_orgdomain(c->org, author, orga);
	if (st == DMARC_ORG_S_PENDING)
		return AL_PENDING;
	if (st == DMARC_ORG_S_TEMPERROR)
		return AL_UNKNOWN;
	/* org(ident) is ident or one of its parents: it can only equal org(author) when
	 * ident lies within org(author); otherwise no walk is needed. */
	if (!am_domain_is_sub(ident, orga))
		return AL_NO;
	if (dmarc_org_request_orgdomain(c->org, ident) != 0)
		return AL_UNKNOWN;
	st = dmarc_org_orgdomain(c->org, ident, orgi);
	if (st == DMARC_ORG_S_PENDING)
		return AL_PENDING;
	if (st == DMARC_ORG_S_TEMPERROR)
		return AL_UNKNOWN;
	return am_strcaseeq(orga, orgi) ? AL_YES : AL_NO;
}

static enum dmarc_policy lower(enum dmarc_policy p)
{
	return p == DMARC_POLICY_REJECT ? DMARC_POLICY_QUARANTINE
	       : p == DMARC_POLICY_QUARANTINE ? DMARC_POLICY_NONE : p;
}

/* eval_author - evaluate one author domain as far as the DNS answers allow; false while
 * something it needs is still pending (the needed work has been requested). */
static bool eval_author(struct dmarc_ctx *c, struct dmarc_author_eval *ae, const struct msg_results *res)
{
	const struct dmarc_record *rec;
	enum align spf = AL_NO, dkim = AL_NO;
	bool pending = false, unknown = false;

	dmarc_org_policy(c->org, ae->domain, &ae->pf);
	ae->disposition = DISP_ACCEPT;
	ae->requested = ae->applied = DMARC_POLICY_UNSET;
	ae->policy_tag[0] = '\0';
	if (ae->pf.state == DMARC_ORG_S_PENDING)
		return false;
	if (ae->pf.state == DMARC_ORG_S_TEMPERROR) {
		ae->result = DMARC_TEMPERROR;
		ae->disposition = c->opt.tempfail_on_temperror ? DISP_TEMPFAIL : DISP_ACCEPT;
		snprintf(ae->reason, sizeof ae->reason, "policy discovery: %.100s", ae->pf.note);
		return true;
	}
	if (!ae->pf.found) {
		ae->result = DMARC_NONE;
		snprintf(ae->reason, sizeof ae->reason, "no DMARC record%s%.100s",
			 ae->pf.note[0] ? ": " : "", ae->pf.note);
		return true;
	}
	rec = &ae->pf.rec;
	if (!rec->apply) {
		ae->result = DMARC_NONE;
		snprintf(ae->reason, sizeof ae->reason,
			 "record at _dmarc.%.60s has no valid p and no valid rua: not applied",
			 ae->pf.policy_domain);
		return true;
	}

	/* Alignment (RFC 9989 §4.4): the SPF MAIL FROM result only (the SPF code puts the
	 * HELO into spf_mailfrom.domain for the null reverse-path), every passing DKIM
	 * signature that signs the whole body. */
	if (res->spf_mailfrom.checked && res->spf_mailfrom.result == SPF_PASS)
		spf = align(c, ae->domain, res->spf_mailfrom.domain, rec->aspf);
	for (size_t i = 0; i < res->dkim_count && i < AM_DKIM_SIGS_MAX; i++) {
		const struct dkim_outcome *d = &res->dkim[i];
		if (d->result != DKIM_PASS || d->partial_body)
			continue;
		enum align a = align(c, ae->domain, d->domain, rec->adkim);
		if (a == AL_YES)
			dkim = AL_YES;
		else if (a == AL_PENDING && dkim != AL_YES)
			dkim = AL_PENDING;
		else if (a == AL_UNKNOWN && dkim == AL_NO)
			dkim = AL_UNKNOWN;
	}
	pending = spf == AL_PENDING || dkim == AL_PENDING;
	unknown = spf == AL_UNKNOWN || dkim == AL_UNKNOWN;
	ae->spf_aligned = spf == AL_YES;
	ae->dkim_aligned = dkim == AL_YES;

	/* Policy: p at the author's own record, else sp (existing) / np (non-existent). */
	enum dmarc_policy p = dmarc_record_policy(rec);
	if (ae->pf.at_author || rec->forced_none) {
		ae->requested = p;
		strcpy(ae->policy_tag, "p");
	} else {
		enum dmarc_policy sp = rec->sp != DMARC_POLICY_UNSET ? rec->sp : p;
		ae->requested = sp;
		strcpy(ae->policy_tag, rec->sp != DMARC_POLICY_UNSET ? "sp" : "p");
		if (rec->np != DMARC_POLICY_UNSET && rec->np != sp) {
			enum dmarc_exists ex;
			enum dmarc_org_state st;
			if (dmarc_org_request_exists(c->org, ae->domain) != 0)
				st = DMARC_ORG_S_TEMPERROR;
			else
				st = dmarc_org_exists(c->org, ae->domain, &ex);
			if (st == DMARC_ORG_S_PENDING) {
				pending = true;
			} else if (st == DMARC_ORG_S_TEMPERROR) {
				if (!ae->spf_aligned && !ae->dkim_aligned)
					unknown = true;   /* sp or np? cannot tell */
			} else if (ex == DMARC_EXISTS_NO) {
				ae->requested = rec->np;
				strcpy(ae->policy_tag, "np");
			}
		}
	}
	if (pending)
		return false;
	ae->testing = rec->t_given ? rec->t : (c->opt.pct0_is_testing && rec->pct == 0);
	ae->applied = ae->testing ? lower(ae->requested) : ae->requested;
	if (dmarc_org_orgdomain(c->org, ae->domain, ae->org_domain) != DMARC_ORG_S_OK)
		snprintf(ae->org_domain, sizeof ae->org_domain, "%s", ae->pf.org_domain);

	if (ae->spf_aligned || ae->dkim_aligned) {
		ae->result = DMARC_PASS;
		snprintf(ae->reason, sizeof ae->reason, "aligned %s pass",
			 ae->dkim_aligned && ae->spf_aligned ? "DKIM and SPF"
			 : ae->dkim_aligned ? "DKIM" : "SPF");
	} else if (unknown) {
		ae->result = DMARC_TEMPERROR;
		snprintf(ae->reason, sizeof ae->reason, "temporary DNS error while checking alignment");
	} else {
		ae->result = DMARC_FAIL;
		snprintf(ae->reason, sizeof ae->reason, "no aligned SPF or DKIM pass");
		if (ae->applied == DMARC_POLICY_REJECT)
			ae->disposition = DISP_REJECT;
		else if (ae->applied == DMARC_POLICY_QUARANTINE)
			ae->disposition = DISP_QUARANTINE;
	}
	if (ae->result == DMARC_TEMPERROR)
		ae->disposition = c->opt.tempfail_on_temperror ? DISP_TEMPFAIL : DISP_ACCEPT;
	return true;
}

static int disp_rank(enum disposition d)
{
	switch (d) {
	case DISP_REJECT: return 4;
	case DISP_TEMPFAIL: return 3;
	case DISP_QUARANTINE: return 2;
	default: return 0;
	}
}

static bool allowed_domain(const struct dmarc_options *o, const char *d)
{
	for (size_t i = 0; i < o->n_allow_domains; i++)
		if (o->allow_domains[i] && am_domain_is_sub(d, o->allow_domains[i]))
			return true;
	return false;
}

static bool allowed_network(const struct dmarc_options *o, const struct am_ip *ip)
{
	if (ip == NULL)
		return false;
	for (size_t i = 0; i < o->n_allow_networks; i++)
		if (am_cidr_match(&o->allow_networks[i], ip))
			return true;
	return false;
}

static void set_reply(struct dmarc_verdict *v, const char *rcode, const char *xcode,
		      const char *fmt, const char *arg)
{
	snprintf(v->smtp_rcode, sizeof v->smtp_rcode, "%s", rcode);
	snprintf(v->smtp_xcode, sizeof v->smtp_xcode, "%s", xcode);
	snprintf(v->smtp_text, sizeof v->smtp_text, fmt, arg);
}

/* expand_text - the configured reject text with %d replaced by the author domain; other
 * % sequences are kept literally, control characters become spaces. */
static void expand_text(const char *tmpl, const char *domain, char *out, size_t cap)
{
	size_t o = 0;
	for (const char *p = tmpl; *p && o + 1 < cap; p++) {
		if (p[0] == '%' && p[1] == 'd') {
			for (const char *d = domain; *d && o + 1 < cap; d++)
				out[o++] = *d;
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			out[o++] = '%';
			p++;
		} else {
			out[o++] = (unsigned char)*p < 0x20 ? ' ' : *p;
		}
	}
	out[o] = '\0';
}

/* from_problem - the From: field does not give exactly one Author Domain. */
static const char *from_problem(const struct dmarc_ctx *c)
{
	if (c->n_from == 0)
		return "no From header field";
	if (c->from_error)
		return "unparsable From header field";
	if (c->n_addresses == 0)
		return "From header field without an address";
	if (c->n_from > 1)
		return "several From header fields";
	if (c->n_authors > 1)
		return "several author domains in From";
	return NULL;
}

static void outcome_from(struct msg_results *res, const struct dmarc_author_eval *ae)
{
	struct dmarc_outcome *o = &res->dmarc;
	o->checked = true;
	o->result = ae->result;
	snprintf(o->from_domain, sizeof o->from_domain, "%s", ae->domain);
	snprintf(o->org_domain, sizeof o->org_domain, "%s", ae->org_domain);
	snprintf(o->policy_domain, sizeof o->policy_domain, "%s", ae->pf.found ? ae->pf.policy_domain : "");
	o->policy = ae->applied;
	o->requested = ae->requested;
	o->rec_p = dmarc_record_policy(&ae->pf.rec);
	o->rec_sp = ae->pf.rec.sp != DMARC_POLICY_UNSET && !ae->pf.rec.forced_none ? ae->pf.rec.sp : o->rec_p;
	o->spf_aligned = ae->spf_aligned;
	o->dkim_aligned = ae->dkim_aligned;
	o->testing = ae->testing;
	snprintf(o->reason, sizeof o->reason, "%s", ae->reason);
}

/* run_evaluation - request, step and evaluate until every author is decided. */
static int run_evaluation(struct dmarc_ctx *c, size_t n, const struct msg_results *res,
			  uint64_t deadline_ms)
{
	for (unsigned round = 0; round < DMARC_EVAL_ROUNDS; round++) {
		bool all = true;
		for (size_t i = 0; i < n; i++)
			if (!eval_author(c, &c->a[i], res))
				all = false;
		if (all)
			return 0;
		enum dmarc_org_step st = dmarc_org_step(c->org, deadline_ms);
		if (st == DMARC_ORG_ENOMEM)
			return -1;
		if (st == DMARC_ORG_PENDING)
			dmarc_org_expire(c->org);
	}
	/* Rounds exhausted (cannot happen with walks of at most 8 names): give up. */
	dmarc_org_expire(c->org);
	for (size_t i = 0; i < n; i++)
		if (!eval_author(c, &c->a[i], res)) {
			c->a[i].result = DMARC_TEMPERROR;
			c->a[i].disposition = c->opt.tempfail_on_temperror ? DISP_TEMPFAIL : DISP_ACCEPT;
		}
	return 0;
}

/* The reasons and reply texts below are cut to their buffers on purpose (a long author
 * domain shortens a log reason); gcc cannot bound the heap-held author fields. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif
int dmarc_ctx_finish(struct dmarc_ctx *c, struct msg_results *res, const struct am_ip *client,
		     uint64_t deadline_ms, struct dmarc_verdict *v)
{
	const struct dmarc_options *o = &c->opt;
	const char *problem;
	size_t n;

	memset(v, 0, sizeof *v);
	memset(&res->dmarc, 0, sizeof res->dmarc);
	v->disposition = DISP_ACCEPT;
	c->selected = -1;
	if (res->outbound) {
		snprintf(v->reason, sizeof v->reason, "outbound: not judged");
		goto out;
	}
	if (c->oom) {
		v->disposition = DISP_TEMPFAIL;
		snprintf(v->reason, sizeof v->reason, "out of memory");
		set_reply(v, "451", "4.3.0", "Temporary failure evaluating DMARC%s", "");
		goto out;
	}
	problem = from_problem(c);
	n = c->n_authors < DMARC_AUTHORS_MAX ? c->n_authors : DMARC_AUTHORS_MAX;
	if (problem && (o->from_policy != DMARC_FROM_STRICTEST || n == 0 || c->from_error ||
			c->n_authors > o->max_author_domains)) {
		res->dmarc.checked = true;
		snprintf(res->dmarc.reason, sizeof res->dmarc.reason, "%s", problem);
		if (n > 0)
			snprintf(res->dmarc.from_domain, sizeof res->dmarc.from_domain, "%s", c->a[0].domain);
		if (o->from_policy == DMARC_FROM_ACCEPT) {
			res->dmarc.result = DMARC_NONE;
			snprintf(v->reason, sizeof v->reason, "DMARC not applied: %s", problem);
			goto out;
		}
		res->dmarc.result = DMARC_PERMERROR;
		snprintf(v->reason, sizeof v->reason, "%s%s", problem,
			 c->n_authors > o->max_author_domains && !c->from_error && c->n_addresses
				 ? " (too many to evaluate)" : "");
		v->disposition = DISP_REJECT;
		set_reply(v, "550", "5.7.1", "Message rejected by DMARC: %s", problem);
		goto overrides;
	}
	if (n == 0) {
		/* only U-label domains: not evaluated (see add_from) */
		res->dmarc.checked = true;
		res->dmarc.result = DMARC_NONE;
		snprintf(res->dmarc.reason, sizeof res->dmarc.reason, "%s",
			 c->idn ? "internationalized author domain not evaluated" : "no author domain");
		snprintf(v->reason, sizeof v->reason, "%s", res->dmarc.reason);
		goto out;
	}
	if (run_evaluation(c, n, res, deadline_ms) != 0) {
		v->disposition = DISP_TEMPFAIL;
		snprintf(v->reason, sizeof v->reason, "out of memory");
		set_reply(v, "451", "4.3.0", "Temporary failure evaluating DMARC%s", "");
		goto out;
	}
	c->selected = 0;
	for (size_t i = 1; i < n; i++)
		if (disp_rank(c->a[i].disposition) > disp_rank(c->a[c->selected].disposition))
			c->selected = (int)i;
	const struct dmarc_author_eval *ae = &c->a[c->selected];
	outcome_from(res, ae);
	if (problem)
		snprintf(res->dmarc.reason, sizeof res->dmarc.reason, "%s; strictest of %zu: %s",
			 problem, n, ae->reason);
	v->disposition = ae->disposition;
	snprintf(v->reason, sizeof v->reason, "dmarc=%s %s: %s", dmarc_result_name(ae->result),
		 ae->domain, ae->reason);
	if (ae->testing && ae->requested != ae->applied && ae->result == DMARC_FAIL)
		v->override = DMARC_OVERRIDE_POLICY_TEST_MODE;
	if (v->disposition == DISP_REJECT) {
		set_reply(v, "550", "5.7.1", "Message rejected by DMARC policy of %s", ae->domain);
		if (o->reject_text && o->reject_text[0])
			expand_text(o->reject_text, ae->domain, v->smtp_text, sizeof v->smtp_text);
	}
	else if (v->disposition == DISP_TEMPFAIL)
		set_reply(v, "451", "4.7.5", "Temporary DNS failure evaluating the DMARC policy of %s",
			  ae->domain);

overrides:
	if (v->disposition != DISP_ACCEPT) {
		const char *why = NULL;
		if (res->dmarc.from_domain[0] && allowed_domain(o, res->dmarc.from_domain)) {
			why = "author domain allow-listed";
			v->override = DMARC_OVERRIDE_LOCAL_POLICY;
		} else if (allowed_network(o, client)) {
			why = "client network allow-listed";
			v->override = DMARC_OVERRIDE_TRUSTED_FORWARDER;
		} else if (!o->enforce) {
			why = "monitor mode";
			v->override = DMARC_OVERRIDE_LOCAL_POLICY;
		}
		if (why) {
			char was[24];
			snprintf(was, sizeof was, "%s", disposition_name(v->disposition));
			v->disposition = DISP_ACCEPT;
			v->smtp_rcode[0] = v->smtp_xcode[0] = v->smtp_text[0] = '\0';
			size_t l = strlen(v->reason);
			snprintf(v->reason + l, sizeof v->reason - l, " (%s: would %s)", why, was);
		}
	}
out:
	res->disposition = v->disposition;
	snprintf(res->disposition_reason, sizeof res->disposition_reason, "%s", v->reason);
	return 0;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

const struct dmarc_author_eval *dmarc_ctx_selected(const struct dmarc_ctx *c)
{
	return c->selected >= 0 ? &c->a[c->selected] : NULL;
}

const struct dmarc_org *dmarc_ctx_org(const struct dmarc_ctx *c)
{
	return c->org;
}

int dmarc_evaluate(const struct dns_resolver *r, const struct dmarc_options *opt,
		   const char *const *from, size_t n_from, struct msg_results *res,
		   const struct am_ip *client, uint64_t deadline_ms, struct dmarc_verdict *v)
{
	struct dmarc_ctx *c = dmarc_ctx_new(r, opt);
	int rc;
	if (c == NULL) {
		memset(v, 0, sizeof *v);
		v->disposition = DISP_TEMPFAIL;
		snprintf(v->reason, sizeof v->reason, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n_from; i++)
		if (dmarc_ctx_add_from(c, from[i], strlen(from[i])) != 0) {
			dmarc_ctx_free(c);
			return -1;
		}
	rc = dmarc_ctx_finish(c, res, client, deadline_ms, v);
	dmarc_ctx_free(c);
	return rc;
}
