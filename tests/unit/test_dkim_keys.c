/* test_dkim_keys - private-key loading for DKIM signing: formats, size limits,
 * permission checks and their messages, reload on change (plain replace and a Kubernetes
 * style `..data` symlink swap), a broken new key keeping the old one, explicit reload. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "dkim_keys.h"
#include "dkim_sign_testkeys.h"
#include "log.h"

struct fx {
	char *dir;
	EVP_PKEY *rsa, *rsa2, *ed;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	f->dir = dkimsign_test_tmpdir();
	f->rsa = dkimsign_test_gen_rsa(2048);
	f->rsa2 = dkimsign_test_gen_rsa(2048);
	f->ed = dkimsign_test_gen_ed25519();
	if (!f->dir || !f->rsa || !f->rsa2 || !f->ed)
		return -1;
	log_set_level(LOG_LVL_ERR);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	dkimsign_test_rmtree(f->dir);
	free(f->dir);
	EVP_PKEY_free(f->rsa);
	EVP_PKEY_free(f->rsa2);
	EVP_PKEY_free(f->ed);
	free(f);
	return 0;
}

static char *path_in(const struct fx *f, const char *name)
{
	static char p[4][512];
	static int i;
	i = (i + 1) % 4;
	snprintf(p[i], sizeof p[i], "%s/%s", f->dir, name);
	return p[i];
}

static void test_formats(void **state)
{
	struct fx *f = *state;
	struct dkim_pkey *k = NULL;
	bool weak = true;
	char err[512];
	struct dkim_key_opts o = { 0 };
	assert_int_equal(dkimsign_test_write_key(path_in(f, "p1.pem"), f->rsa, true, 0400), 0);
	assert_int_equal(dkimsign_test_write_key(path_in(f, "p8.pem"), f->rsa, false, 0400), 0);
	assert_int_equal(dkimsign_test_write_key(path_in(f, "ed.pem"), f->ed, false, 0400), 0);

	assert_int_equal(dkim_pkey_load(path_in(f, "p1.pem"), &o, &k, &weak, NULL, err, sizeof err), 0);
	assert_int_equal(k->alg, DKIM_ALG_RSA_SHA256);
	assert_int_equal(k->bits, 2048);
	assert_false(weak);
	assert_int_equal(EVP_PKEY_eq(k->pkey, f->rsa), 1);
	dkim_pkey_unref(k);

	assert_int_equal(dkim_pkey_load(path_in(f, "p8.pem"), &o, &k, &weak, NULL, err, sizeof err), 0);
	assert_int_equal(EVP_PKEY_eq(k->pkey, f->rsa), 1);
	dkim_pkey_unref(k);

	assert_int_equal(dkim_pkey_load(path_in(f, "ed.pem"), &o, &k, &weak, NULL, err, sizeof err), 0);
	assert_int_equal(k->alg, DKIM_ALG_ED25519_SHA256);
	assert_int_equal(EVP_PKEY_eq(k->pkey, f->ed), 1);
	dkim_pkey_unref(k);

	/* the bare base64 seed format (dkimpy, Exim): RFC 8032 §7.1 test 1 */
	{
		const char *seed = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=\n";
		unsigned char pub[32];
		size_t pl = sizeof pub;
		assert_int_equal(dkim_pkey_parse(seed, strlen(seed), &k, &weak, err, sizeof err), 0);
		assert_int_equal(k->alg, DKIM_ALG_ED25519_SHA256);
		assert_int_equal(EVP_PKEY_get_raw_public_key(k->pkey, pub, &pl), 1);
		/* public key d75a9801...1a from RFC 8032 */
		assert_int_equal(pub[0], 0xd7);
		assert_int_equal(pub[31], 0x1a);
		dkim_pkey_unref(k);
	}
}

static void test_bad_keys(void **state)
{
	struct fx *f = *state;
	struct dkim_pkey *k = NULL;
	bool weak = false;
	char err[512];
	struct dkim_key_opts o = { 0 };
	EVP_PKEY *small = dkimsign_test_gen_rsa(1024), *tiny = dkimsign_test_gen_rsa(512);
	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	assert_non_null(small);
	assert_non_null(ec);

	/* 1024 bits: loads, flagged weak (the slot warns) */
	assert_int_equal(dkimsign_test_write_key(path_in(f, "r1024.pem"), small, true, 0400), 0);
	assert_int_equal(dkim_pkey_load(path_in(f, "r1024.pem"), &o, &k, &weak, NULL, err, sizeof err), 0);
	assert_true(weak);
	dkim_pkey_unref(k);
	/* under 1024 bits: refused */
	if (tiny) {
		assert_int_equal(dkimsign_test_write_key(path_in(f, "r512.pem"), tiny, true, 0400), 0);
		assert_int_equal(dkim_pkey_load(path_in(f, "r512.pem"), &o, &k, &weak, NULL, err, sizeof err), -1);
		assert_non_null(strstr(err, "1024"));
		assert_null(k);
	}
	/* EC P-256: not a DKIM algorithm */
	assert_int_equal(dkimsign_test_write_key(path_in(f, "ec.pem"), ec, false, 0400), 0);
	assert_int_equal(dkim_pkey_load(path_in(f, "ec.pem"), &o, &k, &weak, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "unsupported key type"));
	/* garbage, empty, missing, a public key, an encrypted key */
	assert_int_equal(dkimsign_test_write_text(path_in(f, "junk.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", 0400), 0);
	assert_int_equal(dkim_pkey_load(path_in(f, "junk.pem"), &o, &k, &weak, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "not a valid PEM private key"));
	assert_int_equal(dkimsign_test_write_text(path_in(f, "empty.pem"), "", 0400), 0);
	assert_int_equal(dkim_pkey_load(path_in(f, "empty.pem"), &o, &k, &weak, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "empty"));
	assert_int_equal(dkim_pkey_load(path_in(f, "missing.pem"), &o, &k, &weak, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "cannot open"));
	assert_int_equal(dkim_pkey_load(f->dir, &o, &k, &weak, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "not a regular file"));
	{
		const char *enc = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n";
		assert_int_equal(dkim_pkey_parse(enc, strlen(enc), &k, &weak, err, sizeof err), -1);
		assert_non_null(strstr(err, "encrypted"));
	}
	EVP_PKEY_free(small);
	EVP_PKEY_free(tiny);
	EVP_PKEY_free(ec);
}

static void test_permissions(void **state)
{
	struct fx *f = *state;
	struct dkim_pkey *k = NULL;
	char err[512];
	struct dkim_key_opts strict = { 0 }, world = { .allow_world_read = true },
			     group = { .allow_group_read = true };
	const char *p = path_in(f, "perm.pem");
	assert_int_equal(dkimsign_test_write_key(p, f->ed, false, 0644), 0);
	assert_int_equal(dkim_pkey_load(p, &strict, &k, NULL, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "readable by other users"));
	assert_non_null(strstr(err, "chmod 0400"));
	assert_non_null(strstr(err, "defaultMode: 0400"));
	assert_non_null(strstr(err, "0644"));
	/* opt-out */
	assert_int_equal(dkim_pkey_load(p, &world, &k, NULL, NULL, err, sizeof err), 0);
	dkim_pkey_unref(k);
	assert_int_equal(dkim_pkey_load(p, &group, &k, NULL, NULL, err, sizeof err), -1);

	/* writable by others: refused even with the opt-out */
	assert_int_equal(chmod(p, 0666), 0);
	assert_int_equal(dkim_pkey_load(p, &world, &k, NULL, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "writable by everyone"));
	assert_non_null(strstr(err, "chmod 0400"));
	assert_int_equal(chmod(p, 0620), 0);
	assert_int_equal(dkim_pkey_load(p, &world, &k, NULL, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "writable by its group"));

	/* group-readable: refused unless allowed */
	assert_int_equal(chmod(p, 0640), 0);
	assert_int_equal(dkim_pkey_load(p, &strict, &k, NULL, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "readable by its group"));
	assert_int_equal(dkim_pkey_load(p, &group, &k, NULL, NULL, err, sizeof err), 0);
	dkim_pkey_unref(k);

	/* 0400 and 0600 are fine */
	assert_int_equal(chmod(p, 0600), 0);
	assert_int_equal(dkim_pkey_load(p, &strict, &k, NULL, NULL, err, sizeof err), 0);
	dkim_pkey_unref(k);

	/* through a symlink the target's mode counts, not the link's */
	assert_int_equal(chmod(p, 0644), 0);
	assert_int_equal(symlink(p, path_in(f, "link.pem")), 0);
	assert_int_equal(dkim_pkey_load(path_in(f, "link.pem"), &strict, &k, NULL, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "readable by other users"));
	assert_int_equal(chmod(p, 0400), 0);
	assert_int_equal(dkim_pkey_load(path_in(f, "link.pem"), &strict, &k, NULL, NULL, err, sizeof err), 0);
	dkim_pkey_unref(k);
}

/* replace - write a new file and rename it over path (what most tools and Secrets do) */
static void replace(const struct fx *f, const char *path, EVP_PKEY *pk, const char *text)
{
	char tmp[600];
	snprintf(tmp, sizeof tmp, "%s.new", path);
	if (pk)
		assert_int_equal(dkimsign_test_write_key(tmp, pk, true, 0400), 0);
	else
		assert_int_equal(dkimsign_test_write_text(tmp, text, 0400), 0);
	(void)f;
	assert_int_equal(rename(tmp, path), 0);
}

static void test_reload_on_change(void **state)
{
	struct fx *f = *state;
	struct dkim_key_opts o = { .check_interval = 10 };
	char err[512];
	bool loaded = false;
	const char *p = path_in(f, "rot.pem");
	struct dkim_keyslot *s;
	struct dkim_pkey *k1, *k2, *k3;
	assert_int_equal(dkimsign_test_write_key(p, f->rsa, true, 0400), 0);
	s = dkim_keyslot_new("rot", p, DKIM_ALG_RSA_SHA256, &o, &loaded, err, sizeof err);
	assert_non_null(s);
	assert_true(loaded);
	k1 = dkim_keyslot_get(s, 1000);
	assert_int_equal(EVP_PKEY_eq(k1->pkey, f->rsa), 1);

	/* the file is replaced: not seen before the check interval has passed */
	replace(f, p, f->rsa2, NULL);
	k2 = dkim_keyslot_get(s, 5000);
	assert_ptr_equal(k2, k1);
	dkim_pkey_unref(k2);
	k2 = dkim_keyslot_get(s, 11000);
	assert_int_equal(EVP_PKEY_eq(k2->pkey, f->rsa2), 1);
	assert_int_equal(dkim_keyslot_generation(s), 2);
	/* the message that started with k1 still holds a working k1 */
	assert_int_equal(EVP_PKEY_eq(k1->pkey, f->rsa), 1);
	dkim_pkey_unref(k1);

	/* a broken new file: the old key stays in force, and is not retried every call */
	replace(f, p, NULL, "-----BEGIN RSA PRIVATE KEY-----\nbroken\n-----END RSA PRIVATE KEY-----\n");
	k3 = dkim_keyslot_get(s, 22000);
	assert_ptr_equal(k3, k2);
	dkim_pkey_unref(k3);
	assert_int_equal(dkim_keyslot_generation(s), 2);
	/* a key of the wrong algorithm for the key table entry: also kept out */
	{
		char tmp[600];
		snprintf(tmp, sizeof tmp, "%s.new", p);
		assert_int_equal(dkimsign_test_write_key(tmp, f->ed, false, 0400), 0);
		assert_int_equal(rename(tmp, p), 0);
	}
	k3 = dkim_keyslot_get(s, 33000);
	assert_ptr_equal(k3, k2);
	dkim_pkey_unref(k3);
	/* a world-readable replacement: refused, old key kept */
	replace(f, p, f->rsa, NULL);
	assert_int_equal(chmod(p, 0644), 0);
	k3 = dkim_keyslot_get(s, 44000);
	assert_ptr_equal(k3, k2);
	dkim_pkey_unref(k3);
	/* fixed: picked up */
	assert_int_equal(chmod(p, 0400), 0);
	k3 = dkim_keyslot_get(s, 55000);
	assert_int_equal(EVP_PKEY_eq(k3->pkey, f->rsa), 1);
	assert_int_equal(dkim_keyslot_generation(s), 3);
	dkim_pkey_unref(k3);
	dkim_pkey_unref(k2);

	/* the file disappears: the key stays */
	assert_int_equal(unlink(p), 0);
	k3 = dkim_keyslot_get(s, 66000);
	assert_non_null(k3);
	assert_int_equal(EVP_PKEY_eq(k3->pkey, f->rsa), 1);
	dkim_pkey_unref(k3);
	dkim_keyslot_free(s);
}

/* Kubernetes Secret volume layout: key.pem -> ..data/key.pem, ..data -> ..<timestamp>/;
 * an update writes a new timestamped directory and renames a new ..data link over the
 * old one (atomic swap of the directory). */
static void k8s_publish(const struct fx *f, const char *ts, EVP_PKEY *pk, unsigned mode)
{
	char d[600], file[700], tmp[600];
	snprintf(d, sizeof d, "%s/k8s/%s", f->dir, ts);
	assert_int_equal(mkdir(d, 0755), 0);
	snprintf(file, sizeof file, "%s/key.pem", d);
	assert_int_equal(dkimsign_test_write_key(file, pk, false, mode), 0);
	snprintf(tmp, sizeof tmp, "%s/k8s/..data_tmp", f->dir);
	assert_int_equal(symlink(ts, tmp), 0);
	snprintf(d, sizeof d, "%s/k8s/..data", f->dir);
	assert_int_equal(rename(tmp, d), 0);
}

static void test_k8s_symlink_swap(void **state)
{
	struct fx *f = *state;
	struct dkim_key_opts o = { .check_interval = 1 };
	char err[512], d[600], link[600];
	bool loaded = false;
	struct dkim_keyslot *s;
	struct dkim_pkey *k, *k2;
	EVP_PKEY *ed2 = dkimsign_test_gen_ed25519();
	snprintf(d, sizeof d, "%s/k8s", f->dir);
	assert_int_equal(mkdir(d, 0755), 0);
	k8s_publish(f, "..2026_12_01_10_00_00.1", f->ed, 0400);
	snprintf(link, sizeof link, "%s/k8s/key.pem", f->dir);
	assert_int_equal(symlink("..data/key.pem", link), 0);

	s = dkim_keyslot_new("k8s", link, DKIM_ALG_ED25519_SHA256, &o, &loaded, err, sizeof err);
	assert_true(loaded);
	k = dkim_keyslot_get(s, 1000);
	assert_int_equal(EVP_PKEY_eq(k->pkey, f->ed), 1);

	/* Secret updated: new directory, ..data swapped; the path itself never changed */
	k8s_publish(f, "..2026_12_01_11_00_00.2", ed2, 0400);
	k2 = dkim_keyslot_get(s, 2000);
	assert_int_equal(EVP_PKEY_eq(k2->pkey, ed2), 1);
	assert_int_equal(EVP_PKEY_eq(k->pkey, f->ed), 1);   /* in-flight reference intact */
	dkim_pkey_unref(k);
	dkim_pkey_unref(k2);

	/* an update with the Kubernetes default mode 0644: refused, previous key kept */
	k8s_publish(f, "..2026_12_01_12_00_00.3", f->ed, 0644);
	k = dkim_keyslot_get(s, 3000);
	assert_int_equal(EVP_PKEY_eq(k->pkey, ed2), 1);
	dkim_pkey_unref(k);
	/* explicit reload says why */
	assert_int_equal(dkim_keyslot_reload(s, err, sizeof err), -1);
	assert_non_null(strstr(err, "defaultMode: 0400"));
	dkim_keyslot_free(s);
	EVP_PKEY_free(ed2);
}

static void test_explicit_reload_and_empty_slot(void **state)
{
	struct fx *f = *state;
	struct dkim_key_opts o = { .check_interval = 3600 };
	char err[512];
	bool loaded = true;
	const char *p = path_in(f, "late.pem");
	struct dkim_keyslot *s;
	struct dkim_pkey *k;
	unlink(p);
	/* missing at start: the slot exists, empty */
	s = dkim_keyslot_new("late", p, DKIM_ALG_RSA_SHA256, &o, &loaded, err, sizeof err);
	assert_non_null(s);
	assert_false(loaded);
	assert_non_null(strstr(err, "cannot open"));
	assert_null(dkim_keyslot_get(s, 1000));
	/* the file appears; the interval is long, but the explicit reload (SIGHUP) loads it */
	assert_int_equal(dkimsign_test_write_key(p, f->rsa, false, 0400), 0);
	assert_null(dkim_keyslot_get(s, 2000));
	assert_int_equal(dkim_keyslot_reload(s, err, sizeof err), 0);
	k = dkim_keyslot_get(s, 3000);
	assert_non_null(k);
	assert_int_equal(EVP_PKEY_eq(k->pkey, f->rsa), 1);
	dkim_pkey_unref(k);
	/* an explicit reload of a broken file fails and keeps the key */
	replace(f, p, NULL, "garbage");
	assert_int_equal(dkim_keyslot_reload(s, err, sizeof err), -1);
	k = dkim_keyslot_get(s, 4000);
	assert_int_equal(EVP_PKEY_eq(k->pkey, f->rsa), 1);
	dkim_pkey_unref(k);
	dkim_keyslot_free(s);

	/* interval 0: never checks on its own, only the explicit reload */
	o.check_interval = 0;
	s = dkim_keyslot_new("manual", p, DKIM_ALG_RSA_SHA256, &o, &loaded, err, sizeof err);
	assert_false(loaded);   /* still "garbage" */
	assert_int_equal(dkimsign_test_write_key(p, f->rsa, false, 0400), 0);
	assert_null(dkim_keyslot_get(s, 1000000));
	assert_int_equal(dkim_keyslot_reload(s, err, sizeof err), 0);
	k = dkim_keyslot_get(s, 2000000);
	assert_non_null(k);
	dkim_pkey_unref(k);
	dkim_keyslot_free(s);
	dkim_keyslot_free(NULL);
	dkim_pkey_unref(NULL);
}

static void test_alg_names(void **state)
{
	enum dkim_alg a;
	(void)state;
	assert_true(dkim_alg_parse("rsa-sha256", &a));
	assert_int_equal(a, DKIM_ALG_RSA_SHA256);
	assert_true(dkim_alg_parse("ed25519-sha256", &a));
	assert_int_equal(a, DKIM_ALG_ED25519_SHA256);
	assert_false(dkim_alg_parse("rsa-sha1", &a));
	assert_false(dkim_alg_parse("RSA-SHA256", &a));
	assert_string_equal(dkim_alg_name(DKIM_ALG_ED25519_SHA256), "ed25519-sha256");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_bad_keys),
		cmocka_unit_test(test_permissions),
		cmocka_unit_test(test_reload_on_change),
		cmocka_unit_test(test_k8s_symlink_swap),
		cmocka_unit_test(test_explicit_reload_and_empty_slot),
		cmocka_unit_test(test_alg_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
