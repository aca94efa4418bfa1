#!/usr/bin/env bash
# hostile - hostile input through the milter: 2,000 header fields (a forged
# Authentication-Results after the 1,000th included), a 2 MB header line, a 50 MB body
# (peak RSS must not grow with the message), 20 DKIM-Signature fields (only
# dkim.max_signatures checked, the rest reported unchecked), binary junk and NUL bytes,
# an empty message, a message without a body, a line without a colon, bare CR line ends,
# and a 2 MB header sent as one milter packet (libmilter drops that connection).
# Every message gets a final reply, the daemon stays up, and logs one summary line each.
. "$(dirname "$0")/../lib/common.sh"

cat >"$WORK/a.conf" <<CONF
authserv_id = "mx.test.example";
milter: { socket = "unix:$WORK/sock"; };
log: { format = "json"; };
dkim: { max_signatures = 8; };
CONF
cat >"$WORK/zone" <<'ZONE'
example.org TXT "v=spf1 ip4:192.0.2.0/24 -all"
client.example A 192.0.2.1
_dmarc.example.com TXT "v=DMARC1; p=none"
ZONE
# under AddressSanitizer (make SAN=1), freed memory waits in a 256 MB quarantine, which
# would show as RSS growth; a small quarantine keeps the RSS check meaningful there too
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4:thread_local_quarantine_size_kb=256"
start_authmilter "$WORK/a.conf" "$WORK/log" --dns-zone "$WORK/zone"

summaries() { grep -c '"action":' "$WORK/log" || true; }
hwm() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$AM_PID/status"; }
expected=0
# send NAME FILE [milter-bench options] - one message; a final reply and a summary line
send() {
	local name=$1 file=$2; shift 2
	"$MILTER_BENCH" -s "unix:$WORK/sock" -m "$file" --timeout 120 --dump "$@" >"$WORK/out.$name" 2>&1 \
		|| fail "$name: no final reply: $(head -c 2000 "$WORK/out.$name")"
	grep -q "^final '[artyc]'" "$WORK/out.$name" || fail "$name: no final reply: $(head -c 2000 "$WORK/out.$name")"
	kill -0 "$AM_PID" 2>/dev/null || fail "$name: the daemon died: $(tail -20 "$WORK/log")"
	expected=$((expected + 1))
	wait_for test "$(summaries)" -ge "$expected" || fail "$name: no summary line: $(tail -5 "$WORK/log")"
	ok "$name: $(grep '^final' "$WORK/out.$name" | head -1), summary logged"
}

# 2,000 header fields; the forged A-R claiming our id comes last (field 2,002)
{
	echo "From: <alice@example.com>"
	for i in $(seq 1 2000); do echo "X-Filler-$i: value $i"; done
	echo "Authentication-Results: mx.test.example; dmarc=pass header.from=example.com"
	echo
	echo "body"
} >"$WORK/many.eml"
send many-headers "$WORK/many.eml"
grep -q "^delheader Authentication-Results 1$" "$WORK/out.many-headers" \
	|| fail "the forged A-R after field 1,000 was not removed: $(grep -v '^insheader' "$WORK/out.many-headers")"
ok "many-headers: the forged Authentication-Results beyond the 1,000th field is removed"
# the command line refuses such a message with a clear reason
if "$AUTHMILTER" dkim verify --dns-zone "$WORK/zone" <"$WORK/many.eml" >/dev/null 2>"$WORK/err"; then
	fail "dkim verify accepted 2,002 header fields"
fi
grep -q "cannot read the message: more than 1000 header fields" "$WORK/err" || fail "dkim verify: $(cat "$WORK/err")"
# evaluate runs the milter's pipeline, which sees every field as the milter does
"$AUTHMILTER" evaluate -c "$WORK/a.conf" --ip 192.0.2.1 --sender a@example.org --dns-zone "$WORK/zone" <"$WORK/many.eml" >"$WORK/ev" 2>"$WORK/err" \
	|| fail "evaluate refused 2,002 header fields: $(cat "$WORK/err")"
grep -q "^remove: Authentication-Results" "$WORK/ev" || fail "evaluate kept the late forged A-R: $(cat "$WORK/ev")"
ok "many-headers: 'dkim verify' says the message has more than 1000 header fields; 'evaluate' handles it like the milter"

# a 2 MB header line (milter-bench cuts it to one milter packet, as an MTA's header limit would)
{
	echo "From: <alice@example.com>"
	printf 'X-Long: '; head -c 2097152 /dev/zero | tr '\0' 'a'; echo
	echo "Subject: long"
	echo
	echo "body"
} >"$WORK/long.eml"
send long-line "$WORK/long.eml"

# the whole 2 MB line as one milter packet, as a careless MTA might send it: beyond the
# protocol's packet limit, libmilter drops that connection; the daemon keeps serving
python3 - "$WORK/sock" <<'PY' || fail "oversized packet: the daemon neither closed nor answered"
import socket, struct, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(30); s.connect(sys.argv[1])
pkt = lambda cmd, data: struct.pack(">I", len(data) + 1) + cmd + data
s.sendall(pkt(b"O", struct.pack(">III", 6, 0x1FF, 0x1FFFFF)))
s.recv(4096)                                            # the daemon's negotiation reply
try:
    s.sendall(pkt(b"L", b"X-Long\0" + b"a" * 2097152 + b"\0"))
    while s.recv(65536):
        pass                                            # read until the daemon closes
except (ConnectionResetError, BrokenPipeError):
    pass
PY
kill -0 "$AM_PID" 2>/dev/null || fail "the daemon died on a 2 MB milter packet"
ok "a 2 MB header in one milter packet: connection closed, daemon up"

# 50 MB body: the peak RSS must not grow with the message size
printf 'From: <alice@example.com>\nSubject: small\n\nhello\n' >"$WORK/small.eml"
send small-warmup "$WORK/small.eml"
before=$(hwm)
{
	echo "From: <alice@example.com>"
	echo "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=sel; c=relaxed/relaxed; h=from; bh=AAAA; b=AAAA"
	echo "Subject: big"
	echo
	yes "a body line of fifty bytes or so, repeated 0123456" | head -c 52428800
} >"$WORK/big.eml"
send big-body "$WORK/big.eml"
after=$(hwm)
send big-body-again "$WORK/big.eml"
again=$(hwm)
echo "# VmHWM before ${before} kB, after one 50 MB body ${after} kB, after a second ${again} kB"
if [ -n "${AM_WRAPPER:-}" ]; then
	ok "big-body: RSS not checked under $AM_WRAPPER (its own free queue is in the figure)"
else
	[ $((again - before)) -lt 16384 ] || fail "peak RSS grew by $((again - before)) kB with two 50 MB bodies"
	ok "big-body: peak RSS grew by $((after - before)) kB, then $((again - after)) kB (limit 16 MB in all)"
fi

# 20 DKIM-Signature fields: 8 checked, 12 reported unchecked
{
	echo "From: <alice@example.com>"
	for i in $(seq 1 20); do
		echo "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s$i; c=relaxed/relaxed; h=from; bh=AAAA; b=AAAA"
	done
	echo "Subject: sigs"
	echo
	echo "body"
} >"$WORK/sigs.eml"
send twenty-signatures "$WORK/sigs.eml"
tr -d '\n\t' <"$WORK/out.twenty-signatures" | grep -q "12 more signatures not checked" \
	|| fail "unchecked signatures not reported: $(cat "$WORK/out.twenty-signatures")"
[ "$(tr -d '\n\t' <"$WORK/out.twenty-signatures" | grep -o 'dkim=[a-z]* [^;]*header.s=' | wc -l)" = 8 ] \
	|| fail "not 8 signatures checked: $(cat "$WORK/out.twenty-signatures")"
ok "twenty-signatures: 8 checked, 12 reported unchecked"

# binary junk and NUL bytes in headers and body
python3 - "$WORK/junk.eml" <<'PY'
import sys, random
r = random.Random(7)
junk = lambda n: bytes(r.randrange(1, 256) for _ in range(n)).replace(b"\n", b"").replace(b"\r", b"")
with open(sys.argv[1], "wb") as f:
    f.write(b"From: <alice@example.com>\n")
    f.write(b"X-Junk: " + junk(300) + b"\n")
    f.write(b"X-Nul: before\0after\n")
    f.write(b"Subject: \x01\x02\x7f\xff\xfe =?utf-8?b?////?=\n")
    f.write(b"DKIM-Signature: v=1; \xff\xfe; d=\0; b=\x80\n")
    f.write(b"\n" + bytes(r.randrange(0, 256) for _ in range(100000)) + b"\0\0\0\n")
PY
send binary-junk "$WORK/junk.eml"

: >"$WORK/empty.eml"
send empty-message "$WORK/empty.eml"

printf 'From: <alice@example.com>\nSubject: no body\n' >"$WORK/nobody.eml"
send no-body "$WORK/nobody.eml"

printf 'From: <alice@example.com>\nThis line has no colon\nSubject: x\n\nbody\n' >"$WORK/nocolon.eml"
send no-colon "$WORK/nocolon.eml"

printf 'From: <alice@example.com>\rSubject: bare CR\r\rbody\rmore body\r' >"$WORK/cr.eml"
send bare-cr "$WORK/cr.eml"

# still serving ordinary mail
send ordinary "$WORK/small.eml"
grep -q "^insheader 0 Authentication-Results: mx.test.example;" "$WORK/out.ordinary" || fail "ordinary: no A-R"
stop_authmilter || fail "did not stop on SIGTERM"
ok "daemon stayed up through every hostile message and stopped cleanly"
