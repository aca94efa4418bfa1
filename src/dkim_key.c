/* dkim_key - DKIM key record parsing and DNS answer mapping (see dkim_key.h). */
#include "dkim_key.h"
#include "dkim_keycache.h"
#include "base64.h"
#include "strutil.h"
#include "taglist.h"
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

#define P_MAX 2048     /* decoded p= bytes: an 8192-bit RSA SPKI is about 1100 */

static int fail(char *reason, size_t rlen, const char *msg)
{
	snprintf(reason, rlen, "%s", msg);
	return -1;
}

/* list_has - does the colon-separated list contain item (case-insensitive)? */
static bool list_has(const char *v, size_t len, const char *item)
{
	size_t i = 0;
	while (i <= len) {
		size_t st = i, en;
		while (i < len && v[i] != ':')
			i++;
		en = i;
		while (st < en && am_isspace((unsigned char)v[st]))
			st++;
		while (en > st && am_isspace((unsigned char)v[en - 1]))
			en--;
		if (am_memcaseeq(v + st, en - st, item))
			return true;
		i++;
	}
	return false;
}

/* rsa_key - SubjectPublicKeyInfo first, then a bare PKCS#1 RSAPublicKey. */
static EVP_PKEY *rsa_key(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	EVP_PKEY *k = d2i_PUBKEY(NULL, &p, (long)len);
	if (k != NULL) {
		if (p != der + len || EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA) {
			EVP_PKEY_free(k);
			return NULL;
		}
		return k;
	}
	p = der;
	k = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)len);
	if (k != NULL && p != der + len) {
		EVP_PKEY_free(k);
		return NULL;
	}
	return k;
}

int dkim_key_parse(const char *txt, size_t len, unsigned min_rsa_bits, struct dkim_key *k,
		   char *reason, size_t rlen)
{
	struct taglist tl;
	const struct taglist_entry *e;
	char err[96];
	unsigned char der[P_MAX];
	size_t dlen;

	memset(k, 0, sizeof *k);
	k->sha1_ok = k->sha256_ok = true;
	if (rlen)
		reason[0] = '\0';
	if (min_rsa_bits == 0)
		min_rsa_bits = 1024;
	if (taglist_parse(txt, len, &tl, err, sizeof err) < 0) {
		snprintf(reason, rlen, "key record syntax: %s", err);
		return -1;
	}
	if ((e = taglist_get(&tl, "v")) != NULL) {
		if (e != &tl.tags[0])
			return fail(reason, rlen, "key record v= is not the first tag");
		if (!(e->value_len == 5 && memcmp(e->value, "DKIM1", 5) == 0))
			return fail(reason, rlen, "key record version is not DKIM1");
	}
	if ((e = taglist_get(&tl, "k")) != NULL) {
		if (am_memcaseeq(e->value, e->value_len, "rsa"))
			k->type = DKIM_KEY_RSA;
		else if (am_memcaseeq(e->value, e->value_len, "ed25519"))
			k->type = DKIM_KEY_ED25519;
		else
			return fail(reason, rlen, "unknown key type in k=");
	}
	if ((e = taglist_get(&tl, "h")) != NULL) {
		k->sha1_ok = list_has(e->value, e->value_len, "sha1");
		k->sha256_ok = list_has(e->value, e->value_len, "sha256");
	}
	if ((e = taglist_get(&tl, "s")) != NULL &&
	    !list_has(e->value, e->value_len, "email") && !list_has(e->value, e->value_len, "*"))
		return fail(reason, rlen, "key is not for email (s=)");
	if ((e = taglist_get(&tl, "t")) != NULL) {
		k->testing = list_has(e->value, e->value_len, "y");
		k->strict = list_has(e->value, e->value_len, "s");
	}
	if ((e = taglist_get(&tl, "p")) == NULL)
		return fail(reason, rlen, "key record has no p=");
	dlen = base64_decode(e->value, e->value_len, der, sizeof der);
	if (dlen == (size_t)-1)
		return fail(reason, rlen, "key p= is not valid base64");
	if (dlen == 0)
		return fail(reason, rlen, "key revoked");
	if (k->type == DKIM_KEY_ED25519) {
		if (dlen != 32)
			return fail(reason, rlen, "ed25519 key is not 32 bytes");
		k->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, der, dlen);
		if (k->pkey == NULL)
			return fail(reason, rlen, "ed25519 key is invalid");
		k->bits = 256;
		return 0;
	}
	k->pkey = rsa_key(der, dlen);
	if (k->pkey == NULL)
		return fail(reason, rlen, "RSA key p= is not a valid public key");
	k->bits = (unsigned)EVP_PKEY_get_bits(k->pkey);
	if (k->bits < min_rsa_bits) {
		snprintf(reason, rlen, "RSA key too small: %u bits", k->bits);
		dkim_key_clear(k);
		return -1;
	}
	if (k->bits > DKIM_KEY_MAX_RSA_BITS) {
		snprintf(reason, rlen, "RSA key too large: %u bits", k->bits);
		dkim_key_clear(k);
		return -1;
	}
	return 0;
}

enum dkim_result dkim_key_from_answer(const struct dns_answer *a, unsigned min_rsa_bits,
				      struct dkim_key *out, char *reason, size_t rlen)
{
	return dkim_key_from_answer_cached(a, NULL, min_rsa_bits, out, reason, rlen);
}

enum dkim_result dkim_key_from_answer_cached(const struct dns_answer *a, struct dkim_keycache *kc,
					     unsigned min_rsa_bits, struct dkim_key *out,
					     char *reason, size_t rlen)
{
	memset(out, 0, sizeof *out);
	if (a == NULL) {
		snprintf(reason, rlen, "key lookup timed out");
		return DKIM_TEMPERROR;
	}
	switch (a->status) {
	case DNS_ANSWER:
		break;
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		snprintf(reason, rlen, "no key");
		return DKIM_PERMERROR;
	case DNS_TIMEOUT:
		snprintf(reason, rlen, "key lookup timed out");
		return DKIM_TEMPERROR;
	default:
		snprintf(reason, rlen, "key lookup failed: %s", dns_status_name(a->status));
		return DKIM_TEMPERROR;
	}
	if (a->count == 0) {
		snprintf(reason, rlen, "no key");
		return DKIM_PERMERROR;
	}
	if (a->count > 1) {
		snprintf(reason, rlen, "multiple key records");
		return DKIM_PERMERROR;
	}
	if (dkim_keycache_parse(kc, a->rr[0].u.txt.data, a->rr[0].u.txt.len, min_rsa_bits, out, reason, rlen) < 0)
		return DKIM_PERMERROR;
	return DKIM_PASS;
}

void dkim_key_clear(struct dkim_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	memset(k, 0, sizeof *k);
}
