#!/usr/bin/env bash
# run-bench - the driver behind `make bench`: runs every $BUILD/bench/bench_* binary.
# Benchmarks print figures; they are not pass/fail tests.
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
