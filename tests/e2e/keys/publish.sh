#!/usr/bin/env bash
# publish.sh - print the DKIM key records (zone-file format "name TYPE value") for the
# end-to-end test keys in this directory. run.sh compares its output with
# tests/e2e/zones/dkim-keys.zone so a regenerated key can never drift from its record.
set -eu
cd "$(dirname "$0")"
rsa_p() { openssl pkey -in "$1" -pubout -outform DER 2>/dev/null | base64 -w0; }
# RFC 8463: p= is the raw 32-byte Ed25519 public key, the last 32 bytes of its SPKI
ed_p() { openssl pkey -in "$1" -pubout -outform DER 2>/dev/null | tail -c 32 | base64 -w0; }
echo "# DKIM public keys of tests/e2e/keys/*.pem (written by keys/generate.sh; do not edit)"
echo "e2e._domainkey.signed.test TXT \"v=DKIM1; k=rsa; p=$(rsa_p signed-rsa.pem)\""
echo "e2e-rsa._domainkey.outbound.test TXT \"v=DKIM1; k=rsa; p=$(rsa_p outbound-rsa.pem)\""
echo "e2e-ed._domainkey.outbound.test TXT \"v=DKIM1; k=ed25519; p=$(ed_p outbound-ed25519.pem)\""
