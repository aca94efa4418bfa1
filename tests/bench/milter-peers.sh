#!/usr/bin/env bash
# milter-peers - authmilter against Debian's OpenDKIM and OpenDMARC, in the same run, on
# loopback only. Starts a local Unbound with the test records, authmilter (unix and inet
# sockets), OpenDKIM signing, OpenDKIM verifying (unix and inet), OpenDMARC (its own SPF
# check, inside a private mount+network namespace with its own Unbound on 127.0.0.1:53),
# and a do-nothing libmilter filter; then drives them with milter-bench, alternating ours
# and theirs (A B A B A B), and prints a table of medians and the median ratios.
#
# CPU per message = (utime+stime+cutime+cstime of the daemon, /proc/PID/stat fields
# 14-17) after minus before, over the messages of the run. Every run lasts BENCH_SECONDS
# (default 1.5) of wall time; BENCH_REPS (default 3) pairs per row.
# Environment: AUTHMILTER, MILTER_BENCH, BUILD (set by `make bench`), BENCH_SECONDS,
# BENCH_REPS, BENCH_KEEP=1 keeps the work directory, BENCH_ONLY=regex runs matching rows.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
AUTHMILTER=${AUTHMILTER:-$BUILD/authmilter}
MILTER_BENCH=${MILTER_BENCH:-$BUILD/milter-bench}
SECS=${BENCH_SECONDS:-1.5}
REPS=${BENCH_REPS:-3}
ONLY=${BENCH_ONLY:-.}
PY=/usr/bin/python3                  # Debian's, which has python3-dkim
CLIENT_IP=192.0.2.10                 # documentation range: only data, libspf2 judges it
HZ=$(getconf CLK_TCK)

for t in opendkim opendmarc unbound openssl unshare ip dig; do
	command -v "$t" >/dev/null || { echo "milter-peers: $t not installed (make deps)"; exit 1; }
done
[ -x "$AUTHMILTER" ] && [ -x "$MILTER_BENCH" ] || { echo "milter-peers: build first (make)"; exit 1; }

# Key and configuration files live under /run (OpenDKIM refuses files below a
# world-writable directory such as /tmp).
W=$(mktemp -d /run/authmilter-bench.XXXXXX)
chmod 0700 "$W"
PIDS=()
cleanup() {
	local rc=$?
	for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill -TERM "$p" 2>/dev/null; done
	[ -s "$W/unbound-ns.pid" ] && kill -TERM "$(cat "$W/unbound-ns.pid")" 2>/dev/null
	for p in "${PIDS[@]+"${PIDS[@]}"}"; do
		for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
	done
	[ -s "$W/unbound-ns.pid" ] && kill -KILL "$(cat "$W/unbound-ns.pid")" 2>/dev/null
	if [ -n "${BENCH_KEEP:-}" ]; then echo "work directory kept: $W"; else rm -rf "$W"; fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

note() { echo "# $*" >&2; }
die() { echo "milter-peers: $*" >&2; exit 1; }

free_port() {
	$PY - <<'PY'
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

wait_for() { # tries(0.1 s each) CMD...
	local n=$1; shift
	for _ in $(seq 1 "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}

# ---------------------------------------------------------------------------- keys, DNS
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$W/rsa.pem" 2>/dev/null || die "RSA key"
openssl genpkey -algorithm ED25519 -out "$W/ed.pem" 2>/dev/null || die "Ed25519 key"
chmod 0600 "$W/rsa.pem" "$W/ed.pem"
RSA_P=$(openssl pkey -in "$W/rsa.pem" -pubout -outform DER 2>/dev/null | base64 -w0)
ED_P=$(openssl pkey -in "$W/ed.pem" -pubout -outform DER 2>/dev/null | tail -c 32 | base64 -w0)
ED_SEED=$(openssl pkey -in "$W/ed.pem" -outform DER 2>/dev/null | tail -c 32 | base64 -w0)

# txt NAME VALUE - an Unbound local-data line, the value split into 255-byte strings
txt() {
	local name=$1 v=$2 out=""
	while [ -n "$v" ]; do out+="\"${v:0:255}\" "; v=${v:255}; done
	printf "  local-data: '%s. 300 IN TXT %s'\n" "$name" "$out"
}
{
	echo '  local-zone: "." static'
	echo '  local-zone: "example.com." static'
	# an SOA, so that NXDOMAIN/NODATA answers (the HELO name's SPF, _dmarc of a
	# subdomain) carry a negative TTL and can be cached as on the Internet (RFC 2308)
	echo "  local-data: 'example.com. 300 IN SOA ns.example.com. hostmaster.example.com. 1 3600 900 604800 300'"
	txt example.com "v=spf1 ip4:192.0.2.0/24 -all"
	txt ed.example.com "v=spf1 ip4:192.0.2.0/24 -all"
	txt _dmarc.example.com "v=DMARC1; p=reject"
	txt rsa._domainkey.example.com "v=DKIM1; k=rsa; p=$RSA_P"
	txt ed._domainkey.ed.example.com "v=DKIM1; k=ed25519; p=$ED_P"
	echo "  local-data: 'example.com. 300 IN A 192.0.2.80'"
} >"$W/zone.conf"

# unbound_conf ADDR PORT NAME - a configuration answering only from the local data
unbound_conf() {
	cat <<EOF
server:
  interface: $1@$2
  port: $2
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$W"
  pidfile: ""
  use-syslog: no
  logfile: "$W/$3.log"
  verbosity: 0
  do-ip6: no
  module-config: "iterator"
  num-threads: 1
$(cat "$W/zone.conf")
EOF
}
DNS_PORT=$(free_port)
unbound_conf 127.0.0.1 "$DNS_PORT" unbound >"$W/unbound.conf"
unbound -d -c "$W/unbound.conf" >>"$W/unbound.log" 2>&1 &
PIDS+=($!)
wait_for 100 dig +short +time=1 +tries=1 @127.0.0.1 -p "$DNS_PORT" example.com TXT || { cat "$W/unbound.log"; die "Unbound did not answer"; }
dig +short @127.0.0.1 -p "$DNS_PORT" rsa._domainkey.example.com TXT | grep -q "k=rsa" || die "DKIM key record missing"

# ---------------------------------------------------------------------------- messages
# make_msg FILE FROMDOMAIN BODYBYTES - a plain text message of about that body size
make_msg() {
	$PY - "$@" <<'PY'
import sys
path, dom, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
hdr = ("From: Alice Example <alice@%s>\r\nTo: Bob <bob@example.net>\r\n"
       "Subject: benchmark message of %d bytes\r\nDate: Tue, 01 Dec 2026 12:00:00 +0000\r\n"
       "Message-ID: <bench.%d@%s>\r\nMIME-Version: 1.0\r\n"
       "Content-Type: text/plain; charset=us-ascii\r\n\r\n") % (dom, size, size, dom)
line = "The quick brown fox jumps over the lazy dog, again and again and again.\r\n"
body = (line * (size // len(line) + 1))[:size]
body = body[:body.rfind("\r\n") + 2] if "\r\n" in body else body + "\r\n"
open(path, "w", newline="").write(hdr + body)
PY
}
# sign_msg IN OUT ALG - DKIM-sign with dkimpy (python3-dkim), relaxed/relaxed
sign_msg() {
	SEED=$ED_SEED $PY - "$@" "$W" <<'PY'
import sys, os, dkim
src, dst, alg, w = sys.argv[1:5]
msg = open(src, "rb").read()
heads = [b"from", b"to", b"subject", b"date", b"message-id", b"mime-version", b"content-type"]
if alg == "rsa":
    sig = dkim.sign(msg, b"rsa", b"example.com", open(w + "/rsa.pem", "rb").read(),
                    canonicalize=(b"relaxed", b"relaxed"), include_headers=heads)
else:
    sig = dkim.sign(msg, b"ed", b"ed.example.com", os.environ["SEED"].encode(),
                    canonicalize=(b"relaxed", b"relaxed"), include_headers=heads,
                    signature_algorithm=b"ed25519-sha256")
open(dst, "wb").write(sig + msg)
PY
}
for size in 3k 100k; do
	bytes=$([ $size = 3k ] && echo 3000 || echo 100000)
	make_msg "$W/rsa-$size.eml" example.com "$bytes"
	make_msg "$W/ed-$size.eml" ed.example.com "$bytes"
	sign_msg "$W/rsa-$size.eml" "$W/rsa-$size-signed.eml" rsa || die "dkimpy signing"
	sign_msg "$W/ed-$size.eml" "$W/ed-$size-signed.eml" ed || die "dkimpy Ed25519 signing"
done
make_msg "$W/big.eml" example.com 50000000

# ---------------------------------------------------------------------------- daemons
cc -O2 -o "$W/null-milter" "$TOP/tests/bench/null-milter.c" -lmilter -lpthread || die "null-milter build"

am_conf() { # SOCKET
	cat <<EOF
authserv_id = "mx.bench";
milter: { socket = "$1"; socket_mode = "0600"; };
log: { sink = "stderr"; level = "info"; };
dns: { servers = [ "127.0.0.1:$DNS_PORT" ]; };
dkim: {
  keys = ( { name = "rsa"; domain = "example.com"; selector = "rsa"; algorithm = "rsa-sha256"; key_file = "$W/rsa.pem"; },
           { name = "ed"; domain = "ed.example.com"; selector = "ed"; algorithm = "ed25519-sha256"; key_file = "$W/ed.pem"; } );
  signing_table = ( { domain = "example.com"; keys = [ "rsa" ]; }, { domain = "ed.example.com"; keys = [ "ed" ]; } );
};
EOF
}
start_am() { # NAME SOCKET -> sets PID_<NAME>
	am_conf "$2" >"$W/$1.conf"
	"$AUTHMILTER" config-test -q -c "$W/$1.conf" >"$W/$1.log" 2>&1 || { cat "$W/$1.log"; die "bench configuration refused"; }
	"$AUTHMILTER" serve -f -c "$W/$1.conf" >>"$W/$1.log" 2>&1 &
	PIDS+=($!)
	eval "PID_$1=$!"
	wait_for 100 grep -q "listening on" "$W/$1.log" || { cat "$W/$1.log"; die "authmilter did not start"; }
}

printf 'rsa._domainkey.example.com example.com:rsa:%s\ned._domainkey.ed.example.com ed.example.com:ed:%s\n' \
	"$W/rsa.pem" "$W/ed.pem" >"$W/keytable"
printf 'example.com rsa._domainkey.example.com\ned.example.com ed._domainkey.ed.example.com\n' >"$W/signingtable"
odkim_conf() { # MODE SOCKET
	cat <<EOF
Mode $1
Socket $2
Syslog no
Canonicalization relaxed/relaxed
KeyTable $W/keytable
SigningTable $W/signingtable
MTA ORIGINATING
InternalHosts 10.255.255.254
Nameservers 127.0.0.1@$DNS_PORT
AuthservID verifier.bench
AlwaysAddARHeader yes
EOF
}
start_odkim() { # NAME MODE SOCKET
	odkim_conf "$2" "$3" >"$W/$1.conf"
	opendkim -f -x "$W/$1.conf" >"$W/$1.log" 2>&1 &
	PIDS+=($!)
	eval "PID_$1=$!"
}

start_am am "unix:$W/am.sock"
AM_INET_PORT=$(free_port)
start_am aminet "inet:$AM_INET_PORT@127.0.0.1"
start_odkim odsign s "local:$W/odsign.sock"
start_odkim odverify v "local:$W/odverify.sock"
OD_INET_PORT=$(free_port)
start_odkim odvinet v "inet:$OD_INET_PORT@127.0.0.1"
"$W/null-milter" "unix:$W/null.sock" >"$W/null.log" 2>&1 &
PIDS+=($!); PID_null=$!

# OpenDMARC: no resolver option, so its own namespaces: resolv.conf bind-mounted, an
# Unbound on that namespace's 127.0.0.1:53, the milter reached through a unix socket.
unbound_conf 127.0.0.1 53 unbound-ns >"$W/unbound-ns.conf"
echo "nameserver 127.0.0.1" >"$W/resolv.conf"
echo "10.255.255.254" >"$W/dmarc-ignore"
cat >"$W/odmarc.conf" <<EOF
Socket local:$W/odmarc.sock
AuthservID dmarc.bench
TrustedAuthservIDs verifier.bench
SPFSelfValidate true
SPFIgnoreResults true
IgnoreHosts $W/dmarc-ignore
IgnoreAuthenticatedClients true
RejectFailures false
FailureReports false
Syslog false
EOF
unshare -m -n -- /bin/bash -c '
	W=$1
	ip link set lo up || exit 1
	mount --bind "$W/resolv.conf" /etc/resolv.conf || exit 1
	unbound -d -c "$W/unbound-ns.conf" >>"$W/unbound-ns.log" 2>&1 &
	echo $! >"$W/unbound-ns.pid"
	for _ in $(seq 1 100); do dig +short +time=1 +tries=1 @127.0.0.1 example.com TXT | grep -q spf1 && break; sleep 0.1; done
	exec opendmarc -f -c "$W/odmarc.conf"' _ "$W" >"$W/odmarc.log" 2>&1 &
PIDS+=($!); PID_odmarc=$!

for s in odsign.sock odverify.sock odmarc.sock null.sock; do
	wait_for 100 test -S "$W/$s" || { cat "$W"/od*.log; die "$s did not appear"; }
done
wait_for 100 bash -c "exec 3<>/dev/tcp/127.0.0.1/$OD_INET_PORT" || die "OpenDKIM inet socket"

# ---------------------------------------------------------------------------- helpers
cpu_ticks() { # PID... -> utime+stime+cutime+cstime, summed
	local t=0 f
	for p in "$@"; do
		f=$(sed 's/.*) //' "/proc/$p/stat") || return 1
		set -- $f
		# after "pid (comm) ", field 3 is the state: fields 14-17 are $12..$15 here
		t=$((t + ${12} + ${13} + ${14} + ${15}))
	done
	echo "$t"
}
hwm_kib() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$1/status"; }

OUTBOUND=(--daemon-name ORIGINATING --auth alice)
INBOUND=(--ip "$CLIENT_IP" --helo mail.example.com)
RESULTS=$W/results.tsv
: >"$RESULTS"

# measure ROW SIDE REP PID SOCKET MSG CONC FROM [bench args...] - one timed run
measure() {
	local row=$1 side=$2 rep=$3 pid=$4 sock=$5 msg=$6 conc=$7 from=$8; shift 8
	local c0 c1 out res
	c0=$(cpu_ticks "$pid") || die "$side daemon $pid is gone"
	out=$("$MILTER_BENCH" -s "$sock" -m "$msg" -c "$conc" -n 1000000 --duration "$SECS" --timeout 20 \
		--from "$from" "$@" 2>&1)
	c1=$(cpu_ticks "$pid") || die "$side daemon $pid is gone"
	res=$(grep '^result ' <<<"$out") || die "milter-bench: $out"
	printf '%s\t%s\t%s\t%s\t%s\n' "$row" "$side" "$rep" "$((c1 - c0))" "${res#result }" >>"$RESULTS"
}
warm() { # SOCKET MSG FROM [args] - a few messages outside the measured window
	local sock=$1 msg=$2 from=$3; shift 3
	"$MILTER_BENCH" -s "$sock" -m "$msg" -c 2 -n 20 --from "$from" "$@" >/dev/null 2>&1
}
dump() { # SOCKET MSG FROM [args] - the modifications for one message
	local sock=$1 msg=$2 from=$3; shift 3
	"$MILTER_BENCH" -s "$sock" -m "$msg" --dump --from "$from" "$@" 2>&1
}
# capability ROW SIDE TEXT - what the side really did in that row (printed with the table)
capability() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$W/caps.tsv"; }
: >"$W/caps.tsv"

# ab ROW "OURS: pid sock msg from args" "THEIRS: ..." - alternate REPS times
# Arguments are passed through arrays named by the caller: OA (ours) and TA (theirs),
# each: PID SOCKET MSG CONC FROM [bench args...]
ab() {
	local row=$1 r
	[[ $row =~ $ONLY ]] || return 0
	note "$row"
	warm "${OA[1]}" "${OA[2]}" "${OA[4]}" "${OA[@]:5}"
	warm "${TA[1]}" "${TA[2]}" "${TA[4]}" "${TA[@]:5}"
	for r in $(seq 1 "$REPS"); do
		measure "$row" ours "$r" "${OA[@]}"
		measure "$row" theirs "$r" "${TA[@]}"
	done
}

# ---------------------------------------------------------------------------- capabilities
has() { grep -q -- "$2" <<<"$1"; }
d=$(dump "unix:$W/am.sock" "$W/rsa-3k.eml" alice@example.com "${OUTBOUND[@]}")
has "$d" "a=rsa-sha256" && OURS_SIGN_RSA=1 || OURS_SIGN_RSA=0
d=$(dump "unix:$W/am.sock" "$W/ed-3k.eml" alice@ed.example.com "${OUTBOUND[@]}")
has "$d" "a=ed25519-sha256" && OURS_SIGN_ED=1 || OURS_SIGN_ED=0
d=$(dump "unix:$W/am.sock" "$W/rsa-3k-signed.eml" alice@example.com "${INBOUND[@]}")
echo "$d" >"$W/ours-inbound.dump"
has "$d" "dkim=pass" && OURS_VERIFY_RSA=1 || OURS_VERIFY_RSA=0
has "$d" "spf=pass" && OURS_SPF=1 || OURS_SPF=0
has "$d" "dmarc=pass" && OURS_DMARC=1 || OURS_DMARC=0
d=$(dump "unix:$W/am.sock" "$W/ed-3k-signed.eml" alice@ed.example.com "${INBOUND[@]}")
has "$d" "dkim=pass" && OURS_VERIFY_ED=1 || OURS_VERIFY_ED=0

d=$(dump "unix:$W/odsign.sock" "$W/rsa-3k.eml" alice@example.com "${OUTBOUND[@]}")
echo "$d" >"$W/odsign-rsa.dump"
has "$d" "a=rsa-sha256" && OD_SIGN_RSA=1 || OD_SIGN_RSA=0
d=$(dump "unix:$W/odsign.sock" "$W/ed-3k.eml" alice@ed.example.com "${OUTBOUND[@]}")
echo "$d" >"$W/odsign-ed.dump"
has "$d" "a=ed25519-sha256" && OD_SIGN_ED=1 || OD_SIGN_ED=0
d=$(dump "unix:$W/odverify.sock" "$W/rsa-3k-signed.eml" alice@example.com "${INBOUND[@]}")
echo "$d" >"$W/odverify-rsa.dump"
has "$d" "dkim=pass" && OD_VERIFY_RSA=1 || OD_VERIFY_RSA=0
d=$(dump "unix:$W/odverify.sock" "$W/ed-3k-signed.eml" alice@ed.example.com "${INBOUND[@]}")
echo "$d" >"$W/odverify-ed.dump"
has "$d" "dkim=pass" && OD_VERIFY_ED=1 || OD_VERIFY_ED=0

# The chained message OpenDMARC sees: OpenDKIM-verify's Authentication-Results on top.
for size in 3k 100k; do
	"$PY" - "$W/odverify-rsa.dump" "$W/rsa-$size-signed.eml" "$W/rsa-$size-chained.eml" <<'PY'
import sys
dump, src, dst = sys.argv[1:4]
ar, on = [], False
for line in open(dump):
    if line.startswith(("insheader", "addheader")) and "Authentication-Results" in line:
        on = True
        line = line.split(" ", 2)[2] if line.startswith("insheader") else line.split(" ", 1)[1]
        ar.append(line.rstrip("\n"))
    elif on and line[:1] in (" ", "\t"):
        ar.append(line.rstrip("\n"))
    else:
        on = False
if not ar:
    sys.exit("no Authentication-Results from OpenDKIM")
open(dst, "wb").write(("\r\n".join(ar) + "\r\n").encode() + open(src, "rb").read())
PY
done
d=$(dump "unix:$W/odmarc.sock" "$W/rsa-3k-chained.eml" alice@example.com "${INBOUND[@]}")
echo "$d" >"$W/odmarc.dump"
has "$d" "dmarc=pass" && OD_DMARC=1 || OD_DMARC=0
has "$d" "spf=pass" && OD_SPF=1 || OD_SPF=0

yn() { [ "$1" = 1 ] && echo "$2" || echo "$3"; }
{
	echo "ours: sign rsa=$(yn $OURS_SIGN_RSA yes 'not built') ed25519=$(yn $OURS_SIGN_ED yes 'not built');" \
	     "verify rsa=$(yn $OURS_VERIFY_RSA yes 'not built') ed25519=$(yn $OURS_VERIFY_ED yes 'not built');" \
	     "spf=$(yn $OURS_SPF yes 'not built') dmarc=$(yn $OURS_DMARC yes 'not built')"
	echo "ours, A-R for a signed inbound message: $(awk '/Authentication-Results/ { on = 1; printf "%s", $0; next } on && /^[ \t]/ { printf " %s", $0; next } { on = 0 }' "$W/ours-inbound.dump" | tr -s ' \t' ' ' | cut -c1-220)"
	echo "opendkim: sign rsa=$(yn $OD_SIGN_RSA yes no) ed25519=$(yn $OD_SIGN_ED yes 'n/a (not supported)');" \
	     "verify rsa=$(yn $OD_VERIFY_RSA yes no) ed25519=$(yn $OD_VERIFY_ED yes 'n/a (not supported)')"
	echo "opendkim verify A-R (ed25519): $(grep -m1 'dkim=' "$W/odverify-ed.dump" | tr -s ' \t' ' ' | cut -c1-160)"
	echo "opendmarc: dmarc=$(yn $OD_DMARC pass "NOT pass") spf=$(yn $OD_SPF pass "NOT pass"): $(grep -m1 'dmarc=' "$W/odmarc.dump" | tr -s ' \t' ' ' | cut -c1-160)"
} >"$W/capabilities.txt"
cat "$W/capabilities.txt" >&2
[ $OD_SIGN_RSA = 1 ] && [ $OD_VERIFY_RSA = 1 ] && [ $OD_DMARC = 1 ] || { cat "$W"/od*.dump; die "a peer does not work as configured"; }

# ---------------------------------------------------------------------------- big message
# 50 MB through a fresh authmilter (inet instance, not used yet): peak RSS growth.
h0=$(hwm_kib "$PID_aminet")
"$MILTER_BENCH" -s "inet:$AM_INET_PORT@127.0.0.1" -m "$W/big.eml" --from alice@example.com "${OUTBOUND[@]}" --timeout 60 >/dev/null 2>&1 \
	|| note "50 MB message failed"
"$MILTER_BENCH" -s "inet:$AM_INET_PORT@127.0.0.1" -m "$W/big.eml" --from alice@example.com "${INBOUND[@]}" --timeout 60 >/dev/null 2>&1 \
	|| note "50 MB message failed"
h1=$(hwm_kib "$PID_aminet")
h2=$(hwm_kib "$PID_odvinet")
"$MILTER_BENCH" -s "inet:$OD_INET_PORT@127.0.0.1" -m "$W/big.eml" --from alice@example.com "${INBOUND[@]}" --timeout 60 >/dev/null 2>&1 \
	|| note "50 MB message to OpenDKIM failed"
h3=$(hwm_kib "$PID_odvinet")
echo -e "big\tours\t$h0\t$h1\ntheirs\t$h2\t$h3" >"$W/big.tsv"
rm -f "$W/big.eml"

# ---------------------------------------------------------------------------- runs
for alg in rsa ed; do
	from=alice@example.com; [ $alg = ed ] && from=alice@ed.example.com
	for size in 3k 100k; do
		for conc in 1 4 16; do
			OA=("$PID_am" "unix:$W/am.sock" "$W/$alg-$size.eml" "$conc" "$from" "${OUTBOUND[@]}")
			TA=("$PID_odsign" "unix:$W/odsign.sock" "$W/$alg-$size.eml" "$conc" "$from" "${OUTBOUND[@]}")
			ab "sign $alg $size c$conc" 
		done
	done
done
for alg in rsa ed; do
	from=alice@example.com; [ $alg = ed ] && from=alice@ed.example.com
	for size in 3k 100k; do
		for conc in 1 4 16; do
			OA=("$PID_am" "unix:$W/am.sock" "$W/$alg-$size-signed.eml" "$conc" "$from" "${INBOUND[@]}")
			TA=("$PID_odverify" "unix:$W/odverify.sock" "$W/$alg-$size-signed.eml" "$conc" "$from" "${INBOUND[@]}")
			ab "verify $alg $size c$conc"
		done
	done
done
# Full inbound: ours once; theirs = OpenDKIM-verify then OpenDMARC on the chained copy
# (what each sees behind Postfix): CPU per message summed, rates composed serially.
for spec in "3k 1" "3k 4" "3k 16" "100k 4"; do
	set -- $spec
	row="inbound rsa $1 c$2"
	[[ $row =~ $ONLY ]] || continue
	note "$row"
	OA=("$PID_am" "unix:$W/am.sock" "$W/rsa-$1-signed.eml" "$2" alice@example.com "${INBOUND[@]}")
	warm "${OA[1]}" "${OA[2]}" "${OA[4]}" "${OA[@]:5}"
	warm "unix:$W/odverify.sock" "$W/rsa-$1-signed.eml" alice@example.com "${INBOUND[@]}"
	warm "unix:$W/odmarc.sock" "$W/rsa-$1-chained.eml" alice@example.com "${INBOUND[@]}"
	for r in $(seq 1 "$REPS"); do
		measure "$row" ours "$r" "${OA[@]}"
		measure "$row" theirs-dkim "$r" "$PID_odverify" "unix:$W/odverify.sock" "$W/rsa-$1-signed.eml" "$2" alice@example.com "${INBOUND[@]}"
		measure "$row" theirs-dmarc "$r" "$PID_odmarc" "unix:$W/odmarc.sock" "$W/rsa-$1-chained.eml" "$2" alice@example.com "${INBOUND[@]}"
	done
done
# Socket kinds at concurrency 1 (inbound verification of the 3 KB message).
OA=("$PID_am" "unix:$W/am.sock" "$W/rsa-3k-signed.eml" 1 alice@example.com "${INBOUND[@]}")
TA=("$PID_odverify" "unix:$W/odverify.sock" "$W/rsa-3k-signed.eml" 1 alice@example.com "${INBOUND[@]}")
ab "socket unix c1"
OA=("$PID_aminet" "inet:$AM_INET_PORT@127.0.0.1" "$W/rsa-3k-signed.eml" 1 alice@example.com "${INBOUND[@]}")
TA=("$PID_odvinet" "inet:$OD_INET_PORT@127.0.0.1" "$W/rsa-3k-signed.eml" 1 alice@example.com "${INBOUND[@]}")
ab "socket inet c1"
# Floors: our daemon as it stands vs a do-nothing libmilter filter (reply at every step).
OA=("$PID_am" "unix:$W/am.sock" "$W/rsa-3k.eml" 4 alice@example.com "${INBOUND[@]}")
TA=("$PID_null" "unix:$W/null.sock" "$W/rsa-3k.eml" 4 alice@example.com "${INBOUND[@]}")
ab "floor 3k c4"

# ---------------------------------------------------------------------------- report
note "openssl speed"
openssl speed -seconds 2 rsa2048 ed25519 >"$W/speed.txt" 2>/dev/null || note "openssl speed failed"

for n in am aminet odsign odverify odvinet odmarc null; do
	eval "p=\$PID_$n"
	printf '%s\t%s\n' "$n" "$(hwm_kib "$p")"
done >"$W/hwm.tsv"

CAPS="OURS_SIGN_RSA=$OURS_SIGN_RSA OURS_SIGN_ED=$OURS_SIGN_ED OURS_VERIFY_RSA=$OURS_VERIFY_RSA OURS_VERIFY_ED=$OURS_VERIFY_ED OURS_SPF=$OURS_SPF OURS_DMARC=$OURS_DMARC OD_SIGN_ED=$OD_SIGN_ED OD_VERIFY_ED=$OD_VERIFY_ED" \
HZ=$HZ "$PY" "$TOP/tests/bench/milter-peers-report.py" "$W"
