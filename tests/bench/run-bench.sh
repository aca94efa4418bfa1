#!/usr/bin/env bash
# run-bench - the driver behind `make bench`: runs every $BUILD/bench/bench_* binary
# (each prints its own figures), then the per-module extras below. Figures, not tests:
# nothing here fails on a slow machine.
set -u
BUILD=${BUILD:-build}
cd "$(dirname "$0")/../.."
for b in "$BUILD"/bench/bench_*; do
	[ -x "$b" ] || continue
	echo "== $(basename "$b")"
	"$b" || echo "($(basename "$b") exited with $?)"
	echo
done

# --- DKIM signing: the same private-key operations as measured by `openssl speed`, for
# comparison with bench_dkim_sign's "raw sign/s" column (same machine, same moment).
if command -v openssl >/dev/null 2>&1; then
	echo "== openssl speed (reference for bench_dkim_sign)"
	openssl speed -seconds 2 rsa2048 2>/dev/null | grep -E '^ *(sign|rsa 2048)' | tail -2
	openssl speed -seconds 2 ed25519 2>/dev/null | grep -E '^ *(sign|op|253|.*Ed25519)' | tail -2
	echo
fi
