/* dkim_sign_testkeys - test helpers for the DKIM signing tests: generate RSA and Ed25519
 * keys and write them as PEM (PKCS#1 or PKCS#8) with a given mode. Test keys only. */
#include "dkim_sign_testkeys.h"
#include <fcntl.h>
#include <openssl/encoder.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

EVP_PKEY *dkimsign_test_gen_rsa(unsigned bits)
{
	return EVP_RSA_gen(bits);
}

EVP_PKEY *dkimsign_test_gen_ed25519(void)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
}

int dkimsign_test_write_key(const char *path, EVP_PKEY *pk, bool pkcs1, unsigned mode)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long len;
	int fd, ok;
	if (bio == NULL)
		return -1;
	if (pkcs1) {
		OSSL_ENCODER_CTX *ec = OSSL_ENCODER_CTX_new_for_pkey(pk, OSSL_KEYMGMT_SELECT_KEYPAIR, "PEM",
								     "type-specific", NULL);
		ok = ec != NULL && OSSL_ENCODER_to_bio(ec, bio) == 1;
		OSSL_ENCODER_CTX_free(ec);
	} else {
		ok = PEM_write_bio_PrivateKey(bio, pk, NULL, NULL, 0, NULL, NULL) == 1;
	}
	len = BIO_get_mem_data(bio, &data);
	if (ok) {
		unlink(path);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
		ok = fd >= 0 && write(fd, data, (size_t)len) == len;
		if (fd >= 0) {
			ok = ok && fchmod(fd, mode) == 0;
			close(fd);
		}
	}
	BIO_free(bio);
	return ok ? 0 : -1;
}

int dkimsign_test_write_text(const char *path, const char *text, unsigned mode)
{
	int fd, ok;
	size_t len = strlen(text);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return -1;
	ok = write(fd, text, len) == (ssize_t)len && fchmod(fd, mode) == 0;
	close(fd);
	return ok ? 0 : -1;
}

char *dkimsign_test_tmpdir(void)
{
	char tmpl[] = "/tmp/dkimsign-test-XXXXXX";
	char *d = mkdtemp(tmpl);
	return d ? strdup(d) : NULL;
}

void dkimsign_test_rmtree(const char *dir)
{
	char cmd[512];
	/* only ever our own mkdtemp directory */
	if (dir == NULL || strncmp(dir, "/tmp/dkimsign-test-", 19) != 0 || strchr(dir, '\'') != NULL)
		return;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}
