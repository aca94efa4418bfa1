/* spf_eval - RFC 7208 check_host() as a resumable evaluator (see spf_eval.h).
 * OWNS: struct spf_check, its answer cache and the queries in it. */
#include "spf_eval.h"
#include "cidr.h"
#include "clock.h"
#include "spf_macro.h"
#include "spf_record.h"
#include "strutil.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define SPF_CACHE_MAX 1024      /* distinct (name, type) queries per check */
#define SPF_DEPTH_MAX 32        /* include/redirect nesting, beyond the term limit */
#define SPF_NAME_MAX 256
#define SPF_PTR_NAMES_MAX 64     /* upper bound for lim.ptr_names */
#define SPF_MX_ORDER_MAX 256     /* MX records sorted per mx mechanism */

#define EV_PENDING (-1)         /* check_host: an answer is outstanding */

struct cache_ent {
	char *name;                     /* lower case, no trailing dot */
	enum dns_type type;
	struct dns_query *q;
	const struct dns_answer *ans;   /* NULL while pending */
};

struct spf_check {
	/* request */
	char *sender, *local, *sdomain, *helo, *receiver;
	struct am_ip ip;
	time_t now;
	enum spf_identity identity;
	struct spf_limits lim;
	char *default_exp;
	/* state */
	struct dns_resolver res;
	bool have_res;
	bool started, done;
	uint64_t limit_ms;              /* absolute time limit, set at the first step */
	enum spf_result result;
	char expl[256];
	char mech[160];
	unsigned terms, voids;          /* counts of the last pass */
	struct cache_ent *cache;
	size_t ncache, capcache;
};

/* one evaluation pass */
struct ev {
	struct spf_check *c;
	uint64_t deadline;
	unsigned terms, voids;
	bool nomem;
	char why[160];
};

static const struct dns_answer ans_invalid = { .status = DNS_NXDOMAIN, .why = "invalid name" };

void spf_limits_default(struct spf_limits *lim)
{
	lim->dns_terms = 10;
	lim->void_lookups = 2;
	lim->mx_names = 10;
	lim->ptr_names = 10;
	lim->time_limit_ms = 20000;
	lim->prefetch = true;
	lim->default_explanation = SPF_DEFAULT_EXPLANATION;
}

/* name_ok - labels of 1..63 octets, at most 253 octets (RFC 7208 §4.3, RFC 1035). */
static bool name_ok(const char *s, size_t len)
{
	size_t lab = 0;
	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (lab == 0)
				return false;
			lab = 0;
		} else if (++lab > 63 || s[i] == '\0') {
			return false;
		}
	}
	return lab > 0;
}

/* ---- answer cache ---- */

static struct cache_ent *cache_find(struct spf_check *c, const char *name, enum dns_type t)
{
	for (size_t i = 0; i < c->ncache; i++)
		if (c->cache[i].type == t && strcmp(c->cache[i].name, name) == 0)
			return &c->cache[i];
	return NULL;
}

/* ev_start - make sure a query for name/type exists; NULL when the name is invalid,
 * the cache is full or memory is short (nomem set for the last two). */
static struct cache_ent *ev_start(struct ev *e, const char *qname, enum dns_type t)
{
	struct spf_check *c = e->c;
	char name[SPF_NAME_MAX];
	size_t len = strlen(qname);
	struct cache_ent *ce;

	if (!name_ok(qname, len))
		return NULL;
	if (qname[len - 1] == '.')
		len--;
	for (size_t i = 0; i < len; i++)
		name[i] = (char)am_tolower((unsigned char)qname[i]);
	name[len] = '\0';
	ce = cache_find(c, name, t);
	if (ce)
		return ce;
	if (c->ncache == SPF_CACHE_MAX) {
		e->nomem = true;
		snprintf(e->why, sizeof e->why, "too many DNS lookups");
		return NULL;
	}
	if (c->ncache == c->capcache) {
		size_t ncap = c->capcache ? c->capcache * 2 : 16;
		struct cache_ent *n = realloc(c->cache, ncap * sizeof *n);
		if (n == NULL) {
			e->nomem = true;
			snprintf(e->why, sizeof e->why, "out of memory");
			return NULL;
		}
		c->cache = n;
		c->capcache = ncap;
	}
	ce = &c->cache[c->ncache];
	memset(ce, 0, sizeof *ce);
	ce->name = strdup(name);
	ce->type = t;
	if (ce->name)
		ce->q = dns_start(&c->res, name, t);
	if (ce->name == NULL || ce->q == NULL) {
		free(ce->name);
		e->nomem = true;
		snprintf(e->why, sizeof e->why, "out of memory");
		return NULL;
	}
	c->ncache++;
	return ce;
}

/* ev_lookup - the answer for name/type: 0 and *out, or EV_PENDING; -2 = nomem. */
static int ev_lookup(struct ev *e, const char *name, enum dns_type t, const struct dns_answer **out)
{
	struct cache_ent *ce = ev_start(e, name, t);
	if (ce == NULL) {
		if (e->nomem)
			return -2;
		*out = &ans_invalid;
		return 0;
	}
	if (ce->ans == NULL)
		ce->ans = dns_wait(&e->c->res, ce->q, e->deadline);
	if (ce->ans == NULL)
		return EV_PENDING;
	*out = ce->ans;
	return 0;
}

/* ---- results ---- */

enum mres { M_NOMATCH, M_MATCH, M_PENDING, M_TEMPERROR, M_PERMERROR };

static enum mres ev_fail(struct ev *e, enum mres m, const char *fmt, const char *arg)
{
	snprintf(e->why, sizeof e->why, fmt, arg);
	return m;
}

/* count_void - §4.6.4 void lookup accounting; true when over the limit. */
static bool count_void(struct ev *e, const struct dns_answer *a, const char *name)
{
	if (!dns_status_is_void(a->status))
		return false;
	if (++e->voids > e->c->lim.void_lookups) {
		snprintf(e->why, sizeof e->why, "void lookup limit of %u exceeded at %.100s",
			 e->c->lim.void_lookups, name);
		return true;
	}
	return false;
}

static bool ip_match(const struct am_ip *client, const struct dns_rr *rr, unsigned bits)
{
	struct am_ip a;
	memset(&a, 0, sizeof a);
	if (rr->type == DNS_T_A && client->family == AF_INET) {
		a.family = AF_INET;
		memcpy(a.addr, rr->u.addr, 4);
	} else if (rr->type == DNS_T_AAAA && client->family == AF_INET6) {
		a.family = AF_INET6;
		memcpy(a.addr, rr->u.addr, 16);
	} else {
		return false;
	}
	return am_ip_prefix_equal(&a, client, bits);
}

static enum dns_type addr_type(const struct spf_check *c)
{
	return c->ip.family == AF_INET6 ? DNS_T_AAAA : DNS_T_A;
}

static void reverse_name(const struct am_ip *ip, char *out, size_t outlen)
{
	char dotted[80];
	if (ip->family == AF_INET) {
		snprintf(out, outlen, "%u.%u.%u.%u.in-addr.arpa", ip->addr[3], ip->addr[2], ip->addr[1], ip->addr[0]);
		return;
	}
	/* nibbles, least significant first */
	{
		static const char hex[] = "0123456789abcdef";
		size_t n = 0;
		for (int i = 15; i >= 0; i--) {
			dotted[n++] = hex[ip->addr[i] & 15];
			dotted[n++] = '.';
			dotted[n++] = hex[ip->addr[i] >> 4];
			dotted[n++] = '.';
		}
		dotted[n] = '\0';
		snprintf(out, outlen, "%sip6.arpa", dotted);
	}
}

/* validated_names - §5.5 steps: PTR names (at most ptr_names) whose address lookup gives
 * back the client IP. Returns 0 (names[] filled, *n set), EV_PENDING or -2 (nomem).
 * *ptr_status gets the PTR answer status (for void accounting by the ptr mechanism). */
static int validated_names(struct ev *e, const char *names[], size_t *n, enum dns_status *ptr_status)
{
	struct spf_check *c = e->c;
	char rev[SPF_NAME_MAX];
	const struct dns_answer *pa;
	size_t k, lim;
	int rc;
	bool pending = false;

	*n = 0;
	reverse_name(&c->ip, rev, sizeof rev);
	rc = ev_lookup(e, rev, DNS_T_PTR, &pa);
	if (rc != 0)
		return rc;
	*ptr_status = pa->status;
	if (pa->status != DNS_ANSWER)
		return 0;
	lim = pa->count < c->lim.ptr_names ? pa->count : c->lim.ptr_names;
	for (k = 0; k < lim; k++)          /* start them all: they run in parallel */
		if (pa->rr[k].type == DNS_T_PTR)
			(void)ev_start(e, pa->rr[k].u.name, addr_type(c));
	if (e->nomem)
		return -2;
	for (k = 0; k < lim; k++) {
		const struct dns_answer *aa;
		if (pa->rr[k].type != DNS_T_PTR)
			continue;
		rc = ev_lookup(e, pa->rr[k].u.name, addr_type(c), &aa);
		if (rc == EV_PENDING) {
			pending = true;     /* keep polling the others: they run in parallel */
			continue;
		}
		if (rc != 0)
			return rc;
		if (aa->status != DNS_ANSWER)
			continue;           /* errors here only drop the name */
		for (size_t j = 0; j < aa->count; j++) {
			if (ip_match(&c->ip, &aa->rr[j], c->ip.family == AF_INET ? 32 : 128)) {
				names[(*n)++] = pa->rr[k].u.name;
				break;
			}
		}
	}
	return pending ? EV_PENDING : 0;
}

/* pick_p - %{p}: the domain itself, else a subdomain of it, else any validated name. */
static const char *pick_p(const char *names[], size_t n, const char *domain)
{
	for (size_t i = 0; i < n; i++)
		if (am_strcaseeq(names[i], domain))
			return names[i];
	for (size_t i = 0; i < n; i++)
		if (am_domain_is_sub(names[i], domain))
			return names[i];
	return n ? names[0] : NULL;
}

static void macro_ctx(const struct spf_check *c, const char *domain, const char *p, struct spf_macro_ctx *m)
{
	memset(m, 0, sizeof *m);
	m->sender = c->sender;
	m->local = c->local;
	m->sender_domain = c->sdomain;
	m->domain = domain;
	m->ip = &c->ip;
	m->ptr_name = p;
	m->helo = c->helo;
	m->receiver = c->receiver;
	m->now = c->now;
}

/* expand - a domain-spec (or explanation with flags) for the current domain.
 * Returns 0, EV_PENDING, -2 nomem, or -3 macro error (why set). */
static int expand(struct ev *e, const char *spec, const char *domain, unsigned flags, char *out, size_t outcap)
{
	struct spf_macro_ctx m;
	const char *p = NULL;
	size_t len = strlen(spec);
	if (spf_macro_uses_p(spec, len)) {
		const char *names[SPF_PTR_NAMES_MAX];
		size_t n;
		enum dns_status st;
		int rc = validated_names(e, names, &n, &st);
		if (rc != 0)
			return rc;
		p = pick_p(names, n, domain);
	}
	macro_ctx(e->c, domain, p, &m);
	if (spf_macro_expand(spec, len, &m, flags, out, outcap, e->why, sizeof e->why) < 0)
		return -3;
	return 0;
}

static int check_host(struct ev *e, const char *domain, unsigned depth, bool want_exp);

/* mres_of - map a lookup/expansion return code to a mechanism result */
static enum mres mres_of(struct ev *e, int rc)
{
	if (rc == EV_PENDING)
		return M_PENDING;
	if (rc == -2)
		return M_TEMPERROR;
	(void)e;
	return M_PERMERROR;
}

/* eval_mech - one mechanism against the client (RFC 7208 §5). */
static enum mres eval_mech(struct ev *e, const struct spf_term *t, const char *domain, unsigned depth)
{
	struct spf_check *c = e->c;
	char target[SPF_NAME_MAX];
	const struct dns_answer *a;
	int rc;

	if (t->mech == SPF_MECH_ALL)
		return M_MATCH;
	if (t->mech == SPF_MECH_IP4 || t->mech == SPF_MECH_IP6)
		return am_ip_prefix_equal(&t->net, &c->ip, t->mech == SPF_MECH_IP4 ? t->cidr4 : t->cidr6) ? M_MATCH : M_NOMATCH;

	/* the DNS-querying terms (§4.6.4) */
	if (++e->terms > c->lim.dns_terms) {
		snprintf(e->why, sizeof e->why, "more than %u DNS-querying terms", c->lim.dns_terms);
		return M_PERMERROR;
	}
	if (t->domain) {
		rc = expand(e, t->domain, domain, 0, target, sizeof target);
		if (rc != 0)
			return mres_of(e, rc);
	} else {
		snprintf(target, sizeof target, "%s", domain);
	}

	switch (t->mech) {
	case SPF_MECH_INCLUDE:
		rc = check_host(e, target, depth + 1, false);
		switch (rc) {
		case EV_PENDING: return M_PENDING;
		case SPF_PASS: return M_MATCH;
		case SPF_FAIL: case SPF_SOFTFAIL: case SPF_NEUTRAL: return M_NOMATCH;
		case SPF_TEMPERROR: return M_TEMPERROR;
		case SPF_NONE:
			return ev_fail(e, M_PERMERROR, "include:%.100s has no SPF record", target);
		default: return M_PERMERROR;
		}
	case SPF_MECH_A:
	case SPF_MECH_EXISTS: {
		enum dns_type qt = t->mech == SPF_MECH_EXISTS ? DNS_T_A : addr_type(c);
		rc = ev_lookup(e, target, qt, &a);
		if (rc != 0)
			return mres_of(e, rc);
		if (dns_status_is_temp(a->status))
			return ev_fail(e, M_TEMPERROR, "DNS error looking up %.100s", target);
		if (count_void(e, a, target))
			return M_PERMERROR;
		if (a->status != DNS_ANSWER)
			return M_NOMATCH;
		if (t->mech == SPF_MECH_EXISTS)
			return M_MATCH;
		for (size_t i = 0; i < a->count; i++)
			if (ip_match(&c->ip, &a->rr[i], c->ip.family == AF_INET ? t->cidr4 : t->cidr6))
				return M_MATCH;
		return M_NOMATCH;
	}
	case SPF_MECH_MX: {
		/* §4.6.4: at most mx_names address lookups per mx; the names are tried in
		 * preference order (all of the first mx_names in parallel). A match among
		 * them wins; otherwise more names than that is a permerror. */
		const struct dns_rr *order[SPF_MX_ORDER_MAX];
		bool temp = false, pending = false;
		size_t n = 0, lim;
		rc = ev_lookup(e, target, DNS_T_MX, &a);
		if (rc != 0)
			return mres_of(e, rc);
		if (dns_status_is_temp(a->status))
			return ev_fail(e, M_TEMPERROR, "DNS error looking up MX of %.100s", target);
		if (count_void(e, a, target))
			return M_PERMERROR;
		if (a->status != DNS_ANSWER)
			return M_NOMATCH;
		for (size_t i = 0; i < a->count && n < SPF_MX_ORDER_MAX; i++) {
			size_t k = n++;
			if (a->rr[i].type != DNS_T_MX) {
				n--;
				continue;
			}
			/* insertion sort, stable for equal preferences */
			while (k > 0 && order[k - 1]->u.mx.preference > a->rr[i].u.mx.preference) {
				order[k] = order[k - 1];
				k--;
			}
			order[k] = &a->rr[i];
		}
		lim = n < c->lim.mx_names ? n : c->lim.mx_names;
		for (size_t i = 0; i < lim; i++)     /* parallel address lookups */
			if (order[i]->u.mx.host[0])
				(void)ev_start(e, order[i]->u.mx.host, addr_type(c));
		if (e->nomem)
			return M_TEMPERROR;
		/* any match wins; otherwise an outstanding answer, then the limit, then an error */
		for (size_t i = 0; i < lim; i++) {
			const struct dns_answer *h;
			if (order[i]->u.mx.host[0] == '\0')
				continue;          /* null MX (RFC 7505) names no host */
			rc = ev_lookup(e, order[i]->u.mx.host, addr_type(c), &h);
			if (rc == EV_PENDING) {
				pending = true;
				continue;
			}
			if (rc != 0)
				return mres_of(e, rc);
			if (dns_status_is_temp(h->status)) {
				temp = true;
				continue;
			}
			for (size_t j = 0; j < h->count; j++)
				if (ip_match(&c->ip, &h->rr[j], c->ip.family == AF_INET ? t->cidr4 : t->cidr6))
					return M_MATCH;
		}
		if (pending)
			return M_PENDING;
		if (a->count > c->lim.mx_names)
			return ev_fail(e, M_PERMERROR, "more than the allowed MX names at %.100s", target);
		if (temp)
			return ev_fail(e, M_TEMPERROR, "DNS error looking up an MX host of %.100s", target);
		return M_NOMATCH;
	}
	case SPF_MECH_PTR: {
		const char *names[SPF_PTR_NAMES_MAX];
		size_t n;
		enum dns_status st = DNS_ANSWER;
		rc = validated_names(e, names, &n, &st);
		if (rc != 0)
			return mres_of(e, rc);
		if (dns_status_is_void(st)) {
			struct dns_answer tmp = { .status = st };
			if (count_void(e, &tmp, "the PTR name"))
				return M_PERMERROR;
		}
		for (size_t i = 0; i < n; i++)
			if (am_domain_is_sub(names[i], target))
				return M_MATCH;
		return M_NOMATCH;
	}
	default:
		return M_PERMERROR;
	}
}

/* explanation - §6.2: exp= text on fail, or the default explanation. Returns 0 or EV_PENDING. */
static int explanation(struct ev *e, const struct spf_record *rec, const char *domain)
{
	struct spf_check *c = e->c;
	char target[SPF_NAME_MAX], save[sizeof e->why];
	const struct dns_answer *a;
	int rc;

	memcpy(save, e->why, sizeof save);
	c->expl[0] = '\0';
	if (rec->exp) {
		rc = expand(e, rec->exp, domain, 0, target, sizeof target);
		if (rc == EV_PENDING)
			return rc;
		if (rc == 0) {
			rc = ev_lookup(e, target, DNS_T_TXT, &a);
			if (rc == EV_PENDING)
				return rc;
			if (rc == 0 && a->status == DNS_ANSWER && a->count == 1 && a->rr[0].type == DNS_T_TXT) {
				const char *txt = a->rr[0].u.txt.data;
				size_t tl = a->rr[0].u.txt.len;
				char out[sizeof c->expl];
				rc = spf_macro_check(txt, tl, SPF_MACRO_EXP, NULL, e->why, sizeof e->why) < 0 ? -3 : 0;
				if (rc == 0)
					rc = expand(e, txt, domain, SPF_MACRO_EXP, out, sizeof out);
				if (rc == EV_PENDING)
					return rc;
				if (rc == 0) {
					memcpy(c->expl, out, sizeof out);
					memcpy(e->why, save, sizeof save);
					return 0;
				}
			}
		}
	}
	/* default explanation */
	{
		const char *d = c->default_exp;
		rc = expand(e, d, domain, SPF_MACRO_EXP, c->expl, sizeof c->expl);
		if (rc == EV_PENDING)
			return rc;
		if (rc != 0)
			snprintf(c->expl, sizeof c->expl, "%s", d);
	}
	memcpy(e->why, save, sizeof save);
	return 0;
}

/* find_record - §4.4/§4.5: the one SPF record at domain. Returns 0 (*rec may be NULL =
 * none), EV_PENDING, or an spf_result error (why set). */
static int find_record(struct ev *e, const char *domain, struct spf_record **rec)
{
	const struct dns_answer *a;
	const struct dns_rr *found = NULL;
	int rc;

	*rec = NULL;
	rc = ev_lookup(e, domain, DNS_T_TXT, &a);
	if (rc == EV_PENDING)
		return rc;
	if (rc != 0) {
		return SPF_TEMPERROR;
	}
	if (dns_status_is_temp(a->status)) {
		snprintf(e->why, sizeof e->why, "DNS %s looking up TXT at %.100s", dns_status_name(a->status), domain);
		return SPF_TEMPERROR;
	}
	if (a->status != DNS_ANSWER)
		return 0;
	for (size_t i = 0; i < a->count; i++) {
		if (a->rr[i].type != DNS_T_TXT || !spf_record_is_spf(a->rr[i].u.txt.data, a->rr[i].u.txt.len))
			continue;
		if (found) {
			snprintf(e->why, sizeof e->why, "more than one SPF record at %.100s", domain);
			return SPF_PERMERROR;
		}
		found = &a->rr[i];
	}
	if (found == NULL)
		return 0;
	{
		char why[sizeof e->why];
		rc = spf_record_parse(found->u.txt.data, found->u.txt.len, rec, why, sizeof why);
		if (rc == -2) {
			snprintf(e->why, sizeof e->why, "out of memory");
			return SPF_TEMPERROR;
		}
		if (rc != 0) {
			snprintf(e->why, sizeof e->why, "%.60s: %.90s", domain, why);
			return SPF_PERMERROR;
		}
	}
	return 0;
}

/* prefetch - start the lookups of the record's DNS terms that need no %{p}, as many as
 * the term budget can still reach. Only fills the cache. */
static void prefetch(struct ev *e, const struct spf_record *rec, const char *domain)
{
	struct spf_check *c = e->c;
	unsigned budget = c->lim.dns_terms > e->terms ? c->lim.dns_terms - e->terms : 0;
	for (size_t i = 0; i < rec->nterms && budget > 0; i++) {
		const struct spf_term *t = &rec->terms[i];
		char target[SPF_NAME_MAX];
		struct spf_macro_ctx m;
		enum dns_type qt;
		char why[8];
		switch (t->mech) {
		case SPF_MECH_INCLUDE: qt = DNS_T_TXT; break;
		case SPF_MECH_A: qt = addr_type(c); break;
		case SPF_MECH_MX: qt = DNS_T_MX; break;
		case SPF_MECH_EXISTS: qt = DNS_T_A; break;
		case SPF_MECH_PTR: budget--; continue;
		default: continue;
		}
		budget--;
		if (t->domain == NULL) {
			snprintf(target, sizeof target, "%s", domain);
		} else {
			if (spf_macro_uses_p(t->domain, strlen(t->domain)))
				continue;
			macro_ctx(c, domain, NULL, &m);
			if (spf_macro_expand(t->domain, strlen(t->domain), &m, 0, target, sizeof target, why, sizeof why) < 0)
				continue;
		}
		(void)ev_start(e, target, qt);
		if (e->nomem) {
			e->nomem = false;     /* a prefetch failure is not an error */
			return;
		}
	}
}

static void set_mech(struct spf_check *c, const char *fmt, const char *arg)
{
	snprintf(c->mech, sizeof c->mech, fmt, arg);
}

/* check_host - RFC 7208 §4. Returns an spf_result or EV_PENDING. want_exp: this
 * evaluation's fail is the final result (top level or reached by redirect). */
static int check_host(struct ev *e, const char *domain, unsigned depth, bool want_exp)
{
	struct spf_check *c = e->c;
	struct spf_record *rec = NULL;
	int rc, out = SPF_NEUTRAL;
	size_t i;

	if (depth > SPF_DEPTH_MAX) {
		snprintf(e->why, sizeof e->why, "include/redirect nesting too deep");
		return SPF_PERMERROR;
	}
	rc = find_record(e, domain, &rec);
	if (rc != 0)
		return rc;
	if (rec == NULL) {
		if (depth == 0)
			set_mech(c, "no SPF record at %.100s", domain);
		return SPF_NONE;
	}
	if (c->lim.prefetch)
		prefetch(e, rec, domain);
	for (i = 0; i < rec->nterms; i++) {
		const struct spf_term *t = &rec->terms[i];
		enum mres m = eval_mech(e, t, domain, depth);
		if (m == M_NOMATCH)
			continue;
		if (m == M_PENDING) {
			out = EV_PENDING;
		} else if (m == M_TEMPERROR) {
			out = SPF_TEMPERROR;
		} else if (m == M_PERMERROR) {
			out = SPF_PERMERROR;
		} else {
			out = (int)t->qual;
			if (want_exp) {
				set_mech(c, "%.150s", t->text);
				if (t->qual == SPF_FAIL && explanation(e, rec, domain) == EV_PENDING)
					out = EV_PENDING;
			}
		}
		goto done;
	}
	if (rec->redirect) {
		char target[SPF_NAME_MAX];
		if (++e->terms > c->lim.dns_terms) {
			snprintf(e->why, sizeof e->why, "more than %u DNS-querying terms", c->lim.dns_terms);
			out = SPF_PERMERROR;
			goto done;
		}
		rc = expand(e, rec->redirect, domain, 0, target, sizeof target);
		if (rc != 0) {
			out = rc == EV_PENDING ? EV_PENDING : rc == -2 ? SPF_TEMPERROR : SPF_PERMERROR;
			goto done;
		}
		out = check_host(e, target, depth + 1, want_exp);
		if (out == SPF_NONE) {
			snprintf(e->why, sizeof e->why, "redirect=%.100s has no SPF record", target);
			out = SPF_PERMERROR;
		}
		goto done;
	}
	if (want_exp)
		set_mech(c, "%s", "default");
	out = SPF_NEUTRAL;
done:
	spf_record_free(rec);
	return out;
}

/* ---- public API ---- */

static char *dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

struct spf_check *spf_check_new(const struct spf_request *req, const struct spf_limits *lim)
{
	struct spf_check *c;
	const char *s = req->sender ? req->sender : "";
	size_t sl = strlen(s);
	const char *helo = req->helo ? req->helo : "";
	struct am_ip ip;

	if (req->addr) {
		ip = *req->addr;
	} else if (req->ip == NULL || !am_ip_parse(req->ip, &ip)) {
		errno = EINVAL;
		return NULL;
	}
	if (ip.family != AF_INET && ip.family != AF_INET6) {
		errno = EINVAL;
		return NULL;
	}
	c = calloc(1, sizeof *c);
	if (c == NULL)
		return NULL;
	c->ip = ip;
	c->identity = req->identity;
	c->now = req->now ? req->now : am_wall_time();
	if (lim)
		c->lim = *lim;
	else
		spf_limits_default(&c->lim);
	c->default_exp = strdup(c->lim.default_explanation ? c->lim.default_explanation : SPF_DEFAULT_EXPLANATION);
	c->lim.default_explanation = NULL;
	if (c->lim.ptr_names > SPF_PTR_NAMES_MAX)
		c->lim.ptr_names = SPF_PTR_NAMES_MAX;
	if (c->lim.mx_names > SPF_MX_ORDER_MAX - 1)
		c->lim.mx_names = SPF_MX_ORDER_MAX - 1;
	c->helo = strdup(helo);
	c->receiver = strdup(req->receiver ? req->receiver : "unknown");
	if (sl >= 2 && s[0] == '<' && s[sl - 1] == '>') {
		s++;
		sl -= 2;
	}
	if (c->identity == SPF_ID_HELO || sl == 0) {
		c->local = strdup("postmaster");
		c->sdomain = strdup(helo);
	} else {
		const char *at = NULL;
		for (size_t i = sl; i > 0; i--)
			if (s[i - 1] == '@') {
				at = s + i - 1;
				break;
			}
		if (at == NULL) {
			c->local = strdup("postmaster");
			c->sdomain = dupn(s, sl);
		} else {
			size_t ll = (size_t)(at - s);
			c->local = ll ? dupn(s, ll) : strdup("postmaster");
			c->sdomain = dupn(at + 1, sl - ll - 1);
		}
	}
	if (c->sdomain) {            /* "example.com." names the same domain as "example.com" */
		size_t dl = strlen(c->sdomain);
		if (dl > 1 && c->sdomain[dl - 1] == '.')
			c->sdomain[dl - 1] = '\0';
	}
	if (c->local && c->sdomain) {
		size_t n = strlen(c->local) + strlen(c->sdomain) + 2;
		c->sender = malloc(n);
		if (c->sender)
			snprintf(c->sender, n, "%s@%s", c->local, c->sdomain);
	}
	if (c->default_exp == NULL || c->helo == NULL || c->receiver == NULL || c->sender == NULL) {
		spf_check_free(c);
		return NULL;
	}
	return c;
}

/* printable - texts that leave the evaluator (explanation, mechanism) carry only
 * printable ASCII: they end up in headers, logs and SMTP replies. */
static void printable(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
}

static void finish(struct spf_check *c, enum spf_result r, const char *why)
{
	c->done = true;
	c->result = r;
	if (r == SPF_TEMPERROR || r == SPF_PERMERROR) {
		snprintf(c->expl, sizeof c->expl, "%s", why);
		snprintf(c->mech, sizeof c->mech, "%.150s", why);
	} else if (r != SPF_FAIL) {
		c->expl[0] = '\0';
	}
	printable(c->expl);
	printable(c->mech);
}

int spf_check_step(struct spf_check *c, const struct dns_resolver *r, uint64_t deadline_ms)
{
	struct ev e;
	int rc;
	uint64_t now;
	size_t dl;

	if (c->done)
		return SPF_STEP_DONE;
	now = am_now_ms();
	if (!c->started) {
		c->started = true;
		c->limit_ms = now + c->lim.time_limit_ms;
		c->res = *r;
		c->have_res = true;
		/* §4.3: a malformed or single-label domain, or no domain: none */
		dl = strlen(c->sdomain);
		if (!name_ok(c->sdomain, dl) || memchr(c->sdomain, '.', dl - (c->sdomain[dl - 1] == '.')) == NULL ||
		    c->sdomain[0] == '[') {     /* an address literal is no domain either */
			set_mech(c, "'%.100s' is not a valid domain name", c->sdomain);
			c->done = true;
			c->result = SPF_NONE;
			return SPF_STEP_DONE;
		}
	}
	memset(&e, 0, sizeof e);
	e.c = c;
	e.deadline = deadline_ms < c->limit_ms ? deadline_ms : c->limit_ms;
	c->mech[0] = '\0';
	rc = check_host(&e, c->sdomain, 0, true);
	c->terms = e.terms;
	c->voids = e.voids;
	if (rc == EV_PENDING) {
		if (am_now_ms() >= c->limit_ms) {
			finish(c, SPF_TEMPERROR, "SPF evaluation time limit exceeded");
			return SPF_STEP_DONE;
		}
		return SPF_STEP_NEED_DNS;
	}
	finish(c, (enum spf_result)rc, e.why);
	return SPF_STEP_DONE;
}

void spf_check_run(struct spf_check *c, const struct dns_resolver *r, uint64_t deadline_ms)
{
	/* each step either finishes or has waited until the deadline */
	while (spf_check_step(c, r, deadline_ms) == SPF_STEP_NEED_DNS) {
		if (am_now_ms() >= deadline_ms) {
			finish(c, SPF_TEMPERROR, "DNS lookups did not complete in time");
			return;
		}
	}
}

bool spf_check_done(const struct spf_check *c)
{
	return c->done;
}

void spf_check_result(const struct spf_check *c, struct spf_outcome *out)
{
	memset(out, 0, sizeof *out);
	out->checked = c->done;
	out->result = c->done ? c->result : SPF_NONE;
	if (c->identity == SPF_ID_HELO)
		snprintf(out->identity, sizeof out->identity, "%s", c->helo);
	else
		snprintf(out->identity, sizeof out->identity, "%s", c->sender);
	snprintf(out->domain, sizeof out->domain, "%s", c->sdomain);
	snprintf(out->explanation, sizeof out->explanation, "%s", c->expl);
}

const char *spf_check_mechanism(const struct spf_check *c)
{
	return c->done ? c->mech : "";
}

const char *spf_check_sender(const struct spf_check *c)
{
	return c->sender;
}

void spf_check_counts(const struct spf_check *c, unsigned *terms, unsigned *voids)
{
	*terms = c->terms;
	*voids = c->voids;
}

void spf_check_free(struct spf_check *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->ncache; i++) {
		if (c->have_res)
			dns_release(&c->res, c->cache[i].q);
		free(c->cache[i].name);
	}
	free(c->cache);
	free(c->sender);
	free(c->local);
	free(c->sdomain);
	free(c->helo);
	free(c->receiver);
	free(c->default_exp);
	free(c);
}
