#!/usr/bin/env bash
# run-tests - the test driver behind `make test`: every cmocka unit-test binary, every
# fuzz target replayed over its corpus, then every integration script. Each runs under a
# timeout; the last line is "N passed, N failed".
set -u
BUILD=${BUILD:-build}
ONLY=${ONLY:-all}
cd "$(dirname "$0")/.."
passed=0 failed=0
failures=()
run_one() { # name, command...
	local name=$1; shift
	local log; log=$(mktemp)
	if timeout "${TEST_TIMEOUT:-600}" "$@" >"$log" 2>&1; then
		passed=$((passed + 1)); echo "PASS $name"
		grep '^SKIP ' "$log" | sed 's/^/    /'    # skipped parts stay visible
	else
		failed=$((failed + 1)); failures+=("$name"); echo "FAIL $name"; sed 's/^/    /' "$log" | tail -60
	fi
	rm -f "$log"
}

unit_total=0
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	log=$(mktemp)
	if timeout "${TEST_TIMEOUT:-600}" "$t" >"$log" 2>&1; then ok=1; else ok=0; fi
	n=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	n=${n:-0}; f=${f:-0}
	if [ "$ok" = 1 ] && [ "$f" = 0 ]; then
		passed=$((passed + n)); echo "PASS $(basename "$t") ($n tests)"
	else
		[ "$f" = 0 ] && f=1
		passed=$((passed + n)); failed=$((failed + f)); failures+=("$(basename "$t")")
		echo "FAIL $(basename "$t")"; sed 's/^/    /' "$log" | grep -v '^\s*\[ \(RUN\|       OK\) ' | tail -80
	fi
	unit_total=$((unit_total + n + f))
	rm -f "$log"
done

if [ "$ONLY" = all ]; then
	for f in "$BUILD"/fuzz-replay/fuzz_*; do
		[ -x "$f" ] || continue
		n=$(basename "$f"); corpus=tests/fuzz/corpus/${n#fuzz_}
		run_one "$n corpus replay" "$f" "$corpus"
	done
	for s in tests/integration/*.sh; do
		[ -f "$s" ] || continue
		run_one "$(basename "$s")" bash "$s"
	done
fi

echo
if [ ${#failures[@]} -gt 0 ]; then echo "failed: ${failures[*]}"; fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
