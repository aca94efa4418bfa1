/* test_dkim_sign - the per-message signing context: header selection and over-signing
 * (bottom-up instances), folding, tags, streaming, dual signing, and the published RFC 8463
 * Appendix A signatures (Ed25519 and RSA are both deterministic, so our signing code must
 * reproduce them byte for byte). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/pem.h>
#include "base64.h"
#include "dkim_keys.h"
#include "dkim_sign.h"
#include "dkim_sign_testkeys.h"
#include "hdr.h"

/* RFC 6376 Appendix A message, as used by RFC 8463 Appendix A (LF here, CRLF below) */
static const char rfc_msg[] =
	"From: Joe SixPack <joe@football.example.com>\n"
	"To: Suzie Q <suzie@shopping.example.net>\n"
	"Subject: Is dinner ready?\n"
	"Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\n"
	"Message-ID: <20030712040037.46341.5F8J@football.example.com>\n"
	"\n"
	"Hi.\n"
	"\n"
	"We lost the game.  Are you hungry yet?\n"
	"\n"
	"Joe.\n";

/* RFC 8032 §7.1 test 1 secret key, the "brisbane" key of RFC 8463 Appendix A */
static const char rfc8463_seed[] = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";
/* dkimpy's test key (selector "test" in its copy of the RFC example), RSA 1024 */
static const char dkimpy_test_private[] =
	"-----BEGIN RSA PRIVATE KEY-----\n"
	"MIICXQIBAAKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQi\n"
	"Y/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqM\n"
	"KrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB\n"
	"AoGAH0cxOhFZDgzXWhDhnAJDw5s4roOXN4OhjiXa8W7Y3rhX3FJqmJSPuC8N9vQm\n"
	"6SVbaLAE4SG5mLMueHlh4KXffEpuLEiNp9Ss3O4YfLiQpbRqE7Tm5SxKjvvQoZZe\n"
	"zHorimOaChRL2it47iuWxzxSiRMv4c+j70GiWdxXnxe4UoECQQDzJB/0U58W7RZy\n"
	"6enGVj2kWF732CoWFZWzi1FicudrBFoy63QwcowpoCazKtvZGMNlPWnC7x/6o8Gc\n"
	"uSe0ga2xAkEA8C7PipPm1/1fTRQvj1o/dDmZp243044ZNyxjg+/OPN0oWCbXIGxy\n"
	"WvmZbXriOWoSALJTjExEgraHEgnXssuk7QJBALl5ICsYMu6hMxO73gnfNayNgPxd\n"
	"WFV6Z7ULnKyV7HSVYF0hgYOHjeYe9gaMtiJYoo0zGN+L3AAtNP9huqkWlzECQE1a\n"
	"licIeVlo1e+qJ6Mgqr0Q7Aa7falZ448ccbSFYEPD6oFxiOl9Y9se9iYHZKKfIcst\n"
	"o7DUw1/hz2Ck4N5JrgUCQQCyKveNvjzkkd8HjYs0SwM0fPjK16//5qDZ2UiDGnOe\n"
	"uEzxBDAr518Z8VFbR41in3W4Y3yCDgQlLlcETrS+zYcL\n"
	"-----END RSA PRIVATE KEY-----\n";

/* split - parse an LF or CRLF message into hdrs; returns the CRLF copy, *body at its body */
static char *split(const char *msg, struct hdr_list *hl, size_t *body)
{
	struct buf b;
	buf_init(&b);
	assert_int_equal(hdr_to_crlf(msg, strlen(msg), &b), 0);
	hdr_list_init(hl);
	assert_int_equal(hdr_split_message(b.data, b.len, hl, body), 0);
	return buf_steal(&b);
}

/* The published DKIM-Signature fields of RFC 8463 Appendix A (field values up to b=,
 * exactly as sent: trailing spaces before the line breaks included). */
static void check_published(enum dkim_alg alg, EVP_PKEY *pk, const char *value_to_b,
			    const char *want_b)
{
	struct hdr_list hl;
	size_t body;
	char *m = split(rfc_msg, &hl, &body);
	struct buf ch;
	struct dkim_bodyhash *bh = dkim_bodyhash_new(DKIM_CANON_SIMPLE, DKIM_HASH_SHA256, DKIM_NO_LIMIT);
	unsigned char d[64];
	size_t dl;
	char bh64[64], b64[1024];
	/* bh= */
	dkim_bodyhash_update(bh, m + body, strlen(m) - body);
	assert_int_equal(dkim_bodyhash_final(bh, d, &dl), 0);
	base64_encode(d, dl, bh64);
	assert_string_equal(bh64, "4bLNXImK9drULnmePzZNEBleUanJCX5PIsDIFoH4KTQ=");
	dkim_bodyhash_free(bh);
	/* b= : h=from : to : subject : date : message-id : from : subject : date */
	buf_init(&ch);
	assert_int_equal(dkim_sign_canon_headers(&hl, DKIM_CANON_SIMPLE,
						 "from : to : subject : date : message-id : from : subject : date", &ch), 0);
	assert_int_equal(dkim_sign_compute_b(alg, pk, DKIM_CANON_SIMPLE, ch.data, ch.len, value_to_b,
					     strlen(value_to_b), b64, sizeof b64), 0);
	assert_string_equal(b64, want_b);
	buf_clear(&ch);
	hdr_list_clear(&hl);
	free(m);
}

static void test_rfc8463_ed25519(void **state)
{
	struct dkim_pkey *k;
	char err[256];
	(void)state;
	assert_int_equal(dkim_pkey_parse(rfc8463_seed, strlen(rfc8463_seed), &k, NULL, err, sizeof err), 0);
	check_published(DKIM_ALG_ED25519_SHA256, k->pkey,
			" v=1; a=ed25519-sha256; c=simple/simple; \r\n"
			" d=football.example.com; i=@football.example.com; \r\n"
			" q=dns/txt; s=brisbane; t=1518460054; h=from : to : \r\n"
			" subject : date : message-id : from : subject : date; \r\n"
			" bh=4bLNXImK9drULnmePzZNEBleUanJCX5PIsDIFoH4KTQ=; \r\n"
			" b=",
			"9/dsDChY0YMTtD5Eyw3wx7x22BlSJP7M5ECbJ7GWrR45nXlTCGb8l0YBo0wBLR++X5LqmsxXaOYLLJe46l10AQ==");
	dkim_pkey_unref(k);
}

static void test_rfc8463_rsa(void **state)
{
	struct dkim_pkey *k;
	bool weak = false;
	char err[256];
	(void)state;
	assert_int_equal(dkim_pkey_parse(dkimpy_test_private, strlen(dkimpy_test_private), &k, &weak,
					 err, sizeof err), 0);
	assert_true(weak);   /* 1024 bits */
	check_published(DKIM_ALG_RSA_SHA256, k->pkey,
			" v=1; a=rsa-sha256; c=simple/simple; \r\n"
			" d=football.example.com; i=@football.example.com; \r\n"
			" q=dns/txt; s=test; t=1527915362; h=from : to : subject : \r\n"
			" date : message-id : from : subject : date; \r\n"
			" bh=4bLNXImK9drULnmePzZNEBleUanJCX5PIsDIFoH4KTQ=; \r\n"
			" b=",
			"icKcLSEZYXJ95flvWE8FT6hl5iqd8MC/LEKYH0QjsqYy6MO/4pgVNCZHl/RAXAuADxE/40Fg7uTlxwwD1hjN2Ple6J//cJfslBdDOq6zTVbne1dqtlNOat7iamJ1AfRqyG+ja7a2AZsrpUuJ7VA6O+0zRYPqpwMEkEFIzI9i/Xk=");
	dkim_pkey_unref(k);
}

static void test_h_list_default(void **state)
{
	struct hdr_list hl;
	size_t body;
	char *m = split(rfc_msg, &hl, &body);
	struct buf h;
	struct dkim_sign_opts o = { 0 };
	(void)state;
	buf_init(&h);
	assert_int_equal(dkim_sign_h_list(&hl, &o, &h), 0);
	/* present ones twice (over-signed), absent over-signed ones once */
	assert_string_equal(h.data,
			    "from:from:reply-to:subject:subject:date:date:to:to:cc:sender:"
			    "message-id:message-id:in-reply-to:references:mime-version:content-type:"
			    "content-transfer-encoding:list-id:list-help:list-unsubscribe:"
			    "list-unsubscribe-post:list-post:list-owner:list-subscribe:list-archive");
	/* no over-signing: only what is present */
	o.no_oversign = true;
	assert_int_equal(dkim_sign_h_list(&hl, &o, &h), 0);
	assert_string_equal(h.data, "from:subject:date:to:message-id");
	buf_clear(&h);
	hdr_list_clear(&hl);
	free(m);
}

static void test_h_list_custom(void **state)
{
	struct hdr_list hl;
	size_t body;
	char *m = split("Received: a\nTo: x@a\nto: y@a\nX-Custom: 1\nFrom: f@a\nX-Custom: 2\n\n", &hl, &body);
	struct buf h;
	/* From is added even when not listed; duplicates and case are folded */
	const char *list[] = { "To", "x-custom", "X-CUSTOM", "Subject", "Received" };
	const char *over[] = { "to", "subject" };
	struct dkim_sign_opts o = { .headers = list, .n_headers = 5, .oversign = over, .n_oversign = 2 };
	(void)state;
	buf_init(&h);
	assert_int_equal(dkim_sign_h_list(&hl, &o, &h), 0);
	assert_string_equal(h.data, "from:from:to:to:to:x-custom:x-custom:subject:received");
	buf_clear(&h);
	hdr_list_clear(&hl);
	free(m);
}

static void test_bottom_up(void **state)
{
	struct hdr_list hl;
	size_t body;
	char *m = split("To: first@a\nFrom: F <f@a>\nTo:  second@a\nSubject: S\n\n", &hl, &body);
	struct buf c;
	(void)state;
	buf_init(&c);
	/* RFC 6376 §5.4.2: the first "to" is the last To field, then the one above, then none */
	assert_int_equal(dkim_sign_canon_headers(&hl, DKIM_CANON_RELAXED, "to:to:to:From:subject:x-none", &c), 0);
	assert_string_equal(c.data, "to:second@a\r\nto:first@a\r\nfrom:F <f@a>\r\nsubject:S\r\n");
	buf_reset(&c);
	assert_int_equal(dkim_sign_canon_headers(&hl, DKIM_CANON_SIMPLE, "to", &c), 0);
	assert_string_equal(c.data, "To:  second@a\r\n");
	buf_clear(&c);
	hdr_list_clear(&hl);
	free(m);
}

/* sign - sign msg with the keys, body in chunks of step bytes; returns ctx (finished) */
static struct dkim_sign_ctx *sign(const char *msg, struct dkim_sign_key *keys, size_t n,
				  const struct dkim_sign_opts *o, size_t step, time_t t)
{
	struct hdr_list hl;
	size_t body;
	char *m = split(msg, &hl, &body), err[256];
	struct dkim_sign_ctx *ctx = dkim_sign_new(&hl, keys, n, o, err, sizeof err);
	size_t len = strlen(m);
	assert_non_null(ctx);
	hdr_list_clear(&hl);   /* the context keeps nothing of the header list */
	for (size_t i = body; i < len; i += step)
		dkim_sign_body(ctx, m + i, len - i < step ? len - i : step);
	assert_int_equal(dkim_sign_finish(ctx, t, err, sizeof err), (int)n);
	free(m);
	return ctx;
}

static void check_folding(const char *v, const char *eol)
{
	size_t el = strlen(eol);
	const char *line = v;
	size_t first = 1;
	assert_null(strstr(v, "l="));
	for (;;) {
		const char *e = strstr(line, eol);
		size_t len = e ? (size_t)(e - line) : strlen(line);
		/* "DKIM-Signature: " precedes the first line; a TAB counts as 8 columns */
		size_t cols = first ? 16 + len : 8 + len - 1;
		assert_true(cols <= DKIM_SIGN_FOLD_COLUMN);
		if (!first)
			assert_int_equal(line[0], '\t');
		assert_true(len > 0 && line[len - 1] != ' ' && line[len - 1] != '\t');
		for (size_t i = 0; i < len; i++)
			assert_true(line[i] != '\r' && line[i] != '\n');
		if (e == NULL)
			break;
		line = e + el;
		first = 0;
	}
}

static void test_sign_fold_tags_stream(void **state)
{
	EVP_PKEY *ed = dkimsign_test_gen_ed25519(), *rsa = dkimsign_test_gen_rsa(2048);
	struct dkim_sign_key keys[2] = {
		{ DKIM_ALG_RSA_SHA256, DKIM_CANON_RELAXED, DKIM_CANON_RELAXED, "Example.COM.", "sel-rsa", rsa },
		{ DKIM_ALG_ED25519_SHA256, DKIM_CANON_RELAXED, DKIM_CANON_RELAXED, "example.com", "sel-ed", ed },
	};
	struct dkim_sign_opts o = { .expire = 3600 };
	struct dkim_sign_ctx *a, *b;
	const char *v;
	(void)state;
	a = sign(rfc_msg, keys, 2, &o, 1, 1700000000);
	v = dkim_sign_value(a, 0);
	assert_non_null(v);
	/* d= normalised (lower case, no final dot); s= does not fit the first line any more */
	assert_true(strncmp(v, "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com;\r\n\ts=sel-rsa;", 62) == 0);
	assert_non_null(strstr(v, " t=1700000000;"));
	assert_non_null(strstr(v, " x=1700003600;"));
	assert_non_null(strstr(v, "\r\n\tb="));
	check_folding(v, "\r\n");
	check_folding(dkim_sign_value(a, 1), "\r\n");
	assert_true(strncmp(dkim_sign_value(a, 1), "v=1; a=ed25519-sha256;", 22) == 0);
	/* one body hash shared: both carry the same bh= */
	{
		const char *b0 = strstr(dkim_sign_value(a, 0), "bh="), *b1 = strstr(dkim_sign_value(a, 1), "bh=");
		assert_memory_equal(b0, b1, 48);
	}
	/* streaming in other chunk sizes changes nothing (Ed25519 is deterministic) */
	b = sign(rfc_msg, &keys[1], 1, &o, 100000, 1700000000);
	assert_string_equal(dkim_sign_value(b, 0), dkim_sign_value(a, 1));
	dkim_sign_free(b);
	b = sign(rfc_msg, &keys[1], 1, &o, 7, 1700000000);
	assert_string_equal(dkim_sign_value(b, 0), dkim_sign_value(a, 1));
	assert_null(dkim_sign_value(b, 1));
	assert_int_equal(dkim_sign_count(b), 1);
	dkim_sign_free(b);
	/* LF folding for the milter: the same field without the CRs */
	o.fold_lf = true;
	b = sign(rfc_msg, &keys[1], 1, &o, 7, 1700000000);
	v = dkim_sign_value(b, 0);
	assert_null(strchr(v, '\r'));
	check_folding(v, "\n");
	{
		struct buf crlf;
		buf_init(&crlf);
		assert_int_equal(hdr_to_crlf(v, strlen(v), &crlf), 0);
		assert_string_equal(crlf.data, dkim_sign_value(a, 1));
		buf_clear(&crlf);
	}
	dkim_sign_free(b);
	/* no x= when expire is 0; finish twice is refused */
	o.expire = 0;
	o.fold_lf = false;
	b = sign(rfc_msg, &keys[1], 1, &o, 64, 1700000000);
	assert_null(strstr(dkim_sign_value(b, 0), "x="));
	{
		char err[128];
		assert_int_equal(dkim_sign_finish(b, 1, err, sizeof err), -1);
	}
	dkim_sign_free(b);
	dkim_sign_free(a);
	EVP_PKEY_free(ed);
	EVP_PKEY_free(rsa);
}

/* verify_ed - check an Ed25519 value against the message with the public key: rebuild
 * the signed data as a verifier would (h= from the value, b= emptied). */
static void verify_ed(const char *msg, const char *value, EVP_PKEY *pk, bool want)
{
	struct hdr_list hl;
	size_t body;
	char *m = split(msg, &hl, &body);
	const char *h = strstr(value, "h="), *he = strchr(h, ';'), *b = strstr(value, "\tb=");
	char hlist[2048], sigb64[200];
	unsigned char sig[100], dg[32];
	size_t sl, n = 0;
	struct buf data, sv;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	for (const char *p = h + 2; p < he; p++)
		if (*p != '\r' && *p != '\n' && *p != '\t' && *p != ' ')
			hlist[n++] = *p;
	hlist[n] = '\0';
	n = 0;
	for (const char *p = b + 3; *p; p++)
		if (*p != '\r' && *p != '\n' && *p != '\t')
			sigb64[n++] = *p;
	sl = base64_decode(sigb64, n, sig, sizeof sig);
	assert_int_equal(sl, 64);
	buf_init(&data);
	buf_init(&sv);
	assert_int_equal(dkim_sign_canon_headers(&hl, DKIM_CANON_RELAXED, hlist, &data), 0);
	buf_putc(&sv, ' ');
	buf_append(&sv, value, (size_t)(b - value) + 3);
	assert_int_equal(dkim_canon_header(DKIM_CANON_RELAXED, "DKIM-Signature", sv.data, sv.len, false, &data), 0);
	assert_int_equal(EVP_Digest(data.data, data.len, dg, NULL, EVP_sha256(), NULL), 1);
	assert_int_equal(EVP_DigestVerifyInit(md, NULL, NULL, NULL, pk), 1);
	assert_int_equal(EVP_DigestVerify(md, sig, sl, dg, 32) == 1, want);
	EVP_MD_CTX_free(md);
	buf_clear(&data);
	buf_clear(&sv);
	hdr_list_clear(&hl);
	free(m);
}

static void test_sign_verifies_and_oversign_holds(void **state)
{
	EVP_PKEY *ed = dkimsign_test_gen_ed25519();
	struct dkim_sign_key k = { DKIM_ALG_ED25519_SHA256, DKIM_CANON_RELAXED, DKIM_CANON_RELAXED,
				   "football.example.com", "s", ed };
	struct dkim_sign_ctx *c;
	struct buf forged;
	(void)state;
	c = sign(rfc_msg, &k, 1, NULL, 13, 1518460054);
	verify_ed(rfc_msg, dkim_sign_value(c, 0), ed, true);
	/* a second From (or Subject, or a Reply-To) added later breaks the signature */
	buf_init(&forged);
	buf_puts(&forged, rfc_msg);
	buf_reset(&forged);
	buf_puts(&forged, "From: Evil <evil@example.org>\n");
	buf_puts(&forged, rfc_msg);
	verify_ed(forged.data, dkim_sign_value(c, 0), ed, false);
	buf_reset(&forged);
	buf_puts(&forged, "Reply-To: evil@example.org\n");
	buf_puts(&forged, rfc_msg);
	verify_ed(forged.data, dkim_sign_value(c, 0), ed, false);
	/* an unsigned header may be added */
	buf_reset(&forged);
	buf_puts(&forged, "Received: from relay\n");
	buf_puts(&forged, rfc_msg);
	verify_ed(forged.data, dkim_sign_value(c, 0), ed, true);
	buf_clear(&forged);
	dkim_sign_free(c);
	EVP_PKEY_free(ed);
}

static void test_sign_refusals(void **state)
{
	EVP_PKEY *ed = dkimsign_test_gen_ed25519();
	struct hdr_list hl;
	size_t body;
	char *m, err[256];
	struct dkim_sign_key k = { DKIM_ALG_RSA_SHA256, DKIM_CANON_RELAXED, DKIM_CANON_RELAXED, "example.com", "s", ed };
	(void)state;
	m = split(rfc_msg, &hl, &body);
	/* an Ed25519 key for rsa-sha256 */
	assert_null(dkim_sign_new(&hl, &k, 1, NULL, err, sizeof err));
	assert_non_null(strstr(err, "not a rsa-sha256 key"));
	k.alg = DKIM_ALG_ED25519_SHA256;
	k.selector = "bad selector";
	assert_null(dkim_sign_new(&hl, &k, 1, NULL, err, sizeof err));
	k.selector = "s";
	k.domain = "exa mple.com";
	assert_null(dkim_sign_new(&hl, &k, 1, NULL, err, sizeof err));
	k.domain = "example.com";
	assert_null(dkim_sign_new(&hl, &k, 0, NULL, err, sizeof err));
	{
		const char *bad[] = { "Subject", "Bad:Name" };
		struct dkim_sign_opts o = { .headers = bad, .n_headers = 2 };
		assert_null(dkim_sign_new(&hl, &k, 1, &o, err, sizeof err));
		assert_non_null(strstr(err, "invalid header field name"));
		assert_false(dkim_sign_header_name_valid(""));
		assert_true(dkim_sign_header_name_valid("X-Custom"));
	}
	hdr_list_clear(&hl);
	free(m);
	/* no From */
	m = split("To: a@b\nSubject: x\n\nbody\n", &hl, &body);
	assert_null(dkim_sign_new(&hl, &k, 1, NULL, err, sizeof err));
	assert_non_null(strstr(err, "From"));
	hdr_list_clear(&hl);
	free(m);
	dkim_sign_free(NULL);
	EVP_PKEY_free(ed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc8463_ed25519),
		cmocka_unit_test(test_rfc8463_rsa),
		cmocka_unit_test(test_h_list_default),
		cmocka_unit_test(test_h_list_custom),
		cmocka_unit_test(test_bottom_up),
		cmocka_unit_test(test_sign_fold_tags_stream),
		cmocka_unit_test(test_sign_verifies_and_oversign_holds),
		cmocka_unit_test(test_sign_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
