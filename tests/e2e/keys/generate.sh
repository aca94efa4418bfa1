#!/usr/bin/env bash
# generate.sh - (re)create the end-to-end test keys and the zone file that publishes
# their public halves. Test keys only: they sign mail for .test domains, nothing else.
# Run from anywhere; writes tests/e2e/keys/*.pem and tests/e2e/zones/dkim-keys.zone.
#   signed-rsa.pem      RSA 2048 (PKCS#1), d=signed.test s=e2e: dkimpy signs inbound mail
#   outbound-rsa.pem    RSA 2048 (PKCS#8), d=outbound.test s=e2e-rsa: authmilter signs
#   outbound-ed25519.pem Ed25519 (PKCS#8), d=outbound.test s=e2e-ed: authmilter signs
set -eu
here=$(cd "$(dirname "$0")" && pwd)
zone=$here/../zones/dkim-keys.zone
cd "$here"
openssl genrsa -traditional -out signed-rsa.pem 2048 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out outbound-rsa.pem 2>/dev/null
openssl genpkey -algorithm ED25519 -out outbound-ed25519.pem
bash "$here/publish.sh" >"$zone"
echo "wrote keys in $here and $zone"
