# common.sh - helpers for integration tests (sourced): a private work directory removed
# at exit, failure reporting, waiting for a condition, starting/stopping authmilter.
# Every process a test starts is registered with track_pid and stopped at exit.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
AUTHMILTER=${AUTHMILTER:-$TOP/build/authmilter}
MILTER_BENCH=${MILTER_BENCH:-$(dirname "$AUTHMILTER")/milter-bench}
WORK=$(mktemp -d /tmp/authmilter-test.XXXXXX)
chmod 0755 "$WORK"
_PIDS=()
_CLEANUPS=()

track_pid() { _PIDS+=("$1"); }
at_exit() { _CLEANUPS+=("$1"); }

_cleanup() {
	local rc=$?
	for c in "${_CLEANUPS[@]+"${_CLEANUPS[@]}"}"; do eval "$c" || true; done
	for p in "${_PIDS[@]+"${_PIDS[@]}"}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${_PIDS[@]+"${_PIDS[@]}"}"; do
		for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null || true
	done
	if [ "$rc" != 0 ] && [ -n "${KEEP_WORK:-}" ]; then echo "work directory kept: $WORK"; else rm -rf "$WORK"; fi
	exit "$rc"
}
trap _cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }

# wait_for CMD... - retry for up to 10 s
wait_for() {
	for _ in $(seq 1 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
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

# start_authmilter CONF LOG [extra args] - runs in the foreground mode, sets AM_PID
start_authmilter() {
	local conf=$1 log=$2; shift 2
	"$AUTHMILTER" serve -f -c "$conf" "$@" >>"$log" 2>&1 &
	AM_PID=$!
	track_pid "$AM_PID"
	wait_for grep -q "listening on" "$log" || { cat "$log"; fail "authmilter did not start"; }
}

stop_authmilter() {
	kill -TERM "$AM_PID" 2>/dev/null || true
	for _ in $(seq 1 100); do kill -0 "$AM_PID" 2>/dev/null || return 0; sleep 0.1; done
	kill -KILL "$AM_PID" 2>/dev/null || true
	return 1
}
