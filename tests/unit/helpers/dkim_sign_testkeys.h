/* dkim_sign_testkeys - key generation and file helpers for the DKIM signing unit tests. */
#ifndef DKIM_SIGN_TESTKEYS_H
#define DKIM_SIGN_TESTKEYS_H
#include <stdbool.h>
#include <openssl/evp.h>

EVP_PKEY *dkimsign_test_gen_rsa(unsigned bits);
EVP_PKEY *dkimsign_test_gen_ed25519(void);
/* write pk as PEM: PKCS#1 ("BEGIN RSA PRIVATE KEY") when pkcs1, else PKCS#8; chmod mode */
int dkimsign_test_write_key(const char *path, EVP_PKEY *pk, bool pkcs1, unsigned mode);
int dkimsign_test_write_text(const char *path, const char *text, unsigned mode);
/* a fresh /tmp/dkimsign-test-XXXXXX directory (free the string), and its removal */
char *dkimsign_test_tmpdir(void);
void dkimsign_test_rmtree(const char *dir);
#endif
