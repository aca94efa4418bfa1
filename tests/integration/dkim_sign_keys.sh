#!/usr/bin/env bash
# dkim_sign_keys - the key-file rules as an operator meets them through the CLI:
# a world-readable or writable key is refused with a message that says how to fix it,
# the opt-out flag works for readable (never for writable) files, a Kubernetes-style
# symlinked Secret path is followed and judged by its target, PKCS#1 / PKCS#8 / Ed25519
# PEM load, and a weak (1024-bit) RSA key signs with a warning.
set -euo pipefail
cd "$(dirname "$0")/../.."
AUTHMILTER=${AUTHMILTER:-build/authmilter}
KEYS=tests/data/dkim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'From: a@example.com\nSubject: s\n\nbody\n' > "$work/msg"
sign() { "$AUTHMILTER" dkim sign --domain example.com --selector s "$@" < "$work/msg"; }

cp "$KEYS/rsa2048-pkcs1.pem" "$work/k.pem"
chmod 0644 "$work/k.pem"
if sign --key "$work/k.pem" > /dev/null 2> "$work/err"; then echo "0644 key accepted"; exit 1; fi
grep -q 'readable by other users' "$work/err"
grep -q 'chmod 0400' "$work/err"
grep -q 'defaultMode: 0400' "$work/err"
sign --key "$work/k.pem" --allow-world-readable | grep -q '^DKIM-Signature: v=1; a=rsa-sha256'

chmod 0666 "$work/k.pem"
if sign --key "$work/k.pem" --allow-world-readable > /dev/null 2> "$work/err"; then echo "0666 key accepted"; exit 1; fi
grep -q 'writable by everyone' "$work/err"
grep -q 'chmod 0400' "$work/err"

chmod 0640 "$work/k.pem"
if sign --key "$work/k.pem" > /dev/null 2> "$work/err"; then echo "0640 key accepted"; exit 1; fi
grep -q 'readable by its group' "$work/err"
sign --key "$work/k.pem" --allow-group-readable | grep -q '^DKIM-Signature:'

# Kubernetes Secret volume: key.pem -> ..data/key.pem, ..data -> ..2026_x (target mode counts)
mkdir -p "$work/secret/..2026_12_01_10_00_00.1"
cp "$KEYS/ed25519.pem" "$work/secret/..2026_12_01_10_00_00.1/key.pem"
chmod 0644 "$work/secret/..2026_12_01_10_00_00.1/key.pem"
ln -s ..2026_12_01_10_00_00.1 "$work/secret/..data"
ln -s ..data/key.pem "$work/secret/key.pem"
if sign --key "$work/secret/key.pem" > /dev/null 2> "$work/err"; then echo "0644 Secret accepted"; exit 1; fi
grep -q 'defaultMode: 0400' "$work/err"
chmod 0400 "$work/secret/..2026_12_01_10_00_00.1/key.pem"
sign --key "$work/secret/key.pem" | grep -q 'a=ed25519-sha256'

# formats
install -m 0400 "$KEYS/rsa2048-pkcs8.pem" "$work/p8.pem"
sign --key "$work/p8.pem" | grep -q 'a=rsa-sha256'
install -m 0400 "$KEYS/rsa1024-pkcs1.pem" "$work/weak.pem"
sign --key "$work/weak.pem" 2> "$work/err" | grep -q 'a=rsa-sha256'
grep -q '1024 bits' "$work/err"
printf 'not a key\n' > "$work/junk.pem"; chmod 0400 "$work/junk.pem"
if sign --key "$work/junk.pem" > /dev/null 2>&1; then echo "junk key accepted"; exit 1; fi
if sign --key "$work/nonexistent.pem" > /dev/null 2>&1; then echo "missing key accepted"; exit 1; fi
echo OK
