#!/usr/bin/env bash
# spf_pyspf.sh - `authmilter spf` compared with pyspf (python3-spf) on generated zones; see
# tests/integration/spf_pyspf.py for what is generated and which known differences of
# interpretation are neutralised.
set -u
cd "$(dirname "$0")/../.."
AUTHMILTER=${AUTHMILTER:-build/authmilter}
PY=/usr/bin/python3                      # Debian's python, where python3-spf lives
[ -x "$PY" ] || PY=python3
if ! "$PY" -c 'import spf' 2>/dev/null; then
	echo "python3-spf is not installed (tests/install-deps.sh lists it)"
	exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$PY" tests/integration/spf_pyspf.py "$AUTHMILTER" "$work" "${SPF_DIFF_SEEDS:-10}" "${SPF_DIFF_CASES:-40}"
