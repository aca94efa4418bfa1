#!/usr/bin/env bash
# run-bench - the driver behind `make bench`: runs every $BUILD/bench/bench_* binary (each
# prints its own figures), then the comparison with OpenDKIM/OpenDMARC. Figures, not tests.
set -u
BUILD=${BUILD:-build}
cd "$(dirname "$0")/../.."
for b in "$BUILD"/bench/bench_*; do
	[ -x "$b" ] || continue
	echo "== $(basename "$b")"
	"$b" || echo "($(basename "$b") exited with $?)"
	echo
done

# --- authmilter against OpenDKIM and OpenDMARC (self-contained; ~5 minutes)
echo "== milter-peers (authmilter vs OpenDKIM/OpenDMARC, see docs/performance.md)"
bash tests/bench/milter-peers.sh || echo "(milter-peers exited with $?)"
