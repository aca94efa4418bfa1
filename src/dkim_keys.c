/* dkim_keys - private-key files for DKIM signing: load, check, reload on change
 * (see dkim_keys.h). OWNS: struct dkim_pkey, struct dkim_keyslot. */
#include "dkim_keys.h"
#include "base64.h"
#include "log.h"
#include "strutil.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool dkim_alg_parse(const char *s, enum dkim_alg *out)
{
	if (strcmp(s, "rsa-sha256") == 0) {
		*out = DKIM_ALG_RSA_SHA256;
		return true;
	}
	if (strcmp(s, "ed25519-sha256") == 0) {
		*out = DKIM_ALG_ED25519_SHA256;
		return true;
	}
	return false;
}

const char *dkim_alg_name(enum dkim_alg a)
{
	return a == DKIM_ALG_ED25519_SHA256 ? "ed25519-sha256" : "rsa-sha256";
}

/* no_password - PEM callback: never prompt on a terminal; encrypted keys are refused. */
static int no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static struct dkim_pkey *wrap(EVP_PKEY *pk, bool *weak, char *err, size_t errlen)
{
	struct dkim_pkey *k;
	enum dkim_alg alg;
	int bits = EVP_PKEY_get_bits(pk);
	*weak = false;
	if (EVP_PKEY_is_a(pk, "RSA")) {
		alg = DKIM_ALG_RSA_SHA256;
		if (bits < DKIM_RSA_MIN_BITS) {
			snprintf(err, errlen, "RSA key of %d bits: at least %d are required (RFC 8301); generate a 2048-bit key",
				 bits, DKIM_RSA_MIN_BITS);
			EVP_PKEY_free(pk);
			return NULL;
		}
		*weak = bits < DKIM_RSA_WARN_BITS;
	} else if (EVP_PKEY_is_a(pk, "ED25519")) {
		alg = DKIM_ALG_ED25519_SHA256;
	} else {
		snprintf(err, errlen, "unsupported key type %s: DKIM signs with RSA or Ed25519 keys",
			 EVP_PKEY_get0_type_name(pk) ? EVP_PKEY_get0_type_name(pk) : "(unknown)");
		EVP_PKEY_free(pk);
		return NULL;
	}
	k = calloc(1, sizeof *k);
	if (k == NULL) {
		snprintf(err, errlen, "out of memory");
		EVP_PKEY_free(pk);
		return NULL;
	}
	k->pkey = pk;
	k->alg = alg;
	k->bits = bits;
	atomic_init(&k->refs, 1);
	return k;
}

/* parse_seed - a file that is only base64 of a 32-byte Ed25519 private seed. */
static EVP_PKEY *parse_seed(const char *text, size_t len)
{
	unsigned char seed[33];
	size_t tl, n;
	const char *t = am_trim(text, len, &tl);
	EVP_PKEY *pk = NULL;
	if (tl == 0 || tl > 64)
		return NULL;
	n = base64_decode(t, tl, seed, sizeof seed);
	if (n == 32)
		pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	OPENSSL_cleanse(seed, sizeof seed);
	return pk;
}

int dkim_pkey_parse(const char *text, size_t len, struct dkim_pkey **out, bool *weak,
		    char *err, size_t errlen)
{
	EVP_PKEY *pk = NULL;
	bool dummy;
	if (weak == NULL)
		weak = &dummy;
	*out = NULL;
	if (len > DKIM_KEY_FILE_MAX || len > INT_MAX) {
		snprintf(err, errlen, "key text too large");
		return -1;
	}
	if (memmem(text, len, "-----BEGIN", 10) != NULL) {
		BIO *bio = BIO_new_mem_buf(text, (int)len);
		if (bio == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		pk = PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL);
		BIO_free(bio);
		ERR_clear_error();
		if (pk == NULL) {
			if (memmem(text, len, "ENCRYPTED", 9) != NULL)
				snprintf(err, errlen, "encrypted private keys are not supported: store the key unencrypted with mode 0400");
			else
				snprintf(err, errlen, "not a valid PEM private key (PKCS#1 RSA, or PKCS#8 RSA/Ed25519)");
			return -1;
		}
	} else {
		pk = parse_seed(text, len);
		if (pk == NULL) {
			snprintf(err, errlen, "no PEM private key found (expected -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)");
			return -1;
		}
	}
	*out = wrap(pk, weak, err, errlen);
	return *out ? 0 : -1;
}

int dkim_pkey_check_mode(const char *path, unsigned mode, const struct dkim_key_opts *opts,
			 char *err, size_t errlen)
{
	bool world_ok = opts && opts->allow_world_read;
	bool group_ok = world_ok || (opts && opts->allow_group_read);
	if (mode & 0022) {
		snprintf(err, errlen,
			 "%s: key file is writable by %s (mode %04o): fix with `chmod 0400 %s` "
			 "(Kubernetes: Secret volume defaultMode: 0400)",
			 path, (mode & 0002) ? "everyone" : "its group", mode & 07777, path);
		return -1;
	}
	if ((mode & 0004) && !world_ok) {
		snprintf(err, errlen,
			 "%s: key file is readable by other users (mode %04o): fix with `chmod 0400 %s` "
			 "(Kubernetes: Secret volume defaultMode: 0400), or set dkim.allow_world_readable_keys = true",
			 path, mode & 07777, path);
		return -1;
	}
	if ((mode & 0040) && !group_ok) {
		snprintf(err, errlen,
			 "%s: key file is readable by its group (mode %04o): fix with `chmod 0400 %s` "
			 "(Kubernetes: Secret volume defaultMode: 0400), or set dkim.allow_group_readable_keys = true",
			 path, mode & 07777, path);
		return -1;
	}
	return 0;
}

static void fill_id(const struct stat *st, struct dkim_file_id *id)
{
	memset(id, 0, sizeof *id);
	id->dev = (uint64_t)st->st_dev;
	id->ino = (uint64_t)st->st_ino;
	id->size = (uint64_t)st->st_size;
	id->mtime_s = (int64_t)st->st_mtim.tv_sec;
	id->mtime_ns = (int64_t)st->st_mtim.tv_nsec;
	id->ctime_s = (int64_t)st->st_ctim.tv_sec;
	id->ctime_ns = (int64_t)st->st_ctim.tv_nsec;
}

int dkim_pkey_load(const char *path, const struct dkim_key_opts *opts, struct dkim_pkey **out,
		   bool *weak, struct dkim_file_id *id, char *err, size_t errlen)
{
	struct stat st;
	char *text;
	size_t len = 0;
	int fd, rc;
	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open key file: %s", path, strerror(errno));
		return -1;
	}
	/* the checks apply to the file actually opened (the symlink target) */
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (dkim_pkey_check_mode(path, (unsigned)st.st_mode, opts, err, errlen) != 0) {
		close(fd);
		return -1;
	}
	if (st.st_size > DKIM_KEY_FILE_MAX) {
		snprintf(err, errlen, "%s: key file larger than %d bytes", path, DKIM_KEY_FILE_MAX);
		close(fd);
		return -1;
	}
	text = malloc(DKIM_KEY_FILE_MAX + 1);
	if (text == NULL) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return -1;
	}
	while (len <= DKIM_KEY_FILE_MAX) {
		ssize_t n = read(fd, text + len, DKIM_KEY_FILE_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s: read: %s", path, strerror(errno));
			OPENSSL_cleanse(text, len);
			free(text);
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (len > DKIM_KEY_FILE_MAX) {
		snprintf(err, errlen, "%s: key file larger than %d bytes", path, DKIM_KEY_FILE_MAX);
		rc = -1;
	} else if (len == 0) {
		snprintf(err, errlen, "%s: key file is empty", path);
		rc = -1;
	} else {
		char perr[256];
		rc = dkim_pkey_parse(text, len, out, weak, perr, sizeof perr);
		if (rc != 0)
			snprintf(err, errlen, "%s: %s", path, perr);
	}
	OPENSSL_cleanse(text, len);
	free(text);
	if (rc == 0 && id)
		fill_id(&st, id);
	return rc;
}

struct dkim_pkey *dkim_pkey_ref(struct dkim_pkey *k)
{
	if (k)
		atomic_fetch_add(&k->refs, 1);
	return k;
}

void dkim_pkey_unref(struct dkim_pkey *k)
{
	if (k && atomic_fetch_sub(&k->refs, 1) == 1) {
		EVP_PKEY_free(k->pkey);
		free(k);
	}
}

struct dkim_keyslot {
	char *name, *path;
	enum dkim_alg alg;
	struct dkim_key_opts opts;
	pthread_mutex_t mu;
	struct dkim_pkey *cur;          /* NULL until a load succeeds */
	struct dkim_file_id cur_id;     /* file the current key came from */
	struct dkim_file_id bad_id;     /* last file that failed to load (not retried) */
	bool have_bad;
	uint64_t last_check_ms;
	bool checked_once;
	unsigned long generation;
};

static bool id_eq(const struct dkim_file_id *a, const struct dkim_file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_s == b->mtime_s && a->mtime_ns == b->mtime_ns &&
	       a->ctime_s == b->ctime_s && a->ctime_ns == b->ctime_ns;
}

/* load_locked - load the file and, when good, make it the key in force. */
static int load_locked(struct dkim_keyslot *s, const char *why, char *err, size_t errlen)
{
	struct dkim_pkey *k = NULL, *old;
	struct dkim_file_id id;
	bool weak = false;
	char e[512];
	if (dkim_pkey_load(s->path, &s->opts, &k, &weak, &id, e, sizeof e) == 0 && k->alg != s->alg) {
		snprintf(e, sizeof e, "%s: key is %s but the key table says %s", s->path,
			 k->alg == DKIM_ALG_ED25519_SHA256 ? "Ed25519" : "RSA", dkim_alg_name(s->alg));
		dkim_pkey_unref(k);
		k = NULL;
	}
	if (k == NULL) {
		struct stat st;
		if (stat(s->path, &st) == 0) {
			fill_id(&st, &s->bad_id);
			s->have_bad = true;
		}
		if (s->cur)
			log_err("dkim key %s: %s FAILED, still signing with the previous key: %s", s->name, why, e);
		else
			log_err("dkim key %s: %s FAILED, no key in force (mail for it is not signed): %s", s->name, why, e);
		if (err)
			snprintf(err, errlen, "%s", e);
		return -1;
	}
	if (weak)
		log_warn("dkim key %s: %s is an RSA key of %d bits; use 2048 bits or more (RFC 8301)",
			 s->name, s->path, k->bits);
	old = s->cur;
	s->cur = k;
	s->cur_id = id;
	s->have_bad = false;
	s->generation++;
	if (old)
		log_info("dkim key %s: %s: new key loaded from %s (%s, %d bits)", s->name, why, s->path,
			 dkim_alg_name(k->alg), k->bits);
	dkim_pkey_unref(old);
	return 0;
}

struct dkim_keyslot *dkim_keyslot_new(const char *name, const char *path, enum dkim_alg alg,
				      const struct dkim_key_opts *opts, bool *loaded,
				      char *err, size_t errlen)
{
	struct dkim_keyslot *s = calloc(1, sizeof *s);
	if (s == NULL)
		return NULL;
	s->name = strdup(name ? name : path);
	s->path = strdup(path);
	if (s->name == NULL || s->path == NULL || pthread_mutex_init(&s->mu, NULL) != 0) {
		free(s->name);
		free(s->path);
		free(s);
		return NULL;
	}
	s->alg = alg;
	if (opts)
		s->opts = *opts;
	else
		s->opts.check_interval = DKIM_KEY_CHECK_INTERVAL_DEFAULT;
	if (err && errlen)
		err[0] = '\0';
	*loaded = load_locked(s, "load", err, errlen) == 0;
	return s;
}

struct dkim_pkey *dkim_keyslot_get(struct dkim_keyslot *s, uint64_t now_ms)
{
	struct dkim_pkey *k;
	pthread_mutex_lock(&s->mu);
	if (s->opts.check_interval > 0 &&
	    (!s->checked_once || now_ms - s->last_check_ms >= (uint64_t)s->opts.check_interval * 1000u ||
	     now_ms < s->last_check_ms)) {
		struct stat st;
		s->checked_once = true;
		s->last_check_ms = now_ms;
		if (stat(s->path, &st) == 0) {
			struct dkim_file_id id;
			fill_id(&st, &id);
			if ((s->cur == NULL || !id_eq(&id, &s->cur_id)) && !(s->have_bad && id_eq(&id, &s->bad_id)))
				load_locked(s, "file changed, reload", NULL, 0);
		} else if (s->cur) {
			/* a vanished file keeps the key in force; said once per state change */
			if (!s->have_bad)
				log_err("dkim key %s: %s: %s; still signing with the previous key", s->name,
					s->path, strerror(errno));
			memset(&s->bad_id, 0, sizeof s->bad_id);
			s->have_bad = true;
		}
	}
	k = dkim_pkey_ref(s->cur);
	pthread_mutex_unlock(&s->mu);
	return k;
}

int dkim_keyslot_reload(struct dkim_keyslot *s, char *err, size_t errlen)
{
	int rc;
	pthread_mutex_lock(&s->mu);
	rc = load_locked(s, "reload", err, errlen);
	pthread_mutex_unlock(&s->mu);
	return rc;
}

unsigned long dkim_keyslot_generation(struct dkim_keyslot *s)
{
	unsigned long g;
	pthread_mutex_lock(&s->mu);
	g = s->generation;
	pthread_mutex_unlock(&s->mu);
	return g;
}

const char *dkim_keyslot_name(const struct dkim_keyslot *s)
{
	return s->name;
}

const char *dkim_keyslot_path(const struct dkim_keyslot *s)
{
	return s->path;
}

void dkim_keyslot_free(struct dkim_keyslot *s)
{
	if (s == NULL)
		return;
	dkim_pkey_unref(s->cur);
	pthread_mutex_destroy(&s->mu);
	free(s->name);
	free(s->path);
	free(s);
}
