/* dkim_sign - per-message DKIM signing context (see dkim_sign.h). Pure.
 * OWNS: per signature its canonical header data, h= list and final value; the body hashers
 * (one per distinct body canonicalisation, shared by the signatures that use it). */
#include "dkim_sign.h"
#include "base64.h"
#include "strutil.h"
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const dkim_sign_default_headers[] = {
	"From", "Reply-To", "Subject", "Date", "To", "Cc", "Sender", "Message-ID", "In-Reply-To",
	"References", "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
	"Content-Disposition", "List-Id", "List-Help", "List-Unsubscribe", "List-Unsubscribe-Post",
	"List-Post", "List-Owner", "List-Subscribe", "List-Archive", NULL
};

/* RFC 5322 §3.6 singletons plus the MIME and list fields a replayer would add */
const char *const dkim_sign_default_oversign[] = {
	"From", "Reply-To", "Subject", "Date", "To", "Cc", "Sender", "Message-ID", "In-Reply-To",
	"References", "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
	"List-Id", "List-Help", "List-Unsubscribe", "List-Unsubscribe-Post", "List-Post",
	"List-Owner", "List-Subscribe", "List-Archive", NULL
};

struct sig {
	enum dkim_alg alg;
	enum dkim_canon hcanon, bcanon;
	char *domain, *selector;
	EVP_PKEY *pkey;
	struct buf canon_hdrs;           /* canonical signed header data, each with CRLF */
	char *hlist;                     /* "from:from:to:..." */
	size_t bh;                       /* index of its body hasher */
	char *value;                     /* the finished field value */
};

struct dkim_sign_ctx {
	struct sig sigs[DKIM_SIGN_MAX_SIGS];
	size_t n;
	struct dkim_bodyhash *bh[2];
	size_t nbh;
	unsigned long expire;
	bool fold_lf;
	bool finished;
};

static size_t list_len(const char *const *l)
{
	size_t n = 0;
	while (l[n])
		n++;
	return n;
}

static bool in_list(const char *const *l, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (am_strcaseeq(l[i], name))
			return true;
	return false;
}

/* field_name_ok - RFC 5322 §3.6.8 ftext: printable US-ASCII except ':' */
static bool field_name_ok(const char *n)
{
	size_t len = strlen(n);
	if (len == 0 || len > 200)
		return false;
	for (const char *p = n; *p; p++)
		if ((unsigned char)*p < 33 || (unsigned char)*p > 126 || *p == ':')
			return false;
	return true;
}

bool dkim_sign_header_name_valid(const char *name)
{
	return name != NULL && field_name_ok(name);
}

static int put_name(struct buf *out, const char *name)
{
	if (out->len > 0 && buf_putc(out, ':') < 0)
		return -1;
	for (const char *p = name; *p; p++)
		if (buf_putc(out, (char)am_tolower((unsigned char)*p)) < 0)
			return -1;
	return 0;
}

int dkim_sign_h_list(const struct hdr_list *hdrs, const struct dkim_sign_opts *o, struct buf *out)
{
	/* caller lists are counted (n_*), the default lists are NULL-terminated */
	const char *const *hl = (o && o->headers) ? o->headers : dkim_sign_default_headers;
	size_t nh = (o && o->headers) ? o->n_headers : list_len(hl);
	const char *const *ol = (o && o->oversign) ? o->oversign : dkim_sign_default_oversign;
	size_t no = (o && o->oversign) ? o->n_oversign : list_len(ol);
	bool oversign_none = o && o->no_oversign;
	const char *names[DKIM_SIGN_MAX_HEADERS + 1];
	size_t n = 0;
	/* From first (RFC 6376 §5.4: h= MUST include From), then the list without repeats */
	names[n++] = "From";
	for (size_t i = 0; i < nh && n < DKIM_SIGN_MAX_HEADERS + 1; i++) {
		if (!field_name_ok(hl[i]))
			return -1;
		if (in_list(names, n, hl[i]))
			continue;
		names[n++] = hl[i];
	}
	buf_reset(out);
	for (size_t i = 0; i < n; i++) {
		size_t count = hdr_list_count(hdrs, names[i]);
		if (!oversign_none && (i == 0 || in_list(ol, no, names[i])))
			count++;
		for (size_t k = 0; k < count; k++)
			if (put_name(out, names[i]) < 0)
				return -1;
	}
	return 0;
}

int dkim_sign_canon_headers(const struct hdr_list *hdrs, enum dkim_canon c, const char *hlist,
			    struct buf *out)
{
	const char *p = hlist;
	/* names already seen in h=, to pick instances from the bottom up */
	const char *seen[HDR_MAX_FIELDS + DKIM_SIGN_MAX_HEADERS];
	size_t seen_len[HDR_MAX_FIELDS + DKIM_SIGN_MAX_HEADERS], nseen = 0;
	while (*p) {
		const char *e = strchr(p, ':');
		size_t len = e ? (size_t)(e - p) : strlen(p), before = 0, count = 0;
		char name[256];
		const char *tp;
		size_t tl;
		tp = am_trim(p, len, &tl);
		if (tl > 0 && tl < sizeof name) {
			memcpy(name, tp, tl);
			name[tl] = '\0';
			for (size_t i = 0; i < nseen; i++)
				if (seen_len[i] == tl && am_memcaseeq(seen[i], tl, name))
					before++;
			if (nseen < sizeof seen / sizeof seen[0]) {
				seen[nseen] = tp;
				seen_len[nseen++] = tl;
			}
			count = hdr_list_count(hdrs, name);
			if (before < count) {
				const struct hdr_field *f = hdr_list_find(hdrs, name, count - 1 - before);
				if (dkim_canon_header(c, f->name, f->value, f->value_len, true, out) < 0)
					return -1;
			}
		}
		if (e == NULL)
			break;
		p = e + 1;
	}
	return 0;
}

static void sig_clear(struct sig *s)
{
	free(s->domain);
	free(s->selector);
	free(s->hlist);
	free(s->value);
	buf_clear(&s->canon_hdrs);
}

void dkim_sign_free(struct dkim_sign_ctx *ctx)
{
	if (ctx == NULL)
		return;
	for (size_t i = 0; i < ctx->n; i++)
		sig_clear(&ctx->sigs[i]);
	for (size_t i = 0; i < ctx->nbh; i++)
		dkim_bodyhash_free(ctx->bh[i]);
	free(ctx);
}

static bool valid_selector(const char *s)
{
	/* s= is a sequence of sub-domain labels (RFC 6376 §3.1) */
	return s && *s && am_domain_valid(s, strlen(s)) && s[strlen(s) - 1] != '.';
}

struct dkim_sign_ctx *dkim_sign_new(const struct hdr_list *hdrs, const struct dkim_sign_key *keys,
				    size_t n_keys, const struct dkim_sign_opts *o,
				    char *err, size_t errlen)
{
	struct dkim_sign_ctx *ctx;
	struct buf hl;
	if (n_keys == 0 || n_keys > DKIM_SIGN_MAX_SIGS) {
		snprintf(err, errlen, "between 1 and %d keys per message", DKIM_SIGN_MAX_SIGS);
		return NULL;
	}
	if (hdr_list_count(hdrs, "From") == 0) {
		snprintf(err, errlen, "message has no From header field: not signed");
		return NULL;
	}
	ctx = calloc(1, sizeof *ctx);
	if (ctx == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (o) {
		ctx->expire = o->expire;
		ctx->fold_lf = o->fold_lf;
	}
	buf_init(&hl);
	if (dkim_sign_h_list(hdrs, o, &hl) < 0 || hl.err) {
		snprintf(err, errlen, "invalid header field name in the signed-header list, or out of memory");
		goto fail;
	}
	for (size_t i = 0; i < n_keys; i++) {
		const struct dkim_sign_key *k = &keys[i];
		struct sig *s = &ctx->sigs[ctx->n];
		size_t b;
		if (k->pkey == NULL || !EVP_PKEY_is_a(k->pkey, k->alg == DKIM_ALG_ED25519_SHA256 ? "ED25519" : "RSA")) {
			snprintf(err, errlen, "key for %s/%s is not a %s key", k->domain ? k->domain : "?",
				 k->selector ? k->selector : "?", dkim_alg_name(k->alg));
			goto fail;
		}
		if (k->domain == NULL || !am_domain_valid(k->domain, strlen(k->domain)) ||
		    !valid_selector(k->selector)) {
			snprintf(err, errlen, "invalid signing domain or selector");
			goto fail;
		}
		buf_init(&s->canon_hdrs);
		ctx->n++;
		s->alg = k->alg;
		s->hcanon = k->hcanon;
		s->bcanon = k->bcanon;
		s->pkey = k->pkey;
		s->domain = am_domain_normalize(k->domain, strlen(k->domain));
		s->selector = am_strndup_lower(k->selector, strlen(k->selector));
		s->hlist = strdup(hl.data ? hl.data : "");
		if (s->domain == NULL || s->selector == NULL || s->hlist == NULL ||
		    dkim_sign_canon_headers(hdrs, s->hcanon, s->hlist, &s->canon_hdrs) < 0)
			goto nomem;
		for (b = 0; b < ctx->nbh; b++)
			if (dkim_bodyhash_matches(ctx->bh[b], s->bcanon, DKIM_HASH_SHA256, DKIM_NO_LIMIT))
				break;
		if (b == ctx->nbh) {
			ctx->bh[b] = dkim_bodyhash_new(s->bcanon, DKIM_HASH_SHA256, DKIM_NO_LIMIT);
			if (ctx->bh[b] == NULL)
				goto nomem;
			ctx->nbh++;
		}
		s->bh = b;
	}
	buf_clear(&hl);
	return ctx;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	buf_clear(&hl);
	dkim_sign_free(ctx);
	return NULL;
}

void dkim_sign_body(struct dkim_sign_ctx *ctx, const char *chunk, size_t len)
{
	if (ctx->finished)
		return;
	for (size_t i = 0; i < ctx->nbh; i++)
		dkim_bodyhash_update(ctx->bh[i], chunk, len);
}

int dkim_sign_compute_b(enum dkim_alg alg, EVP_PKEY *pkey, enum dkim_canon hcanon,
			const char *canon_headers, size_t chlen, const char *sig_value,
			size_t sig_len, char *b64, size_t b64cap)
{
	struct buf sh;
	unsigned char sig[1024];
	size_t siglen = sizeof sig;
	EVP_MD_CTX *md = NULL;
	int rc = -1;
	buf_init(&sh);
	if (dkim_canon_header(hcanon, "DKIM-Signature", sig_value, sig_len, false, &sh) < 0)
		goto out;
	md = EVP_MD_CTX_new();
	if (md == NULL)
		goto out;
	if (alg == DKIM_ALG_RSA_SHA256) {
		if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pkey) != 1 ||
		    EVP_DigestSignUpdate(md, canon_headers, chlen) != 1 ||
		    EVP_DigestSignUpdate(md, sh.data, sh.len) != 1 ||
		    EVP_PKEY_get_size(pkey) > (int)sizeof sig ||
		    EVP_DigestSignFinal(md, sig, &siglen) != 1)
			goto out;
	} else {
		/* RFC 8463 §3: Ed25519 (pure) over the SHA-256 hash of the data */
		unsigned char digest[32];
		unsigned int dl = 0;
		EVP_MD_CTX *h = EVP_MD_CTX_new();
		int ok = h && EVP_DigestInit_ex(h, EVP_sha256(), NULL) == 1 &&
			 EVP_DigestUpdate(h, canon_headers, chlen) == 1 &&
			 EVP_DigestUpdate(h, sh.data, sh.len) == 1 &&
			 EVP_DigestFinal_ex(h, digest, &dl) == 1 && dl == 32;
		EVP_MD_CTX_free(h);
		if (!ok || EVP_DigestSignInit(md, NULL, NULL, NULL, pkey) != 1 ||
		    EVP_DigestSign(md, sig, &siglen, digest, sizeof digest) != 1)
			goto out;
	}
	if (base64_encoded_len(siglen) + 1 > b64cap)
		goto out;
	base64_encode(sig, siglen, b64);
	rc = 0;
out:
	if (rc != 0)
		ERR_clear_error();
	EVP_MD_CTX_free(md);
	buf_clear(&sh);
	return rc;
}

/* Folding: tags separated by "; ", a line break (CRLF TAB) before a tag that would pass
 * the fold column; h= may break after a ':'; b= starts its own line and its base64 is
 * cut in pieces (FWS is allowed inside b=). */
struct fold {
	struct buf *out;
	size_t col;
};

#define FOLD_START 16   /* strlen("DKIM-Signature: ") */

static int fold_break(struct fold *f)
{
	f->col = 8;
	return buf_append(f->out, "\r\n\t", 3);
}

/* fold_tag - add text (a whole "tag=value;" or a piece), preceded by sep if it fits. */
static int fold_piece(struct fold *f, const char *text, size_t len, const char *sep)
{
	size_t sl = strlen(sep);
	if (f->col > 8 && f->col + sl + len > DKIM_SIGN_FOLD_COLUMN) {
		if (fold_break(f) < 0)
			return -1;
	} else if (f->out->len > 0) {
		if (buf_puts(f->out, sep) < 0)
			return -1;
		f->col += sl;
	}
	f->col += len;
	return buf_append(f->out, text, len);
}

static int fold_tagf(struct fold *f, const char *fmt, const char *a)
{
	char t[300];
	int n = snprintf(t, sizeof t, fmt, a);
	if (n < 0 || (size_t)n >= sizeof t)
		return -1;
	return fold_piece(f, t, (size_t)n, " ");
}

/* build_value - the field value up to and including "b=" (empty b). */
static int build_value(const struct dkim_sign_ctx *ctx, const struct sig *s, time_t now,
		       const char *bh64, struct buf *out)
{
	struct fold f = { out, FOLD_START };
	char num[32];
	char c[32];
	const char *p = s->hlist;
	bool first = true;
	snprintf(c, sizeof c, "%s/%s", dkim_canon_name(s->hcanon), dkim_canon_name(s->bcanon));
	if (fold_piece(&f, "v=1;", 4, " ") < 0 ||
	    fold_tagf(&f, "a=%s;", dkim_alg_name(s->alg)) < 0 ||
	    fold_tagf(&f, "c=%s;", c) < 0 ||
	    fold_tagf(&f, "d=%s;", s->domain) < 0 ||
	    fold_tagf(&f, "s=%s;", s->selector) < 0)
		return -1;
	snprintf(num, sizeof num, "%lld", (long long)now);
	if (fold_tagf(&f, "t=%s;", num) < 0)
		return -1;
	if (ctx->expire) {
		snprintf(num, sizeof num, "%lld", (long long)now + (long long)ctx->expire);
		if (fold_tagf(&f, "x=%s;", num) < 0)
			return -1;
	}
	/* h=name:name:...; */
	while (*p) {
		const char *e = strchr(p, ':');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char piece[300];
		int n = snprintf(piece, sizeof piece, "%s%.*s%s", first ? "h=" : "", (int)len, p,
				 e ? ":" : ";");
		if (n < 0 || (size_t)n >= sizeof piece)
			return -1;
		if (fold_piece(&f, piece, (size_t)n, first ? " " : "") < 0)
			return -1;
		first = false;
		if (e == NULL)
			break;
		p = e + 1;
	}
	if (fold_tagf(&f, "bh=%s;", bh64) < 0)
		return -1;
	if (fold_break(&f) < 0 || buf_puts(out, "b=") < 0)
		return -1;
	return 0;
}

/* append_b - the base64 signature after "b=", cut to the fold column. */
static int append_b(struct buf *out, const char *b64)
{
	size_t len = strlen(b64), col = 8 + 2, i = 0;
	while (i < len) {
		size_t room = DKIM_SIGN_FOLD_COLUMN - col, take = len - i < room ? len - i : room;
		if (buf_append(out, b64 + i, take) < 0)
			return -1;
		i += take;
		if (i < len) {
			if (buf_append(out, "\r\n\t", 3) < 0)
				return -1;
			col = 8;
		}
	}
	return 0;
}

int dkim_sign_finish(struct dkim_sign_ctx *ctx, time_t now, char *err, size_t errlen)
{
	unsigned char digest[2][EVP_MAX_MD_SIZE];
	char bh64[2][base64_encoded_len(EVP_MAX_MD_SIZE) + 1];
	struct buf v;
	if (ctx->finished) {
		snprintf(err, errlen, "signing context already finished");
		return -1;
	}
	ctx->finished = true;
	for (size_t i = 0; i < ctx->nbh; i++) {
		size_t dl = 0;
		if (dkim_bodyhash_final(ctx->bh[i], digest[i], &dl) != 0) {
			snprintf(err, errlen, "body hash failed");
			return -1;
		}
		base64_encode(digest[i], dl, bh64[i]);
	}
	buf_init(&v);
	for (size_t i = 0; i < ctx->n; i++) {
		struct sig *s = &ctx->sigs[i];
		char b64[base64_encoded_len(1024) + 1];
		buf_reset(&v);
		if (build_value(ctx, s, now, bh64[s->bh], &v) < 0 || v.err) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		/* RFC 6376 §3.7: the field is hashed with its value as it will be sent after
		 * "DKIM-Signature:" (one SP, then the value), b= empty, no final CRLF */
		{
			struct buf sv;
			int rc;
			buf_init(&sv);
			rc = buf_putc(&sv, ' ') < 0 || buf_append(&sv, v.data, v.len) < 0 ? -1 :
			     dkim_sign_compute_b(s->alg, s->pkey, s->hcanon, s->canon_hdrs.data ? s->canon_hdrs.data : "",
						 s->canon_hdrs.len, sv.data, sv.len, b64, sizeof b64);
			buf_clear(&sv);
			if (rc != 0) {
				snprintf(err, errlen, "%s signing with d=%s s=%s failed", dkim_alg_name(s->alg),
					 s->domain, s->selector);
				goto fail;
			}
		}
		if (append_b(&v, b64) < 0 || v.err) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		if (ctx->fold_lf) {
			size_t w = 0;
			for (size_t r = 0; r < v.len; r++)
				if (v.data[r] != '\r')
					v.data[w++] = v.data[r];
			v.len = w;
			v.data[w] = '\0';
		}
		s->value = buf_steal(&v);
		if (s->value == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		buf_init(&v);
	}
	buf_clear(&v);
	return (int)ctx->n;
fail:
	buf_clear(&v);
	for (size_t i = 0; i < ctx->n; i++) {
		free(ctx->sigs[i].value);
		ctx->sigs[i].value = NULL;
	}
	return -1;
}

const char *dkim_sign_value(const struct dkim_sign_ctx *ctx, size_t i)
{
	return i < ctx->n ? ctx->sigs[i].value : NULL;
}

size_t dkim_sign_count(const struct dkim_sign_ctx *ctx)
{
	return ctx->n;
}
