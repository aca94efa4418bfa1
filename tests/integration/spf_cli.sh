#!/usr/bin/env bash
# spf_cli.sh - `authmilter spf` against a real DNS server (Unbound via tests/lib/dns-server.sh)
# serving tests/zones/spf.zone: every result word, exp= text, include/mx/a/ptr/exists/
# redirect, macros, IPv6, a long multi-string record, the null reverse-path in both
# spellings, the HELO identity, a dropped query (temperror) and REFUSED (temperror).
set -u
cd "$(dirname "$0")/../.."
AUTHMILTER=${AUTHMILTER:-build/authmilter}
. tests/lib/dns-server.sh
trap dns_server_stop EXIT
dns_server_start tests/zones/spf.zone || exit 1

fails=0
# check "EXPECTED FIRST LINE" args...   (exit status must be 0)
check() {
	local want=$1 out rc; shift
	out=$("$AUTHMILTER" --dns-server "$DNS_SERVER" spf --receiver mx.receiver.test "$@" 2>&1)
	rc=$?
	if [ "$rc" != 0 ] || [ "$(printf '%s\n' "$out" | head -1)" != "$want" ]; then
		echo "FAIL spf $*: rc=$rc"
		echo "     got:  $out"
		echo "     want: $want"
		fails=$((fails + 1))
	else
		echo "ok   spf $* -> $want"
	fi
}

check 'pass (ip4:192.0.2.0/24)'                 --ip 192.0.2.44 --sender user@spf.test
check 'pass (include:_spf.spf.test)'            --ip 198.51.100.2 --sender user@spf.test
check 'pass (include:_spf.spf.test)'            --ip 198.51.100.9 --sender user@spf.test
check 'pass (include:_spf.spf.test)'            --ip 2001:db8::25 --sender user@spf.test
check 'fail 203.0.113.1 is not allowed to send mail for spf.test' --ip 203.0.113.1 --sender user@spf.test
check 'fail 203.0.113.1 is not allowed to send mail for spf.test' --ip 203.0.113.1 --sender '<user@spf.test>'
check 'pass (ip4:192.0.2.0/24)'                 --ip 192.0.2.1 --sender x@redir.spf.test
check 'fail 203.0.113.1 is not allowed to send mail for spf.test' --ip 203.0.113.1 --sender x@redir.spf.test
check 'softfail (~all)'                         --ip 203.0.113.1 --sender user@soft.spf.test
check 'neutral (?all)'                          --ip 203.0.113.1 --sender user@neutral.spf.test
check 'none (no SPF record at nospf.spf.test)'  --ip 203.0.113.1 --sender user@nospf.spf.test
check 'none (no SPF record at nowhere.spf.test)' --ip 203.0.113.1 --sender user@nowhere.spf.test
check 'permerror more than one SPF record at two.spf.test' --ip 203.0.113.1 --sender user@two.spf.test
check "permerror bad.spf.test: unknown mechanism 'moo'" --ip 203.0.113.1 --sender user@bad.spf.test
check 'pass (ip4:203.0.113.77)'                 --ip 203.0.113.77 --sender user@long.spf.test
check 'fail 203.0.113.78 is not one of long.spf.test'"'"'s designated mail servers' --ip 203.0.113.78 --sender user@long.spf.test
check 'pass (exists:%{l}.%{ir}.allow.spf.test)' --ip 203.0.113.5 --sender alice@macro.spf.test
check 'fail 203.0.113.5 is not one of macro.spf.test'"'"'s designated mail servers' --ip 203.0.113.5 --sender bob@macro.spf.test
check 'pass (ptr)'                              --ip 203.0.113.6 --sender user@ptr.spf.test
check 'fail 203.0.113.7 is not one of ptr.spf.test'"'"'s designated mail servers' --ip 203.0.113.7 --sender user@ptr.spf.test
check 'fail 203.0.113.5 is not one of ptr.spf.test'"'"'s designated mail servers' --ip 203.0.113.5 --sender user@ptr.spf.test
check 'permerror void lookup limit of 2 exceeded at n3.spf.test' --ip 203.0.113.1 --sender user@void.spf.test
check 'fail 203.0.113.1 is not one of void.spf.test'"'"'s designated mail servers' --ip 203.0.113.1 --sender user@void.spf.test --void-limit 3
# -c: the spf section of the configuration sets the limits; --void-limit still overrides
conf=$(mktemp); trap 'rm -f "$conf"; dns_server_stop' EXIT
printf 'spf = { void_lookup_limit = 3; time_limit = 10; };\n' >"$conf"
check 'fail 203.0.113.1 is not one of void.spf.test'"'"'s designated mail servers' -c "$conf" --ip 203.0.113.1 --sender user@void.spf.test
check 'permerror void lookup limit of 2 exceeded at n3.spf.test' -c "$conf" --ip 203.0.113.1 --sender user@void.spf.test --void-limit 2
# null reverse-path, both spellings: postmaster@HELO; and the HELO identity itself
check 'pass (a)'                                --ip 203.0.113.5 --sender '' --helo helo.spf.test
check 'pass (a)'                                --ip 203.0.113.5 --sender '<>' --helo helo.spf.test
check 'fail 203.0.113.9 is not one of helo.spf.test'"'"'s designated mail servers' --ip 203.0.113.9 --sender '<>' --helo helo.spf.test
check 'pass (a)'                                --ip 203.0.113.5 --identity helo --helo helo.spf.test
# DNS trouble: REFUSED and a server that never answers are temperror
check 'temperror DNS error looking up srvfail.spf.test' --ip 203.0.113.1 --sender user@refused.spf.test
start=$(date +%s)
out=$("$AUTHMILTER" --dns-server "$DNS_SERVER" spf --ip 203.0.113.1 --sender user@slow.spf.test --time-limit 8 2>&1); rc=$?
case "$rc:$out" in
0:temperror*) echo "ok   dropped query -> $out ($(( $(date +%s) - start )) s)" ;;
*) echo "FAIL dropped query: rc=$rc out=$out"; fails=$((fails + 1)) ;;
esac
# the Received-SPF line
out=$("$AUTHMILTER" --dns-server "$DNS_SERVER" spf --receiver mx.receiver.test --ip 192.0.2.44 --sender user@spf.test --helo mail.spf.test --received-spf | sed -n 2p)
want='Received-SPF: pass (mx.receiver.test: domain of user@spf.test designates 192.0.2.44 as permitted sender) receiver=mx.receiver.test; client-ip=192.0.2.44; envelope-from="user@spf.test"; helo=mail.spf.test; identity=mailfrom; mechanism="ip4:192.0.2.0/24"'
if [ "$out" = "$want" ]; then echo "ok   Received-SPF"; else echo "FAIL Received-SPF: $out"; fails=$((fails + 1)); fi
# usage errors exit 2, a bad address exits 1
"$AUTHMILTER" spf --sender a@b.test >/dev/null 2>&1; [ $? = 2 ] || { echo "FAIL missing --ip not a usage error"; fails=$((fails + 1)); }
"$AUTHMILTER" --dns-server "$DNS_SERVER" spf --ip 300.1.1.1 --sender a@b.test >/dev/null 2>&1; [ $? = 1 ] || { echo "FAIL bad --ip not exit 1"; fails=$((fails + 1)); }

echo "$fails failure(s)"
[ "$fails" = 0 ]
