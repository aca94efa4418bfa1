#!/usr/bin/env bash
# run-bench - the driver behind `make bench`: runs every $BUILD/bench/bench_* binary and
# prints their figures. Benchmarks are not pass/fail tests; a non-zero exit only means a
# benchmark could not run.
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
	"$b" || { echo "$(basename "$b") failed"; rc=1; }
done
exit $rc
