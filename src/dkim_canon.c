/* dkim_canon - RFC 6376 §3.4 canonicalisation and the streaming body hasher
 * (see dkim_canon.h). OWNS: each dkim_bodyhash owns its OpenSSL digest context. */
#include "dkim_canon.h"
#include "strutil.h"
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

bool dkim_canon_parse(const char *s, size_t len, enum dkim_canon *out)
{
	if (len == 6 && memcmp(s, "simple", 6) == 0) {
		*out = DKIM_CANON_SIMPLE;
		return true;
	}
	if (len == 7 && memcmp(s, "relaxed", 7) == 0) {
		*out = DKIM_CANON_RELAXED;
		return true;
	}
	return false;
}

const char *dkim_canon_name(enum dkim_canon c)
{
	return c == DKIM_CANON_RELAXED ? "relaxed" : "simple";
}

/* RFC 6376 §3.4.2: lower-case the name, unfold, reduce WSP runs to one SP, drop WSP at
 * the end of the value and around the colon. §3.4.1 (simple): unchanged. */
int dkim_canon_header(enum dkim_canon c, const char *name, const char *value, size_t vlen,
		      bool crlf, struct buf *out)
{
	if (c == DKIM_CANON_SIMPLE) {
		if (buf_puts(out, name) < 0 || buf_putc(out, ':') < 0 || buf_append(out, value, vlen) < 0)
			return -1;
	} else {
		size_t nlen = strlen(name), start = out->len;
		bool wsp = false;
		while (nlen > 0 && am_iswsp((unsigned char)name[nlen - 1]))
			nlen--;
		if (buf_reserve(out, nlen + vlen + 3) < 0)
			return -1;
		for (size_t i = 0; i < nlen; i++)
			out->data[out->len++] = (char)am_tolower((unsigned char)name[i]);
		out->data[out->len++] = ':';
		start = out->len;
		for (size_t i = 0; i < vlen; i++) {
			unsigned char ch = (unsigned char)value[i];
			if (ch == '\r' || ch == '\n')
				continue;
			if (am_iswsp(ch)) {
				wsp = true;
				continue;
			}
			if (wsp && out->len > start)
				out->data[out->len++] = ' ';
			wsp = false;
			out->data[out->len++] = (char)ch;
		}
		out->data[out->len] = '\0';
	}
	if (crlf)
		return buf_append(out, "\r\n", 2);
	return 0;
}

void dkim_body_canon_init(struct dkim_body_canon *st, enum dkim_canon c)
{
	memset(st, 0, sizeof *st);
	st->canon = c;
}

static void flush_lines(struct dkim_body_canon *st, dkim_emit_fn emit, void *arg)
{
	static const char crlfs[] = "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n";
	while (st->pending_crlf > 0) {
		uint64_t n = st->pending_crlf > 8 ? 8 : st->pending_crlf;
		emit(arg, crlfs, (size_t)n * 2);
		st->pending_crlf -= n;
	}
}

/* content - emit len content bytes of the current line (after held line ends/WSP). */
static void content(struct dkim_body_canon *st, const char *p, size_t len, dkim_emit_fn emit, void *arg)
{
	if (len == 0)
		return;
	flush_lines(st, emit, arg);
	if (st->wsp_pending) {
		emit(arg, " ", 1);
		st->wsp_pending = false;
	}
	emit(arg, p, len);
	st->line_open = true;
	st->any = true;
}

static void line_break(struct dkim_body_canon *st, dkim_emit_fn emit, void *arg)
{
	(void)emit;
	(void)arg;
	st->wsp_pending = false;     /* relaxed: trailing WSP is dropped */
	if (st->line_open) {
		/* the line end that closes a content line is held like the others: it is
		 * emitted with the next content, or by final() */
		st->line_open = false;
	}
	st->pending_crlf++;
}

void dkim_body_canon_update(struct dkim_body_canon *st, const char *data, size_t len,
			    dkim_emit_fn emit, void *arg)
{
	size_t i = 0, run = 0;   /* run: start of pending plain content in data */
	if (st->cr_pending && len > 0) {
		st->cr_pending = false;
		if (data[0] == '\n') {
			line_break(st, emit, arg);
			i = run = 1;
		} else {
			content(st, "\r", 1, emit, arg);
		}
	}
	for (; i < len; i++) {
		unsigned char c = (unsigned char)data[i];
		if (c > ' ')
			continue;   /* plain content: the common byte, one test */
		/* relaxed: one SP between content bytes is already canonical; it stays in the
		 * run (no split, no separate emit) */
		if (c == ' ' && !(st->wsp_pending && i == run) && i + 1 < len) {
			unsigned char d = (unsigned char)data[i + 1];
			if (d != '\r' && d != '\n' && !am_iswsp(d))
				continue;
		}
		if (c == '\r' || c == '\n' || (st->canon == DKIM_CANON_RELAXED && am_iswsp(c))) {
			content(st, data + run, i - run, emit, arg);
			run = i + 1;
			if (c == '\n') {
				line_break(st, emit, arg);
			} else if (c == '\r') {
				if (i + 1 == len) {
					st->cr_pending = true;
				} else if (data[i + 1] == '\n') {
					line_break(st, emit, arg);
					i++;
					run = i + 1;
				} else {
					content(st, "\r", 1, emit, arg);
				}
			} else {
				st->wsp_pending = true;
			}
		}
	}
	content(st, data + run, len - run, emit, arg);
}

void dkim_body_canon_final(struct dkim_body_canon *st, dkim_emit_fn emit, void *arg)
{
	if (st->cr_pending) {
		st->cr_pending = false;
		content(st, "\r", 1, emit, arg);
	}
	/* RFC 6376 §3.4.3/§3.4.4: trailing empty lines are ignored; a non-empty body ends
	 * with exactly one CRLF; an empty body is CRLF under simple, empty under relaxed. */
	st->pending_crlf = 0;
	if (st->any || st->canon == DKIM_CANON_SIMPLE)
		emit(arg, "\r\n", 2);
}

/* The canonicaliser emits small pieces (a word, one space, a CRLF): they are gathered
 * in pend and handed to the digest in blocks, since each EVP_DigestUpdate call costs
 * more than hashing a few bytes. The buffer is fixed: memory still does not grow. */
#define BH_PEND 4096

struct dkim_bodyhash {
	struct dkim_body_canon canon;
	enum dkim_hash hash;
	EVP_MD_CTX *md;
	uint64_t limit, hashed, total;
	bool failed;
	size_t npend;
	char pend[BH_PEND];
};

static void bodyhash_flush(struct dkim_bodyhash *bh)
{
	if (bh->npend > 0 && EVP_DigestUpdate(bh->md, bh->pend, bh->npend) != 1)
		bh->failed = true;
	bh->npend = 0;
}

static void bodyhash_emit(void *arg, const char *data, size_t len)
{
	struct dkim_bodyhash *bh = arg;
	uint64_t take = len;
	bh->total += len;
	if (bh->hashed >= bh->limit)
		return;
	if (take > bh->limit - bh->hashed)
		take = bh->limit - bh->hashed;
	bh->hashed += take;
	if (take > BH_PEND - bh->npend) {
		bodyhash_flush(bh);
		if (take >= BH_PEND) {
			if (EVP_DigestUpdate(bh->md, data, (size_t)take) != 1)
				bh->failed = true;
			return;
		}
	}
	memcpy(bh->pend + bh->npend, data, (size_t)take);
	bh->npend += (size_t)take;
}

struct dkim_bodyhash *dkim_bodyhash_new(enum dkim_canon c, enum dkim_hash h, uint64_t limit)
{
	struct dkim_bodyhash *bh = calloc(1, sizeof *bh);
	if (bh == NULL)
		return NULL;
	dkim_body_canon_init(&bh->canon, c);
	bh->hash = h;
	bh->limit = limit;
	bh->md = EVP_MD_CTX_new();
	if (bh->md == NULL ||
	    EVP_DigestInit_ex(bh->md, h == DKIM_HASH_SHA1 ? EVP_sha1() : EVP_sha256(), NULL) != 1) {
		dkim_bodyhash_free(bh);
		return NULL;
	}
	return bh;
}

void dkim_bodyhash_update(struct dkim_bodyhash *bh, const char *data, size_t len)
{
	dkim_body_canon_update(&bh->canon, data, len, bodyhash_emit, bh);
}

int dkim_bodyhash_final(struct dkim_bodyhash *bh, unsigned char *digest, size_t *digest_len)
{
	unsigned int n = 0;
	dkim_body_canon_final(&bh->canon, bodyhash_emit, bh);
	bodyhash_flush(bh);
	if (bh->failed || EVP_DigestFinal_ex(bh->md, digest, &n) != 1)
		return -1;
	*digest_len = n;
	return 0;
}

uint64_t dkim_bodyhash_length(const struct dkim_bodyhash *bh)
{
	return bh->total;
}

uint64_t dkim_bodyhash_hashed(const struct dkim_bodyhash *bh)
{
	return bh->hashed;
}

bool dkim_bodyhash_matches(const struct dkim_bodyhash *bh, enum dkim_canon c, enum dkim_hash h,
			   uint64_t limit)
{
	return bh->canon.canon == c && bh->hash == h && bh->limit == limit;
}

void dkim_bodyhash_free(struct dkim_bodyhash *bh)
{
	if (bh == NULL)
		return;
	EVP_MD_CTX_free(bh->md);
	free(bh);
}
