#!/usr/bin/env bash
# daemon - the daemon answers a milter client (our milter-bench, protocol 6) over unix
# and inet sockets, logs one summary line per message, removes forged
# Authentication-Results with our authserv-id, reloads on SIGUSR1 (a broken file keeps
# the old configuration serving) and removes its socket on SIGTERM.
. "$(dirname "$0")/../lib/common.sh"

cat >"$WORK/a.conf" <<CONF
authserv_id = "mx.test.example";
milter: { socket = "unix:$WORK/sock"; socket_mode = "0600"; };
log: { format = "json"; };
CONF
cat >"$WORK/m.eml" <<'MSG'
From: Alice <alice@example.com>
To: bob@example.net
Subject: hello
Authentication-Results: mx.test.example; spf=pass smtp.mailfrom=example.com
Authentication-Results: other.example; dkim=pass header.d=example.com
Authentication-Results: (forged)
 MX.TEST.EXAMPLE; dmarc=pass

Hello.
MSG

# DNS answers come from a zone file: nothing leaves the machine
cat >"$WORK/zone" <<'ZONE'
example.org TXT "v=spf1 ip4:192.0.2.0/24 -all"
client.example TXT "v=spf1 a -all"
client.example A 192.0.2.1
_dmarc.example.com TXT "v=DMARC1; p=none"
ZONE
start_authmilter "$WORK/a.conf" "$WORK/log" --dns-zone "$WORK/zone"
[ "$(stat -c %a "$WORK/sock")" = 600 ] || fail "socket mode is $(stat -c %a "$WORK/sock")"
ok "unix socket created with mode 0600"

"$MILTER_BENCH" -s "unix:$WORK/sock" -m "$WORK/m.eml" --dump >"$WORK/out" || { cat "$WORK/out"; fail "milter-bench"; }
grep -q "^final 'a'" "$WORK/out" || fail "message not accepted: $(cat "$WORK/out")"
grep -q "^insheader 0 Authentication-Results: mx.test.example;" "$WORK/out" || fail "no A-R added: $(cat "$WORK/out")"
tr -d '\n\t' <"$WORK/out" | grep -q "spf=pass smtp.mailfrom=sender@example.org;spf=pass smtp.helo=client.example;dkim=none;dmarc=fail (p=none sp=none dis=none) header.from=example.com" \
	|| fail "A-R lacks the SPF/DKIM/DMARC results: $(cat "$WORK/out")"
# the third and the first A-R claim our id: deleted last first (3, then 1); the other stays
[ "$(grep '^delheader' "$WORK/out" | tr '\n' '|')" = "delheader Authentication-Results 3|delheader Authentication-Results 1|" ] \
	|| fail "forged headers not removed in the right order: $(cat "$WORK/out")"
ok "accepted, forged A-R removed last-first, our A-R inserted at the top"
wait_for grep -q '"queue_id":"Q00000000".*"action":"accept"' "$WORK/log" || fail "no summary line: $(cat "$WORK/log")"
ok "summary line logged"

"$MILTER_BENCH" -s "unix:$WORK/sock" -m "$WORK/m.eml" -n 200 -c 4 -k 5 >"$WORK/out" || fail "load: $(cat "$WORK/out")"
grep -q "replies a=200" "$WORK/out" || fail "not every message accepted: $(cat "$WORK/out")"
wait_for test "$(grep -c '"action":"accept"' "$WORK/log")" -ge 201 || fail "summary lines missing"
ok "200 messages over 4 connections, one summary line each"

# outbound: authenticated client -> no A-R of ours
"$MILTER_BENCH" -s "unix:$WORK/sock" -m "$WORK/m.eml" --auth alice --dump >"$WORK/out" || fail "auth run"
grep -q "insheader" "$WORK/out" && fail "outbound mail got an A-R: $(cat "$WORK/out")"
wait_for grep -q '"direction":"authenticated"' "$WORK/log" || fail "outbound not recognised"
ok "authenticated mail is outbound"

# reload with a good file: new authserv-id used by the next message
sed -i 's/mx.test.example/mx2.test.example/' "$WORK/a.conf"
kill -USR1 "$AM_PID"
wait_for grep -q "configuration reloaded" "$WORK/log" || fail "no reload"
"$MILTER_BENCH" -s "unix:$WORK/sock" -m "$WORK/m.eml" --dump >"$WORK/out" || fail "after reload"
grep -q "Authentication-Results: mx2.test.example;" "$WORK/out" || fail "reload not in force: $(cat "$WORK/out")"
ok "reload with a good file takes effect"

# reload with a broken file: error logged with file:line, old configuration keeps serving
printf 'milter: { sockett = "x"; };\n' >>"$WORK/a.conf"
kill -USR1 "$AM_PID"
wait_for grep -q "rejected; keeping the previous one" "$WORK/log" || fail "broken reload not reported"
"$MILTER_BENCH" -s "unix:$WORK/sock" -m "$WORK/m.eml" --dump >"$WORK/out" || fail "after broken reload"
grep -q "Authentication-Results: mx2.test.example;" "$WORK/out" || fail "old config not serving"
kill -0 "$AM_PID" || fail "daemon died"
ok "reload with a broken file keeps the old configuration serving"

stop_authmilter || fail "did not stop on SIGTERM"
[ -e "$WORK/sock" ] && fail "socket left behind"
grep -q "authmilter stopping" "$WORK/log" || fail "no stop message"
ok "SIGTERM stops the daemon and removes the socket"

# inet socket
PORT=$(free_port)
cat >"$WORK/b.conf" <<CONF
authserv_id = "mx.test.example";
milter: { socket = "inet:$PORT@127.0.0.1"; };
CONF
start_authmilter "$WORK/b.conf" "$WORK/log2" --dns-zone "$WORK/zone"
"$MILTER_BENCH" -s "inet:$PORT@127.0.0.1" -m "$WORK/m.eml" -n 50 -c 2 >"$WORK/out" || fail "inet: $(cat "$WORK/out")"
grep -q "replies a=50" "$WORK/out" || fail "inet replies: $(cat "$WORK/out")"
ok "inet socket answers"

# config-test reports a misspelt option with file and line
printf 'dns: {\n  timeot = 5;\n};\n' >"$WORK/bad.conf"
if "$AUTHMILTER" config-test -c "$WORK/bad.conf" 2>"$WORK/err"; then fail "config-test accepted a bad file"; fi
grep -q "bad.conf:2: unknown option 'dns.timeot' (did you mean 'dns.timeout'?)" "$WORK/err" || fail "config-test message: $(cat "$WORK/err")"
"$AUTHMILTER" config-test -q -c "$TOP/conf/authmilter.conf" || fail "shipped config invalid"
ok "config-test"
