#!/usr/bin/env bash
# run-bench - run every benchmark binary built by `make bench` (build/bench/bench_*).
# Each prints its own figures; nothing here is a pass/fail test.
set -u
BUILD=${BUILD:-build}
cd "$(dirname "$0")/../.."
for b in "$BUILD"/bench/bench_*; do
	[ -x "$b" ] || continue
	echo "== $(basename "$b")"
	"$b" || echo "($(basename "$b") exited with $?)"
done
