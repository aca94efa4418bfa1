/* dkim_keys - DKIM private signing keys: loading PEM files (PKCS#1 RSA, PKCS#8 RSA,
 * PKCS#8 Ed25519, or a bare base64 Ed25519 seed as dkimpy/Exim write it), the checks done
 * at load (parse, algorithm, RSA size, file permissions), and a reloadable key slot that
 * notices when the file behind a path changes (Kubernetes swaps Secret files through a
 * `..data` symlink) and swaps the key atomically.
 * OWNS: struct dkim_pkey (refcounted OpenSSL key); struct dkim_keyslot (path, current key).
 * DIAGNOSTICS: load functions return -1 and a reason in err; the slot logs (log.h) every
 * reload success and failure; key material is never logged and PEM text is cleansed.
 * THREADS: a dkim_pkey is immutable once loaded and may be shared between threads (refcount
 * is atomic); a dkim_keyslot may be used from any thread (internal mutex). */
#ifndef AM_DKIM_KEYS_H
#define AM_DKIM_KEYS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

enum dkim_alg { DKIM_ALG_RSA_SHA256 = 0, DKIM_ALG_ED25519_SHA256 = 1 };

#define DKIM_RSA_MIN_BITS 1024      /* RFC 8301: refuse smaller keys */
#define DKIM_RSA_WARN_BITS 2048     /* RFC 8301: SHOULD use at least this */
#define DKIM_KEY_FILE_MAX 65536     /* larger "key files" are refused unread */
#define DKIM_KEY_CHECK_INTERVAL_DEFAULT 10   /* seconds between stat()s of a key file */

/* dkim_alg_parse - "rsa-sha256" or "ed25519-sha256" (never rsa-sha1); false otherwise. */
bool dkim_alg_parse(const char *s, enum dkim_alg *out);
const char *dkim_alg_name(enum dkim_alg a);

struct dkim_key_opts {
	bool allow_group_read;      /* false: refuse mode & 0040 (dkim.allow_group_readable_keys) */
	bool allow_world_read;      /* false: refuse mode & 0004 (dkim.allow_world_readable_keys);
	                             * implies allow_group_read */
	unsigned check_interval;    /* seconds between change checks (dkim.key_check_interval);
	                             * 0 = never check, reload only on dkim_keyslot_reload */
};

/* A loaded private key: immutable, refcounted. */
struct dkim_pkey {
	EVP_PKEY *pkey;
	enum dkim_alg alg;
	int bits;                   /* RSA modulus size; 256 for Ed25519 */
	_Atomic long refs;
};

/* dkim_pkey_parse - parse key text (PEM, or a base64 32-byte Ed25519 seed) already in
 * memory; no permission checks. On success *out has one reference. Sets *weak when an
 * RSA key is under 2048 bits (usable, but the caller should warn). 0, or -1 with err. */
int dkim_pkey_parse(const char *text, size_t len, struct dkim_pkey **out, bool *weak,
		    char *err, size_t errlen);
/* dkim_pkey_load - open path (symlinks followed), check the final file's permissions
 * against opts, read it (bounded), parse it and cleanse the buffer. On success fills
 * *out (one reference) and, when st is not NULL, the identity of the file read.
 * Sets *weak as dkim_pkey_parse does. 0, or -1 with a reason (with the fix) in err. */
struct dkim_file_id {
	uint64_t dev, ino, size;
	int64_t mtime_s, mtime_ns, ctime_s, ctime_ns;
};
int dkim_pkey_load(const char *path, const struct dkim_key_opts *opts, struct dkim_pkey **out,
		   bool *weak, struct dkim_file_id *id, char *err, size_t errlen);
/* dkim_pkey_check_mode - the permission rule alone: 0, or -1 with a reason in err. */
int dkim_pkey_check_mode(const char *path, unsigned mode, const struct dkim_key_opts *opts,
			 char *err, size_t errlen);
struct dkim_pkey *dkim_pkey_ref(struct dkim_pkey *k);
void dkim_pkey_unref(struct dkim_pkey *k);      /* NULL is fine */

/* A reloadable key: the file at path, the key currently in force, and when it was last
 * checked. */
struct dkim_keyslot;

/* dkim_keyslot_new - a slot for path; name labels log lines (the key table name). The
 * expected algorithm is enforced at every (re)load. Loads the key now: when that fails
 * the slot is still returned (empty, the reason logged and in err) so a later fix of the
 * file is picked up; *loaded says whether a key is in force. NULL only on ENOMEM. */
struct dkim_keyslot *dkim_keyslot_new(const char *name, const char *path, enum dkim_alg alg,
				      const struct dkim_key_opts *opts, bool *loaded,
				      char *err, size_t errlen);
/* dkim_keyslot_get - the key in force, with a reference the caller drops with
 * dkim_pkey_unref (a message in flight keeps the key it started with). At most once per
 * check interval (now_ms: monotonic milliseconds) it stat()s the path and reloads when
 * the file's identity (device, inode, size, mtime, ctime) changed (never when the
 * interval is 0); a failed reload keeps the old key and is logged as an error, once per
 * bad file. NULL when no key was ever loaded. */
struct dkim_pkey *dkim_keyslot_get(struct dkim_keyslot *s, uint64_t now_ms);
/* dkim_keyslot_reload - reload now (the reload signal). 0 when the key in force was
 * (re)loaded from the file, -1 when the reload failed (old key kept, reason in err). */
int dkim_keyslot_reload(struct dkim_keyslot *s, char *err, size_t errlen);
/* dkim_keyslot_generation - counts successful loads (tests and status output). */
unsigned long dkim_keyslot_generation(struct dkim_keyslot *s);
const char *dkim_keyslot_name(const struct dkim_keyslot *s);
const char *dkim_keyslot_path(const struct dkim_keyslot *s);
void dkim_keyslot_free(struct dkim_keyslot *s);
#endif
