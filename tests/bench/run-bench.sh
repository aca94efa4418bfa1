#!/usr/bin/env bash
# run-bench - the driver behind `make bench`: runs every $BUILD/bench/bench_* binary
# (each prints its own figures), then the per-module extras below. Figures, not tests:
# nothing here fails on a slow machine; a non-zero exit only means a benchmark could not run.
# DNS: a local Unbound serving tests/zones/dns.zone is started for the run (DNS_SERVER is
# exported for the benchmarks that want a real server), unless DNS_SERVER is already set.
set -u
BUILD=${BUILD:-build}
cd "$(dirname "$0")/../.."
. tests/lib/dns-server.sh
if [ -z "${DNS_SERVER:-}" ]; then
	trap dns_server_stop EXIT
	dns_server_start tests/zones/dns.zone || { echo "run-bench: cannot start Unbound" >&2; exit 1; }
fi
rc=0
for b in "$BUILD"/bench/bench_*; do
	[ -x "$b" ] || continue
	echo "== $(basename "$b")"
	"$b" || { echo "($(basename "$b") exited with $?)"; rc=1; }
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

# --- authmilter against OpenDKIM and OpenDMARC (self-contained: its own Unbound; ~5.5 min)
echo "== milter-peers (authmilter vs OpenDKIM/OpenDMARC, see docs/performance.md)"
bash tests/bench/milter-peers.sh || { echo "milter-peers failed"; rc=1; }
exit $rc
