#!/usr/bin/env bash
# dns.sh - `authmilter dns` against a real DNS server (Unbound, tests/lib/dns-server.sh)
# serving tests/zones/dns.zone: record types, long TXT over TCP, CNAME chains, NXDOMAIN vs
# NODATA, REFUSED, a server that drops queries and a port where nothing listens.
set -u
cd "$(dirname "$0")/../.."
AUTHMILTER=${AUTHMILTER:-build/authmilter}
. tests/lib/dns-server.sh
trap dns_server_stop EXIT
dns_server_start tests/zones/dns.zone || exit 1

fails=0
# check NAME TYPE EXPECTED-EXIT EXPECTED-OUTPUT (lines joined with '|')
check() {
	local name=$1 type=$2 want_rc=$3 want=$4 out rc
	out=$("$AUTHMILTER" --dns-server "$DNS_SERVER" dns "$name" "$type" 2>/dev/null)
	rc=$?
	out=$(printf '%s' "$out" | sort | paste -sd'|')
	want=$(printf '%s' "$want" | tr '|' '\n' | sort | paste -sd'|')
	if [ "$rc" != "$want_rc" ] || [ "$out" != "$want" ]; then
		echo "FAIL $name $type: rc=$rc want $want_rc; got [$out] want [$want]"
		fails=$((fails + 1))
	else
		echo "ok   $name $type"
	fi
}

long=$(printf 'v=spf1'; for i in $(seq 1 59); do printf ' ip4:192.0.2.%d' "$i"; done; printf ' -all')
huge=$(printf 'x%.0s' $(seq 1 1500))
check a.dns.test A 0 'answer|192.0.2.1|192.0.2.2'
check v6.dns.test AAAA 0 'answer|2001:db8::1'
check both.dns.test AAAA 0 'answer|2001:db8::10'
check dns.test MX 0 'answer|10 mx1.dns.test|20 mx2.dns.test'
check 1.2.0.192.in-addr.arpa PTR 0 'answer|a.dns.test'
check txt.dns.test TXT 0 'answer|"v=spf1 ip4:192.0.2.0/24 -all"'
check multi.dns.test TXT 0 'answer|"first record"|"second record"'
check long.dns.test TXT 0 "answer|\"$long\""
check huge.dns.test TXT 0 "answer|\"$huge\""
check alias3.dns.test A 0 'answer|192.0.2.1|192.0.2.2'
check txtalias.dns.test TXT 0 'answer|"v=spf1 ip4:192.0.2.0/24 -all"'
check alias.dns.test CNAME 0 'answer|a.dns.test'
check nodata.dns.test TXT 0 'nodata'
check nx.dns.test A 0 'nxdomain'
check NX.Dns.Test. A 0 'nxdomain'
check A.DNS.TEST. A 0 'answer|192.0.2.1|192.0.2.2'
check loop1.dns.test A 1 'servfail'
check refused.dns.test A 1 'servfail'

# Negative TTL comes from the zone's SOA: min(3600, 60) = 60.
out=$("$AUTHMILTER" --dns-server "$DNS_SERVER" dns --ttl nx.dns.test A 2>/dev/null | paste -sd'|')
[ "$out" = "nxdomain|60" ] || { echo "FAIL negative TTL: [$out]"; fails=$((fails + 1)); }

# A server that drops the query: timeout, and within the deadline we gave.
start=$(date +%s%N)
out=$("$AUTHMILTER" --dns-server "$DNS_SERVER" dns --deadline 1500 dropped.dns.test A 2>/dev/null)
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
if [ "$rc" != 1 ] || [ "$out" != timeout ] || [ "$ms" -gt 2500 ]; then
	echo "FAIL dropped: rc=$rc out=[$out] after ${ms} ms"; fails=$((fails + 1))
else
	echo "ok   dropped query -> timeout after ${ms} ms (deadline 1500)"
fi

# Nothing listening (ICMP port unreachable): a temporary failure, quickly.
dead_port=$DNS_PORT
dns_server_stop
out=$("$AUTHMILTER" --dns-server "127.0.0.1:$dead_port" dns --deadline 8000 a.dns.test A 2>/dev/null)
rc=$?
if [ "$rc" != 1 ] || { [ "$out" != servfail ] && [ "$out" != timeout ]; }; then
	echo "FAIL dead server: rc=$rc out=[$out]"; fails=$((fails + 1))
else
	echo "ok   dead server -> $out"
fi

# Usage errors.
"$AUTHMILTER" dns >/dev/null 2>&1; [ $? = 2 ] || { echo "FAIL usage"; fails=$((fails + 1)); }
"$AUTHMILTER" --dns-server 127.0.0.1:1 dns a.dns.test BOGUS >/dev/null 2>&1; [ $? = 2 ] || { echo "FAIL bad type"; fails=$((fails + 1)); }
"$AUTHMILTER" --dns-server 'not an address' dns a.dns.test >/dev/null 2>&1; [ $? = 1 ] || { echo "FAIL bad server"; fails=$((fails + 1)); }

# dns_server_stop is safe to call again.
dns_server_stop && dns_server_stop || { echo "FAIL double stop"; fails=$((fails + 1)); }
echo "$fails failure(s)"
[ "$fails" = 0 ]
