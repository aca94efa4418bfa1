# common.sh - helpers for integration tests (sourced): a private work directory removed
# at exit, failure reporting, waiting for a condition, starting/stopping authmilter.
# Every process a test starts is registered with track_pid and stopped at exit.
# AM_WRAPPER (unset by default), e.g. "valgrind --error-exitcode=1 ...", prefixes the
# daemon command in start_authmilter; each such run must then end with a clean
# "ERROR SUMMARY: 0 errors" in its log, checked when it stops and again at exit.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
AUTHMILTER=${AUTHMILTER:-$TOP/build/authmilter}
MILTER_BENCH=${MILTER_BENCH:-$(dirname "$AUTHMILTER")/milter-bench}
WORK=$(mktemp -d /tmp/authmilter-test.XXXXXX)
chmod 0755 "$WORK"
_PIDS=()
_CLEANUPS=()
_AM_LOGS=()
# slower start/stop when the daemon runs under a wrapper such as valgrind
if [ -n "${AM_WRAPPER:-}" ]; then _AM_WAIT=600; else _AM_WAIT=100; fi

track_pid() { _PIDS+=("$1"); }
at_exit() { _CLEANUPS+=("$1"); }

_cleanup() {
	local rc=$?
	for c in "${_CLEANUPS[@]+"${_CLEANUPS[@]}"}"; do eval "$c" || true; done
	for p in "${_PIDS[@]+"${_PIDS[@]}"}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${_PIDS[@]+"${_PIDS[@]}"}"; do
		for _ in $(seq 1 "$_AM_WAIT"); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null || true
	done
	for l in "${_AM_LOGS[@]+"${_AM_LOGS[@]}"}"; do
		_wrapper_clean "$l" || rc=1
	done
	if [ "$rc" != 0 ] && [ -n "${KEEP_WORK:-}" ]; then echo "work directory kept: $WORK"; else rm -rf "$WORK"; fi
	exit "$rc"
}
trap _cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }

# wait_for CMD... - retry for up to 10 s (60 s under AM_WRAPPER)
wait_for() {
	for _ in $(seq 1 "$_AM_WAIT"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}

# free_port - an unused TCP port on 127.0.0.1 (also free for UDP)
free_port() {
	python3 - <<'PY'
import socket
for _ in range(100):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", p)); u.close(); s.close(); print(p); break
    except OSError:
        s.close(); u.close()
PY
}

# _wrapper_clean LOG - under AM_WRAPPER: the run logged to LOG ended with a summary of
# zero errors (valgrind counts definite leaks as errors with --errors-for-leak-kinds)
_wrapper_clean() {
	[ -n "${AM_WRAPPER:-}" ] || return 0
	if ! grep -q "ERROR SUMMARY: " "$1" 2>/dev/null; then
		echo "FAIL: $AM_WRAPPER: no error summary in $1 (daemon killed?)" >&2; tail -40 "$1" >&2; return 1
	fi
	if grep -q "ERROR SUMMARY: [1-9]" "$1"; then
		echo "FAIL: $AM_WRAPPER reported errors in the daemon:" >&2; grep '^==[0-9]*==' "$1" >&2; return 1
	fi
	return 0
}

# start_authmilter CONF LOG [extra args] - runs in the foreground mode, sets AM_PID
start_authmilter() {
	local conf=$1 log=$2; shift 2
	# shellcheck disable=SC2086 # AM_WRAPPER is a command line, split on purpose
	${AM_WRAPPER:-} "$AUTHMILTER" serve -f -c "$conf" "$@" >>"$log" 2>&1 &
	AM_PID=$!
	AM_LOG=$log
	track_pid "$AM_PID"
	[ -n "${AM_WRAPPER:-}" ] && _AM_LOGS+=("$log")
	for _ in $(seq 1 "$_AM_WAIT"); do grep -q "listening on" "$log" 2>/dev/null && return 0; sleep 0.1; done
	cat "$log"; fail "authmilter did not start"
}

stop_authmilter() {
	kill -TERM "$AM_PID" 2>/dev/null || true
	for _ in $(seq 1 "$_AM_WAIT"); do
		kill -0 "$AM_PID" 2>/dev/null || { _wrapper_clean "$AM_LOG"; return; }
		sleep 0.1
	done
	kill -KILL "$AM_PID" 2>/dev/null || true
	return 1
}
