#!/usr/bin/env bash
# run-bench - the driver behind `make bench`: runs every build/bench/bench_* binary in turn
# (each prints its own figures). Benchmarks are measurements, not timed tests.
set -u
BUILD=${BUILD:-build}
cd "$(dirname "$0")/../.."
rc=0
for b in "$BUILD"/bench/bench_*; do
	[ -x "$b" ] || continue
	echo "== $(basename "$b")"
	"$b" || rc=1
done
exit $rc
