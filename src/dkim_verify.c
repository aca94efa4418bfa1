/* dkim_verify - per-message DKIM verification (see dkim_verify.h).
 * OWNS: the copied header list, the parsed signatures, their DNS queries (released in
 * dkim_verify_free) and the shared body hashers. */
#include "dkim_verify.h"
#include "clock.h"
#include "dkim_canon.h"
#include "dkim_key.h"
#include "dkim_sig.h"
#include "hdr.h"
#include "strutil.h"
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REASON_MAX 96

struct vsig {
	struct dkim_sig sig;
	bool parsed;
	size_t hdr_index;                 /* this DKIM-Signature in v->hdrs */
	enum dkim_result result;          /* DKIM_NONE while undecided */
	char reason[REASON_MAX];
	struct dns_query *q;              /* owned when q_owner */
	bool q_owner;
	size_t q_from;                    /* index of the signature owning the shared query */
	const struct dns_answer *ans;     /* collected in finish */
	bool ans_done;
	int bh;                           /* index into v->bh, or -1 */
	bool testing, partial;
};

struct dkim_verify {
	struct dkim_verify_limits lim;
	struct dns_resolver r;
	struct hdr_list hdrs;
	struct vsig *sigs;
	size_t nsigs, sigs_cap, unchecked;   /* sigs grows 1, 2, 4 ... max_signatures */
	struct dkim_bodyhash *bh[AM_DKIM_SIGS_MAX];
	unsigned char bh_digest[AM_DKIM_SIGS_MAX][EVP_MAX_MD_SIZE];
	size_t bh_len[AM_DKIM_SIGS_MAX];
	bool bh_ok[AM_DKIM_SIGS_MAX];
	size_t nbh;
	bool eoh, finished, oom, too_many_headers;
};

void dkim_verify_limits_default(struct dkim_verify_limits *l)
{
	memset(l, 0, sizeof *l);
	l->max_signatures = DKIM_VERIFY_DEFAULT_MAX_SIGS;
	l->clock_skew = DKIM_VERIFY_DEFAULT_SKEW;
	l->min_rsa_bits = DKIM_VERIFY_DEFAULT_MIN_RSA;
}

struct dkim_verify *dkim_verify_new(const struct dkim_verify_limits *limits,
				    const struct dns_resolver *resolver)
{
	struct dkim_verify *v = calloc(1, sizeof *v);
	if (v == NULL)
		return NULL;
	if (limits)
		v->lim = *limits;
	else
		dkim_verify_limits_default(&v->lim);
	if (v->lim.max_signatures == 0)
		v->lim.max_signatures = DKIM_VERIFY_DEFAULT_MAX_SIGS;
	if (v->lim.max_signatures > AM_DKIM_SIGS_MAX)
		v->lim.max_signatures = AM_DKIM_SIGS_MAX;
	if (v->lim.min_rsa_bits < 1024)
		v->lim.min_rsa_bits = 1024;   /* RFC 8301: never accept less */
	v->r = *resolver;
	hdr_list_init(&v->hdrs);
	return v;
}

static void decide(struct vsig *s, enum dkim_result r, const char *reason)
{
	s->result = r;
	snprintf(s->reason, sizeof s->reason, "%s", reason);
}

/* start_lookup - the key query for s, shared with an earlier signature naming the
 * same key. */
static void start_lookup(struct dkim_verify *v, size_t idx)
{
	struct vsig *s = &v->sigs[idx];
	char name[AM_DOMAIN_MAX + DKIM_SIG_SEL_MAX + 16];
	for (size_t i = 0; i < idx; i++) {
		struct vsig *o = &v->sigs[i];
		if (o->q_owner && strcmp(o->sig.domain, s->sig.domain) == 0 &&
		    strcmp(o->sig.selector, s->sig.selector) == 0) {
			s->q_from = i;
			return;
		}
	}
	snprintf(name, sizeof name, "%s._domainkey.%s", s->sig.selector, s->sig.domain);
	s->q = dns_start(&v->r, name, DNS_T_TXT);
	if (s->q == NULL) {
		decide(s, DKIM_TEMPERROR, "key lookup could not start");
		return;
	}
	s->q_owner = true;
	s->q_from = idx;
}

/* add_signature - parse a DKIM-Signature, settle what needs no key, start the lookup. */
static void add_signature(struct dkim_verify *v, size_t hdr_index)
{
	const struct hdr_field *f = &v->hdrs.f[hdr_index];
	struct vsig *s;
	time_t now;
	if (v->nsigs >= v->lim.max_signatures) {
		v->unchecked++;
		return;
	}
	if (v->nsigs == v->sigs_cap) {
		size_t cap = v->sigs_cap ? v->sigs_cap * 2 : 1;
		struct vsig *ns;
		if (cap > v->lim.max_signatures)
			cap = v->lim.max_signatures;
		ns = realloc(v->sigs, cap * sizeof *ns);
		if (ns == NULL) {
			v->oom = true;
			v->unchecked++;   /* reported as not checked */
			return;
		}
		v->sigs = ns;
		v->sigs_cap = cap;
	}
	s = &v->sigs[v->nsigs++];
	memset(s, 0, sizeof *s);
	s->hdr_index = hdr_index;
	s->bh = -1;
	if (dkim_sig_parse(f->value, f->value_len, &s->sig, s->reason, sizeof s->reason) < 0) {
		s->result = DKIM_PERMERROR;
		return;
	}
	s->parsed = true;
	if (s->sig.alg == DKIM_ALG_RSA_SHA1) {
		decide(s, DKIM_FAIL, "rsa-sha1 not accepted, RFC 8301");
		return;
	}
	now = v->lim.now ? v->lim.now : am_wall_time();
	if (s->sig.has_x && (int64_t)now > s->sig.x) {
		decide(s, DKIM_FAIL, "signature expired");
		return;
	}
	if (s->sig.has_t && s->sig.t > (int64_t)now + (int64_t)v->lim.clock_skew) {
		decide(s, DKIM_FAIL, "signature timestamp in the future");
		return;
	}
	start_lookup(v, (size_t)(s - v->sigs));
}

int dkim_verify_header(struct dkim_verify *v, const char *name, const char *value)
{
	if (v->eoh)
		return 0;
	if (v->hdrs.count >= HDR_MAX_FIELDS) {
		v->too_many_headers = true;
		if (am_strcaseeq(name, "DKIM-Signature"))
			v->unchecked++;
		return 0;
	}
	if (hdr_list_add(&v->hdrs, name, value) < 0) {
		v->oom = true;
		return -1;
	}
	if (am_strcaseeq(name, "DKIM-Signature"))
		add_signature(v, v->hdrs.count - 1);
	return 0;
}

int dkim_verify_eoh(struct dkim_verify *v)
{
	if (v->eoh)
		return 0;
	v->eoh = true;
	for (size_t i = 0; i < v->nsigs; i++) {
		struct vsig *s = &v->sigs[i];
		enum dkim_hash h;
		uint64_t limit;
		size_t k;
		if (s->result != DKIM_NONE)
			continue;
		h = dkim_sig_hash(s->sig.alg);
		limit = s->sig.has_l ? s->sig.l : DKIM_NO_LIMIT;
		for (k = 0; k < v->nbh; k++)
			if (dkim_bodyhash_matches(v->bh[k], s->sig.bcanon, h, limit))
				break;
		if (k == v->nbh) {
			v->bh[k] = dkim_bodyhash_new(s->sig.bcanon, h, limit);
			if (v->bh[k] == NULL) {
				v->oom = true;
				return -1;
			}
			v->nbh++;
		}
		s->bh = (int)k;
	}
	return 0;
}

int dkim_verify_body(struct dkim_verify *v, const char *chunk, size_t len)
{
	if (!v->eoh && dkim_verify_eoh(v) < 0)
		return -1;
	if (v->finished)
		return 0;
	for (size_t k = 0; k < v->nbh; k++)
		dkim_bodyhash_update(v->bh[k], chunk, len);
	return 0;
}

/* header_hash_input - RFC 6376 §5.4: the fields named in h=, each name consumed from the
 * bottom up, absent ones contributing nothing, then this DKIM-Signature with b= emptied
 * and no trailing CRLF. */
static int header_hash_input(const struct dkim_verify *v, const struct vsig *s, struct buf *out)
{
	const struct dkim_sig *sig = &s->sig;
	const struct hdr_field *self = &v->hdrs.f[s->hdr_index];
	struct buf stripped;
	int rc;
	for (size_t j = 0; j < sig->h_count; j++) {
		const char *name = dkim_sig_h_name(sig, j);
		size_t seen = 0, total;
		const struct hdr_field *f;
		for (size_t i = 0; i < j; i++)
			if (am_strcaseeq(dkim_sig_h_name(sig, i), name))
				seen++;
		total = hdr_list_count(&v->hdrs, name);
		if (seen >= total)
			continue;
		f = hdr_list_find(&v->hdrs, name, total - 1 - seen);
		if (f && dkim_canon_header(sig->hcanon, f->name, f->value, f->value_len, true, out) < 0)
			return -1;
	}
	buf_init(&stripped);
	if (dkim_sig_strip_b(self->value, self->value_len, &stripped) < 0) {
		buf_clear(&stripped);
		return -1;
	}
	rc = dkim_canon_header(sig->hcanon, self->name, stripped.data ? stripped.data : "",
			       stripped.len, false, out);
	buf_clear(&stripped);
	return rc;
}

/* check_signature - 1 valid, 0 invalid, -1 internal error. */
static int check_signature(const struct dkim_key *key, const struct dkim_sig *sig,
			   const unsigned char *data, size_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int rc = -1;
	if (ctx == NULL)
		return -1;
	if (sig->alg == DKIM_ALG_ED25519_SHA256) {
		/* RFC 8463 §3: Ed25519 (pure) over the SHA-256 hash of the data */
		unsigned char dg[EVP_MAX_MD_SIZE];
		unsigned int dl = 0;
		if (EVP_Digest(data, len, dg, &dl, EVP_sha256(), NULL) == 1 &&
		    EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key->pkey) == 1)
			rc = EVP_DigestVerify(ctx, sig->b, sig->b_len, dg, dl) == 1 ? 1 : 0;
	} else {
		if (EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key->pkey) == 1)
			rc = EVP_DigestVerify(ctx, sig->b, sig->b_len, data, len) == 1 ? 1 : 0;
	}
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* identity_domain_equals - the i= domain is exactly d= (key flag t=s). */
static bool identity_domain_equals(const struct dkim_sig *sig)
{
	const char *at = strrchr(sig->identity, '@');
	size_t dl;
	if (at == NULL)
		return false;
	dl = strlen(at + 1);
	if (dl > 0 && at[dl] == '.')
		dl--;
	return am_memcaseeq(at + 1, dl, sig->domain);
}

static void judge(struct dkim_verify *v, struct vsig *s, uint64_t deadline_ms)
{
	struct dkim_key key;
	char reason[REASON_MAX];
	enum dkim_result r;
	struct buf hin;
	uint64_t total;
	int ok;

	/* the key (a shared lookup was collected by its owner, which comes first) */
	if (s->q_owner) {
		s->ans = dns_wait(&v->r, s->q, deadline_ms);
		s->ans_done = true;
	} else {
		s->ans = v->sigs[s->q_from].ans;
	}
	r = dkim_key_from_answer_cached(s->ans, v->lim.key_cache, v->lim.min_rsa_bits, &key, reason, sizeof reason);
	if (r != DKIM_PASS) {
		decide(s, r, reason);
		return;
	}
	s->testing = key.testing;
	if ((key.type == DKIM_KEY_ED25519) != (s->sig.alg == DKIM_ALG_ED25519_SHA256)) {
		decide(s, DKIM_PERMERROR, "key type does not match a=");
		goto out;
	}
	if (!key.sha256_ok) {
		decide(s, DKIM_PERMERROR, "key h= does not allow sha256");
		goto out;
	}
	if (key.strict && !identity_domain_equals(&s->sig)) {
		decide(s, DKIM_PERMERROR, "key t=s requires the i= domain to equal d=");
		goto out;
	}
	/* body */
	if (s->bh < 0 || !v->bh_ok[s->bh]) {
		decide(s, DKIM_TEMPERROR, "internal error hashing the body");
		goto out;
	}
	total = dkim_bodyhash_length(v->bh[s->bh]);
	if (s->sig.has_l && total < s->sig.l) {
		decide(s, DKIM_FAIL, "body shorter than l=");
		goto out;
	}
	if (v->bh_len[s->bh] != s->sig.bh_len ||
	    memcmp(v->bh_digest[s->bh], s->sig.bh, s->sig.bh_len) != 0) {
		decide(s, DKIM_FAIL, "body hash mismatch");
		goto out;
	}
	/* header */
	buf_init(&hin);
	if (header_hash_input(v, s, &hin) < 0) {
		buf_clear(&hin);
		decide(s, DKIM_TEMPERROR, "out of memory");
		goto out;
	}
	ok = check_signature(&key, &s->sig, (const unsigned char *)(hin.data ? hin.data : ""), hin.len);
	buf_clear(&hin);
	if (ok < 0) {
		decide(s, DKIM_TEMPERROR, "internal error verifying the signature");
		goto out;
	}
	if (ok == 0) {
		decide(s, DKIM_FAIL, "signature mismatch");
		goto out;
	}
	if (s->sig.has_l && total > s->sig.l) {
		s->partial = true;
		if (v->lim.l_strict) {
			decide(s, DKIM_FAIL, "l= leaves body content unsigned");
			goto out;
		}
	}
	decide(s, DKIM_PASS, "");
out:
	dkim_key_clear(&key);
}

/* copy_text - bounded copy that always terminates (a long selector is cut short). */
static void copy_text(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void fill(const struct vsig *s, struct dkim_outcome *o)
{
	memset(o, 0, sizeof *o);
	o->result = s->result;
	snprintf(o->domain, sizeof o->domain, "%s", s->sig.domain);
	copy_text(o->selector, sizeof o->selector, s->sig.selector);
	snprintf(o->algorithm, sizeof o->algorithm, "%s", s->sig.a_text);
	snprintf(o->identity, sizeof o->identity, "%s", s->sig.identity);
	snprintf(o->b_prefix, sizeof o->b_prefix, "%s", s->sig.b_prefix);
	snprintf(o->reason, sizeof o->reason, "%s", s->reason);
	o->testing = s->testing;
	o->partial_body = s->partial;
}

int dkim_verify_finish(struct dkim_verify *v, uint64_t deadline_ms, struct msg_results *out)
{
	if (v->finished)
		return -1;
	if (!v->eoh)
		dkim_verify_eoh(v);
	v->finished = true;
	for (size_t k = 0; k < v->nbh; k++)
		v->bh_ok[k] = dkim_bodyhash_final(v->bh[k], v->bh_digest[k], &v->bh_len[k]) == 0;
	for (size_t i = 0; i < v->nsigs; i++) {
		struct vsig *s = &v->sigs[i];
		if (s->result == DKIM_NONE && v->oom)
			decide(s, DKIM_TEMPERROR, "out of memory");
		if (s->result == DKIM_NONE && v->too_many_headers)
			decide(s, DKIM_PERMERROR, "too many header fields");
		if (s->result == DKIM_NONE)
			judge(v, s, deadline_ms);
		else if (s->q_owner && !s->ans_done) {
			/* decided without the key, but a later signature may share the lookup */
			s->ans = dns_wait(&v->r, s->q, deadline_ms);
			s->ans_done = true;
		}
	}
	out->dkim_count = 0;
	for (size_t i = 0; i < v->nsigs && i < AM_DKIM_SIGS_MAX; i++)
		fill(&v->sigs[i], &out->dkim[out->dkim_count++]);
	out->dkim_unchecked = v->unchecked;
	return 0;
}

size_t dkim_verify_signatures(const struct dkim_verify *v)
{
	return v->nsigs + v->unchecked;
}

void dkim_verify_free(struct dkim_verify *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->nsigs; i++)
		if (v->sigs[i].q_owner)
			dns_release(&v->r, v->sigs[i].q);
	for (size_t k = 0; k < v->nbh; k++)
		dkim_bodyhash_free(v->bh[k]);
	free(v->sigs);
	hdr_list_clear(&v->hdrs);
	free(v);
}
