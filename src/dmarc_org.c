/* dmarc_org - the RFC 9989 §4.10 DNS Tree Walk, policy discovery and Organizational
 * Domain, as a resumable step machine over the dns.h seam (see dmarc_org.h). */
#include "dmarc_org.h"
#include "clock.h"
#include "dmarc_psl.h"
#include "strutil.h"
#include <stdlib.h>
#include <string.h>

enum lk_state { LK_IDLE = 0, LK_PENDING, LK_DONE };
enum lk_result { LK_NONE = 0, LK_RECORD, LK_MULTIPLE, LK_TEMP };

struct lookup {
	char name[AM_DOMAIN_MAX + 8];   /* "_dmarc.<domain>" for TXT, the domain for A */
	enum dns_type type;
	enum lk_state state;
	struct dns_query *q;
	enum dns_status status;
	enum lk_result result;
	struct dmarc_record *rec;       /* LK_RECORD */
};

enum walk_state { W_RUNNING = 0, W_PAUSED, W_DONE, W_TEMP };

struct walk {
	char domain[AM_DOMAIN_MAX];
	int target[DMARC_WALK_MAX];     /* lookup indexes */
	size_t ntargets, pos;
	bool full;                      /* go on after a record at the start domain */
	bool policy;                    /* requested for policy discovery */
	enum walk_state state;
};

struct exist {
	char domain[AM_DOMAIN_MAX];
	int dmarc_lk;                   /* the _dmarc.<domain> lookup */
	int a_lk;                       /* -1 until needed */
};

struct dmarc_org {
	const struct dns_resolver *r;
	struct lookup lk[DMARC_ORG_LOOKUPS_MAX];
	size_t nlk;
	struct walk w[DMARC_ORG_WALKS_MAX];
	size_t nw;
	struct exist ex[DMARC_ORG_WALKS_MAX];
	size_t nex;
	unsigned started;
	bool expired;                   /* past the deadline: start nothing new */
	const struct dmarc_psl *psl;    /* RFC 7489 mode when set */
	int order[DMARC_ORG_LOOKUPS_MAX];  /* lookup indexes in the order queries started */
};

struct dmarc_org *dmarc_org_new(const struct dns_resolver *r)
{
	struct dmarc_org *o = calloc(1, sizeof *o);
	if (o)
		o->r = r;
	return o;
}

void dmarc_org_free(struct dmarc_org *o)
{
	if (o == NULL)
		return;
	for (size_t i = 0; i < o->nlk; i++) {
		if (o->lk[i].q)
			dns_release(o->r, o->lk[i].q);
		free(o->lk[i].rec);
	}
	free(o);
}

/* norm - lower-case copy without a trailing dot; false for an invalid domain. */
static bool norm(const char *in, char *out)
{
	size_t len = strlen(in);
	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0 || len >= AM_DOMAIN_MAX - 1 || !am_domain_valid(in, len))
		return false;
	for (size_t i = 0; i < len; i++)
		out[i] = (char)am_tolower((unsigned char)in[i]);
	out[len] = '\0';
	return true;
}

size_t dmarc_walk_targets(const char *domain, char targets[DMARC_WALK_MAX][AM_DOMAIN_MAX])
{
	char d[AM_DOMAIN_MAX];
	size_t n = 0;
	int labels;
	const char *p;
	if (!norm(domain, d))
		return 0;
	labels = am_domain_labels(d);
	strcpy(targets[n++], d);
	p = d;
	/* §4.10 step 4: x >= 8 -> drop labels until 7 remain; else drop one. */
	int drop = labels >= 8 ? labels - 7 : 1;
	while (labels > 1 && n < DMARC_WALK_MAX) {
		for (int i = 0; i < drop; i++) {
			p = strchr(p, '.');
			p++;
		}
		labels -= drop;
		drop = 1;
		strcpy(targets[n++], p);
	}
	return n;
}

/* lookup_get - the cached lookup for (name, type), created IDLE if new; -1 when full. */
static int lookup_get(struct dmarc_org *o, const char *name, enum dns_type type)
{
	for (size_t i = 0; i < o->nlk; i++)
		if (o->lk[i].type == type && strcmp(o->lk[i].name, name) == 0)
			return (int)i;
	if (o->nlk >= DMARC_ORG_LOOKUPS_MAX)
		return -1;
	struct lookup *l = &o->lk[o->nlk];
	memset(l, 0, sizeof *l);
	strcpy(l->name, name);
	l->type = type;
	return (int)o->nlk++;
}

static int dmarc_lookup_get(struct dmarc_org *o, const char *domain)
{
	char name[AM_DOMAIN_MAX + 8];
	strcpy(name, "_dmarc.");
	strcat(name, domain);
	return lookup_get(o, name, DNS_T_TXT);
}

static struct walk *walk_find(const struct dmarc_org *o, const char *domain)
{
	for (size_t i = 0; i < o->nw; i++)
		if (strcmp(o->w[i].domain, domain) == 0)
			return (struct walk *)&o->w[i];
	return NULL;
}

void dmarc_org_set_psl(struct dmarc_org *o, const struct dmarc_psl *psl)
{
	o->psl = psl;
}

const char *dmarc_org_method_name(const struct dmarc_org *o)
{
	return o->psl ? "psl" : "treewalk";
}

/* psl_org - RFC 7489 §3.2: the registrable domain, or the domain itself. */
static void psl_org(const struct dmarc_org *o, const char *d, char *out)
{
	if (!dmarc_psl_registrable(o->psl, d, out))
		strcpy(out, d);
}

static int walk_request(struct dmarc_org *o, const char *domain, bool full, bool policy)
{
	char d[AM_DOMAIN_MAX];
	char t[DMARC_WALK_MAX][AM_DOMAIN_MAX];
	struct walk *w;
	if (!norm(domain, d))
		return -1;
	if (o->psl) {
		/* RFC 7489 §6.6.3: _dmarc.<author>, then _dmarc.<org domain>; the org domain
		 * itself needs no DNS. */
		if (!policy)
			return 0;
		full = false;
	}
	w = walk_find(o, d);
	if (w) {
		w->policy |= policy;
		if (full && !w->full) {
			w->full = true;
			if (w->state == W_PAUSED)
				w->state = W_RUNNING;
		}
		return 0;
	}
	if (o->nw >= DMARC_ORG_WALKS_MAX)
		return -1;
	w = &o->w[o->nw];
	memset(w, 0, sizeof *w);
	strcpy(w->domain, d);
	if (o->psl) {
		strcpy(t[0], d);
		psl_org(o, d, t[1]);
		w->ntargets = strcmp(t[0], t[1]) ? 2 : 1;
	} else {
		w->ntargets = dmarc_walk_targets(d, t);
	}
	for (size_t i = 0; i < w->ntargets; i++) {
		w->target[i] = dmarc_lookup_get(o, t[i]);
		if (w->target[i] < 0)
			return -1;
	}
	w->full = full;
	w->policy = policy;
	o->nw++;
	return 0;
}

int dmarc_org_request_policy(struct dmarc_org *o, const char *author)
{
	return walk_request(o, author, false, true);
}

int dmarc_org_request_orgdomain(struct dmarc_org *o, const char *domain)
{
	return walk_request(o, domain, true, false);
}

int dmarc_org_request_exists(struct dmarc_org *o, const char *domain)
{
	char d[AM_DOMAIN_MAX];
	if (!norm(domain, d))
		return -1;
	for (size_t i = 0; i < o->nex; i++)
		if (strcmp(o->ex[i].domain, d) == 0)
			return 0;
	if (o->nex >= DMARC_ORG_WALKS_MAX)
		return -1;
	struct exist *e = &o->ex[o->nex];
	strcpy(e->domain, d);
	e->dmarc_lk = dmarc_lookup_get(o, d);
	e->a_lk = -1;
	if (e->dmarc_lk < 0)
		return -1;
	o->nex++;
	return 0;
}

/* classify - turn a finished answer into the lookup's result (§4.10 step 2 / step 6). */
static int classify(struct lookup *l, const struct dns_answer *a)
{
	l->status = a->status;
	l->state = LK_DONE;
	if (dns_status_is_temp(a->status)) {
		l->result = LK_TEMP;
		return 0;
	}
	l->result = LK_NONE;
	if (a->status != DNS_ANSWER || l->type != DNS_T_TXT)
		return 0;
	size_t n = 0, which = 0;
	for (size_t i = 0; i < a->count; i++)
		if (a->rr[i].type == DNS_T_TXT &&
		    dmarc_record_is_dmarc(a->rr[i].u.txt.data, a->rr[i].u.txt.len)) {
			n++;
			which = i;
		}
	if (n > 1) {
		l->result = LK_MULTIPLE;
	} else if (n == 1) {
		l->rec = malloc(sizeof *l->rec);
		if (l->rec == NULL)
			return -1;
		if (dmarc_record_parse(a->rr[which].u.txt.data, a->rr[which].u.txt.len, l->rec, NULL, 0))
			l->result = LK_RECORD;
		else {
			free(l->rec);
			l->rec = NULL;
		}
	}
	return 0;
}

/* lookup_poll - start an idle lookup or collect a finished one; -1 on ENOMEM. */
static int lookup_poll(struct dmarc_org *o, int idx, uint64_t deadline)
{
	struct lookup *l = &o->lk[idx];
	const struct dns_answer *a;
	if (l->state == LK_IDLE && o->expired) {
		l->state = LK_DONE;
		l->status = DNS_TIMEOUT;
		l->result = LK_TEMP;
		return 0;
	}
	if (l->state == LK_IDLE) {
		l->q = dns_start(o->r, l->name, l->type);
		if (l->q == NULL)
			return -1;
		l->state = LK_PENDING;
		if (o->started < DMARC_ORG_LOOKUPS_MAX)
			o->order[o->started] = idx;
		o->started++;
	}
	if (l->state != LK_PENDING)
		return 0;
	a = dns_wait(o->r, l->q, deadline);
	if (a == NULL)
		return 0;
	int rc = classify(l, a);
	dns_release(o->r, l->q);
	l->q = NULL;
	return rc;
}

static bool rec_stops(const struct lookup *l)
{
	return l->result == LK_RECORD && l->rec->psd != DMARC_PSD_U;
}

/* walk_advance - move a walk along the lookups that are done (starting the next one);
 * sets *progress when something changed; -1 on ENOMEM. */
static int walk_advance(struct dmarc_org *o, struct walk *w, bool *progress)
{
	while (w->state == W_RUNNING) {
		if (w->pos >= w->ntargets) {
			w->state = W_DONE;
			*progress = true;
			break;
		}
		int idx = w->target[w->pos];
		if (lookup_poll(o, idx, 0) < 0)
			return -1;
		struct lookup *l = &o->lk[idx];
		if (l->state != LK_DONE)
			break;
		*progress = true;
		if (l->result == LK_TEMP) {
			w->state = W_TEMP;
			break;
		}
		w->pos++;
		if (!o->psl && rec_stops(l)) {
			w->state = W_DONE;      /* psd=y or psd=n: stop (§4.10 steps 2, 6) */
		} else if (w->pos == 1 && l->result == LK_RECORD && !w->full) {
			w->state = W_PAUSED;    /* policy known; org domain not asked for yet */
		}
	}
	return 0;
}

static int exist_advance(struct dmarc_org *o, struct exist *e, bool *progress)
{
	struct lookup *d = &o->lk[e->dmarc_lk];
	if (lookup_poll(o, e->dmarc_lk, 0) < 0)
		return -1;
	if (d->state != LK_DONE)
		return 0;
	/* _dmarc.<domain> exists (any answer or NODATA): so does <domain> (RFC 8020). */
	if (d->result != LK_TEMP && d->status != DNS_NXDOMAIN)
		return 0;
	if (e->a_lk < 0) {
		e->a_lk = lookup_get(o, e->domain, DNS_T_A);
		if (e->a_lk < 0)
			return 0;       /* table full: reported as temporary error */
		*progress = true;
	}
	if (lookup_poll(o, e->a_lk, 0) < 0)
		return -1;
	return 0;
}

/* pending_query - any lookup still in flight? returns its index or -1. */
static int pending_query(const struct dmarc_org *o)
{
	for (size_t i = 0; i < o->nlk; i++)
		if (o->lk[i].state == LK_PENDING)
			return (int)i;
	return -1;
}

enum dmarc_org_step dmarc_org_step(struct dmarc_org *o, uint64_t deadline_ms)
{
	/* Each pass either finishes a lookup or waits for one; the number of lookups is
	 * bounded, so is the loop. */
	for (unsigned guard = 0; guard < 4 * DMARC_ORG_LOOKUPS_MAX + 8; guard++) {
		bool progress = false;
		for (size_t i = 0; i < o->nw; i++)
			if (walk_advance(o, &o->w[i], &progress) < 0)
				return DMARC_ORG_ENOMEM;
		for (size_t i = 0; i < o->nex; i++)
			if (exist_advance(o, &o->ex[i], &progress) < 0)
				return DMARC_ORG_ENOMEM;
		if (progress)
			continue;
		int p = pending_query(o);
		if (p < 0)
			return DMARC_ORG_DONE;
		if (deadline_ms == 0 || am_now_ms() >= deadline_ms)
			return DMARC_ORG_PENDING;
		if (lookup_poll(o, p, deadline_ms) < 0)
			return DMARC_ORG_ENOMEM;
	}
	return pending_query(o) < 0 ? DMARC_ORG_DONE : DMARC_ORG_PENDING;
}

void dmarc_org_expire(struct dmarc_org *o)
{
	bool progress = false;
	o->expired = true;
	for (size_t i = 0; i < o->nlk; i++) {
		struct lookup *l = &o->lk[i];
		if (l->state == LK_PENDING) {
			dns_release(o->r, l->q);
			l->q = NULL;
			l->state = LK_DONE;
			l->status = DNS_TIMEOUT;
			l->result = LK_TEMP;
		}
	}
	/* With `expired` set no query starts: every walk ends at its first unfinished name. */
	for (size_t i = 0; i < o->nw; i++)
		if (walk_advance(o, &o->w[i], &progress) < 0)
			o->w[i].state = W_TEMP;
	for (size_t i = 0; i < o->nex; i++)
		(void)exist_advance(o, &o->ex[i], &progress);
}

enum dmarc_org_step dmarc_org_run(struct dmarc_org *o, uint64_t deadline_ms)
{
	enum dmarc_org_step st;
	if (deadline_ms == 0)
		deadline_ms = 1;             /* a deadline in the past: poll, then expire */
	st = dmarc_org_step(o, deadline_ms);
	if (st == DMARC_ORG_PENDING) {
		dmarc_org_expire(o);
		st = DMARC_ORG_DONE;
	}
	return st;
}

/* org_of_walk - §4.10.2 selection over a finished walk; false if it cannot be decided. */
static bool org_of_walk(const struct dmarc_org *o, const struct walk *w, char *out, int *rec_idx)
{
	int fewest = -1;
	*rec_idx = -1;
	if (w->state != W_DONE)
		return false;
	for (size_t i = 0; i < w->pos; i++) {
		const struct lookup *l = &o->lk[w->target[i]];
		if (l->result != LK_RECORD)
			continue;
		const char *dom = l->name + 7;
		if (l->rec->psd == DMARC_PSD_N) {
			strcpy(out, dom);
			*rec_idx = w->target[i];
			return true;
		}
		if (l->rec->psd == DMARC_PSD_Y && i > 0) {
			/* the domain one label below, on the start domain's path */
			int want = am_domain_labels(dom) + 1;
			const char *p = w->domain;
			while (am_domain_labels(p) > want)
				p = strchr(p, '.') + 1;
			strcpy(out, p);
			for (size_t k = 0; k < i; k++)
				if (strcmp(o->lk[w->target[k]].name + 7, p) == 0 &&
				    o->lk[w->target[k]].result == LK_RECORD)
					*rec_idx = w->target[k];
			if (*rec_idx < 0)
				*rec_idx = -2 - w->target[i];  /* only the PSD's record */
			return true;
		}
		fewest = w->target[i];
	}
	if (fewest >= 0) {
		strcpy(out, o->lk[fewest].name + 7);
		*rec_idx = fewest;
	} else {
		strcpy(out, w->domain);
	}
	return true;
}

void dmarc_org_policy(const struct dmarc_org *o, const char *author, struct dmarc_policy_found *out)
{
	char d[AM_DOMAIN_MAX];
	const struct walk *w;
	memset(out, 0, sizeof *out);
	if (!norm(author, d) || (w = walk_find(o, d)) == NULL) {
		out->state = DMARC_ORG_S_TEMPERROR;
		strcpy(out->note, "no discovery for this domain");
		return;
	}
	for (size_t i = 0; i < w->pos; i++) {
		const struct lookup *l = &o->lk[w->target[i]];
		out->queries++;
		if (l->result == LK_MULTIPLE && out->note[0] == '\0') {
			strcpy(out->note, "several DMARC records at ");
			strncat(out->note, l->name, sizeof out->note - strlen(out->note) - 1);
		}
	}
	const struct lookup *first = &o->lk[w->target[0]];
	if (first->state == LK_DONE && first->result == LK_RECORD) {
		out->state = DMARC_ORG_S_OK;
		out->found = true;
		out->at_author = true;
		strcpy(out->policy_domain, d);
		out->rec = *first->rec;
		int ri;
		if (o->psl)
			psl_org(o, d, out->org_domain);
		else if (!org_of_walk(o, w, out->org_domain, &ri))
			out->org_domain[0] = '\0';
		return;
	}
	if (w->state == W_TEMP) {
		out->state = DMARC_ORG_S_TEMPERROR;
		const struct lookup *l = &o->lk[w->target[w->pos < w->ntargets ? w->pos : 0]];
		strcpy(out->note, "temporary DNS error at ");
		strncat(out->note, l->name, sizeof out->note - strlen(out->note) - 1);
		return;
	}
	if (w->state != W_DONE) {
		out->state = DMARC_ORG_S_PENDING;
		return;
	}
	int ri;
	out->state = DMARC_ORG_S_OK;
	if (o->psl) {
		psl_org(o, d, out->org_domain);
		const struct lookup *l = &o->lk[w->target[w->ntargets - 1]];
		if (w->ntargets == 2 && l->result == LK_RECORD) {
			out->found = true;
			strcpy(out->policy_domain, out->org_domain);
			out->rec = *l->rec;
		}
		return;
	}
	org_of_walk(o, w, out->org_domain, &ri);
	if (ri == -1)
		return;                              /* no record anywhere: DMARC does not apply */
	if (ri <= -2) {
		ri = -2 - ri;
		out->from_psd = true;
	}
	out->found = true;
	strcpy(out->policy_domain, o->lk[ri].name + 7);
	out->rec = *o->lk[ri].rec;
}

enum dmarc_org_state dmarc_org_orgdomain(const struct dmarc_org *o, const char *domain, char *out)
{
	char d[AM_DOMAIN_MAX];
	const struct walk *w;
	int ri;
	out[0] = '\0';
	if (o->psl && norm(domain, d)) {
		psl_org(o, d, out);
		return DMARC_ORG_S_OK;
	}
	if (!norm(domain, d) || (w = walk_find(o, d)) == NULL)
		return DMARC_ORG_S_TEMPERROR;
	if (w->state == W_TEMP)
		return DMARC_ORG_S_TEMPERROR;
	if (w->state != W_DONE)
		return DMARC_ORG_S_PENDING;
	org_of_walk(o, w, out, &ri);
	return DMARC_ORG_S_OK;
}

enum dmarc_org_state dmarc_org_exists(const struct dmarc_org *o, const char *domain,
				      enum dmarc_exists *out)
{
	char d[AM_DOMAIN_MAX];
	*out = DMARC_EXISTS_UNKNOWN;
	if (!norm(domain, d))
		return DMARC_ORG_S_TEMPERROR;
	for (size_t i = 0; i < o->nex; i++) {
		const struct exist *e = &o->ex[i];
		if (strcmp(e->domain, d) != 0)
			continue;
		const struct lookup *l = &o->lk[e->dmarc_lk];
		if (l->state != LK_DONE)
			return DMARC_ORG_S_PENDING;
		if (l->result != LK_TEMP && l->status != DNS_NXDOMAIN) {
			*out = DMARC_EXISTS_YES;
			return DMARC_ORG_S_OK;
		}
		if (e->a_lk < 0)
			return o->expired || o->nlk >= DMARC_ORG_LOOKUPS_MAX
				       ? DMARC_ORG_S_TEMPERROR : DMARC_ORG_S_PENDING;
		const struct lookup *a = &o->lk[e->a_lk];
		if (a->state != LK_DONE)
			return DMARC_ORG_S_PENDING;
		if (dns_status_is_temp(a->status))
			return DMARC_ORG_S_TEMPERROR;
		*out = a->status == DNS_NXDOMAIN ? DMARC_EXISTS_NO : DMARC_EXISTS_YES;
		return DMARC_ORG_S_OK;
	}
	return DMARC_ORG_S_TEMPERROR;
}

unsigned dmarc_org_queries(const struct dmarc_org *o)
{
	return o->started;
}

const char *dmarc_org_query_name(const struct dmarc_org *o, unsigned n)
{
	if (n >= o->started || n >= DMARC_ORG_LOOKUPS_MAX)
		return NULL;
	return o->lk[o->order[n]].name;
}
