#!/usr/bin/env bash
# dkim_verify_interop - messages signed by independent DKIM implementations verify as
# pass with `authmilter dkim verify`, and tampered copies fail with the right reason.
#   dkimpy (python3-dkim `dkimsign`): rsa-sha256 and ed25519-sha256, all four c= pairs
#   Mail::DKIM::Signer (libmail-dkim-perl 1.20230212): rsa-sha256, all four c= pairs
#     (that version has no Ed25519 signer)
#   OpenDKIM (the opendkim 2.11.0~beta2 milter driven by miltertest): rsa-sha256 in all
#     four c= pairs; ed25519-sha256 compared with dkimpy's verdict (see below).
#     (opendkim-testmsg is not used: it signs only rsa-sha1 and prints a corrupt b=.)
#   authmilter dkim sign (the sibling signing module), RSA and Ed25519, all four c= pairs
# Keys come from the in-memory zone (--dns-zone) holding the test public keys; when
# tests/lib/dns-server.sh exists (Unbound on loopback), a subset also runs over real DNS.
set -euo pipefail
cd "$(dirname "$0")/../.."
AUTHMILTER=${AUTHMILTER:-build/authmilter}
D=tests/data/dkim-verify
ZONE=$D/zone.txt
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT    # replaced below once the OpenDKIM helper exists
fails=0 checks=0

verify() { "$AUTHMILTER" --dns-zone "$ZONE" dkim verify "$@"; }

# expect FILE RESULT REASON-SUBSTRING: the first signature line of FILE
expect() {
	local file=$1 want=$2 why=$3 out
	checks=$((checks + 1))
	out=$(verify < "$file" | head -1) || true
	if [[ "$out" != "$want "* ]] || [[ -n "$why" && "$out" != *"$why"* ]] ||
	   [[ -z "$why" && "$out" == *"("* ]]; then
		echo "FAIL $(basename "$file"): got '$out', want '$want' ${why:+($why)}"
		fails=$((fails + 1))
	fi
}

cat > "$T/base.eml" <<'EOF'
Received: from client.example.net by mx.example.org; Tue, 01 Dec 2026 12:00:01 +0000
From: Alice Example <alice@example.org>
To: Bob <bob@example.net>
Subject: Interop test message for the DKIM verifier
Date: Tue, 01 Dec 2026 12:00:00 +0000
Message-ID: <interop@example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Hello Bob,

this  line has	 odd   spacing   
and this one trailing tabs		

-- 
Alice


EOF

# tamper SIGNED PREFIX: body byte, signed header, and a re-folded Subject
tamper() {
	perl -pe 's/Hello Bob/Hello Bub/' "$1" > "$2.body.eml"
	perl -pe 's/^Subject: Interop/Subject: Intrerop/' "$1" > "$2.header.eml"
	perl -0pe 's/Subject: Interop test message for/Subject: Interop test message\r\n for/' "$1" > "$2.refold.eml"
}

check_signed() { # file hcanon: pass, tampered copies fail
	local f=$1 hc=$2
	expect "$f" pass ""
	tamper "$f" "${f%.eml}"
	expect "${f%.eml}.body.eml" fail "body hash mismatch"
	expect "${f%.eml}.header.eml" fail "signature mismatch"
	if [ "$hc" = simple ]; then
		expect "${f%.eml}.refold.eml" fail "signature mismatch"
	else
		expect "${f%.eml}.refold.eml" pass ""
	fi
}

# ---- dkimpy ----
for hc in simple relaxed; do
	for bc in simple relaxed; do
		dkimsign --hcanon $hc --bcanon $bc rsa2048 example.org $D/keys/rsa2048.pem \
			< "$T/base.eml" > "$T/dkimpy-rsa-$hc-$bc.eml"
		check_signed "$T/dkimpy-rsa-$hc-$bc.eml" $hc
		dkimsign --hcanon $hc --bcanon $bc --signalg ed25519-sha256 ed25519 example.org \
			$D/keys/ed25519.seed < "$T/base.eml" > "$T/dkimpy-ed-$hc-$bc.eml"
		check_signed "$T/dkimpy-ed-$hc-$bc.eml" $hc
	done
done

# ---- Mail::DKIM ----
cat > "$T/mdkim-sign.pl" <<'EOF'
use strict;
use warnings;
use Mail::DKIM::Signer;
my ($method, $keyfile, $selector) = @ARGV;
my $msg = do { local $/; <STDIN> };   # $/ stays set for Mail::DKIM's key reader
$msg =~ s/\r?\n/\r\n/g;
my $dkim = Mail::DKIM::Signer->new(Algorithm => 'rsa-sha256', Method => $method,
	Domain => 'example.org', Selector => $selector, KeyFile => $keyfile,
	Headers => 'from:to:subject:date:message-id:mime-version:content-type');
$dkim->PRINT($msg);
$dkim->CLOSE;
binmode STDOUT;
print $dkim->signature->as_string, "\r\n", $msg;
EOF
for hc in simple relaxed; do
	for bc in simple relaxed; do
		perl "$T/mdkim-sign.pl" "$hc/$bc" $D/keys/rsa2048.pem rsa2048 \
			< "$T/base.eml" > "$T/mdkim-rsa-$hc-$bc.eml"
		check_signed "$T/mdkim-rsa-$hc-$bc.eml" $hc
	done
done
perl "$T/mdkim-sign.pl" relaxed/relaxed $D/keys/rsa1024.pem rsa1024 < "$T/base.eml" > "$T/mdkim-1024.eml"
expect "$T/mdkim-1024.eml" pass ""
perl "$T/mdkim-sign.pl" relaxed/relaxed $D/keys/rsa2048.pem pkcs1 < "$T/base.eml" > "$T/mdkim-pkcs1.eml"
expect "$T/mdkim-pkcs1.eml" pass ""

# ---- OpenDKIM ----
# The opendkim milter (2.11.0~beta2) signs, driven by miltertest over loopback; the
# signature it adds is put on top of the message it was shown. rsa-sha256 in all four
# c= pairs must pass. Its ed25519-sha256 signatures are judged by dkimpy as well: this
# OpenDKIM build's Ed25519 output does not verify with dkimpy either, so there we require
# agreement with dkimpy instead of a pass.
opendkim_pid=
stop_opendkim() {
	if [ -n "$opendkim_pid" ]; then
		kill "$opendkim_pid" 2>/dev/null || true
		wait "$opendkim_pid" 2>/dev/null || true
		opendkim_pid=
	fi
}
trap 'stop_opendkim; rm -rf "$T"' EXIT

dkimpy_verdict() { # file -> "pass" or "fail" by dkimpy with the test zone
	/usr/bin/python3 - "$1" "$ZONE" <<'PY'
import sys, dkim
zone = {}
for line in open(sys.argv[2]):
    p = line.rstrip("\n").split(" ", 2)
    if len(p) == 3 and p[1] == "TXT":
        zone[p[0] + "."] = p[2].encode()
msg = open(sys.argv[1], "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
try:
    ok = dkim.DKIM(msg).verify(dnsfunc=lambda name, timeout=5: zone.get(name.decode() if isinstance(name, bytes) else name))
except dkim.DKIMException:
    ok = False
print("pass" if ok else "fail")
PY
}

# miltertest script that feeds base.eml and prints the DKIM-Signature OpenDKIM adds
{
	echo 'conn = mt.connect(arg_socket, 40, 0.25)'
	echo 'if conn == nil then error("cannot connect to opendkim") end'
	echo 'mt.conninfo(conn, "localhost", "127.0.0.1")'
	echo 'mt.macro(conn, SMFIC_MAIL, "i", "INTEROP1")'
	echo 'mt.mailfrom(conn, "alice@example.org")'
	echo 'mt.rcptto(conn, "bob@example.net")'
	sed '/^$/q' "$T/base.eml" | sed '$d' | while IFS= read -r line; do
		printf 'mt.header(conn, [==[%s]==], [==[%s]==])\n' "${line%%:*}" "${line#*: }"
	done
	echo 'mt.eoh(conn)'
	# the body as a Lua quoted string with CRLF line ends (long brackets would turn
	# CRLF into LF)
	sed '1,/^$/d' "$T/base.eml" | perl -0777 -ne 's/\r?\n/\r\n/g; s/([\\"])/\\$1/g;
		s/\r/\\r/g; s/\n/\\n/g; s/\t/\\t/g; print "mt.bodystring(conn, \"$_\")\n"'
	echo 'mt.eom(conn)'
	echo 'local v = mt.getheader(conn, "DKIM-Signature", 0)'
	echo 'if v == nil then error("no DKIM-Signature added") end'
	echo 'print("DKIM-Signature:" .. v)'
	echo 'mt.disconnect(conn)'
} > "$T/sign.lua"

opendkim_sign() { # alg selector keyfile hc bc out
	local port attempt
	cp "$3" "$T/od-key.pem"
	chmod 600 "$T/od-key.pem"
	for attempt in 1 2 3 4 5; do
		port=$((20000 + RANDOM % 30000))
		cat > "$T/od.conf" <<EOC
Syslog no
Mode s
Domain example.org
Selector $2
KeyFile $T/od-key.pem
RequireSafeKeys false
Canonicalization $4/$5
SignatureAlgorithm $1
SignHeaders From,To,Subject,Date,Message-ID,MIME-Version,Content-Type
Socket inet:$port@127.0.0.1
UserID $(id -un)
EOC
		opendkim -f -x "$T/od.conf" > "$T/od.log" 2>&1 &
		opendkim_pid=$!
		sed "1s/^/arg_socket = \"inet:$port@127.0.0.1\"\n/" "$T/sign.lua" > "$T/run.lua"
		if miltertest -s "$T/run.lua" > "$T/od-sig.txt" 2> "$T/mt.log"; then
			stop_opendkim
			cat "$T/od-sig.txt" "$T/base.eml" > "$6"
			return 0
		fi
		stop_opendkim
		# a random port already taken: try another one
		grep -q 'smfi_opensocket() failed' "$T/od.log" || break
	done
	echo "FAIL opendkim signing ($1 $4/$5):"; cat "$T/od.log" "$T/mt.log"
	fails=$((fails + 1))
	return 1
}

if command -v opendkim >/dev/null && command -v miltertest >/dev/null; then
	for hc in simple relaxed; do
		for bc in simple relaxed; do
			if opendkim_sign rsa-sha256 rsa2048 $D/keys/rsa2048.pem $hc $bc "$T/opendkim-rsa-$hc-$bc.eml"; then
				check_signed "$T/opendkim-rsa-$hc-$bc.eml" $hc
			fi
			if opendkim_sign ed25519-sha256 ed25519 $D/keys/ed25519.pem $hc $bc "$T/opendkim-ed-$hc-$bc.eml"; then
				ref=$(dkimpy_verdict "$T/opendkim-ed-$hc-$bc.eml")
				if [ "$ref" = pass ]; then
					check_signed "$T/opendkim-ed-$hc-$bc.eml" $hc
				else
					expect "$T/opendkim-ed-$hc-$bc.eml" fail "signature mismatch"
					echo "note: OpenDKIM ed25519-sha256 $hc/$bc signature rejected by dkimpy too"
				fi
			fi
		done
	done
else
	echo "note: opendkim or miltertest missing, OpenDKIM interop skipped"
fi

# ---- our own signer (authmilter dkim sign), dual-signing RSA + Ed25519 ----
if "$AUTHMILTER" dkim sign --help >/dev/null 2>&1; then
	cp $D/keys/rsa2048.pem "$T/own-rsa.pem"; cp $D/keys/ed25519.pem "$T/own-ed.pem"
	chmod 600 "$T/own-rsa.pem" "$T/own-ed.pem"
	for hc in simple relaxed; do
		for bc in simple relaxed; do
			"$AUTHMILTER" dkim sign --domain example.org --canonicalization $hc/$bc \
				--key "$T/own-ed.pem" --selector ed25519 --algorithm ed25519-sha256 \
				< "$T/base.eml" > "$T/own-ed-$hc-$bc.eml"
			check_signed "$T/own-ed-$hc-$bc.eml" $hc
			"$AUTHMILTER" dkim sign --domain example.org --canonicalization $hc/$bc \
				--key "$T/own-rsa.pem" --selector rsa2048 --algorithm rsa-sha256 \
				< "$T/base.eml" > "$T/own-rsa-$hc-$bc.eml"
			check_signed "$T/own-rsa-$hc-$bc.eml" $hc
		done
	done
fi

# ---- defined results for key and signature defects (CLI view of the fixtures) ----
expect $D/fixtures/revoked.eml permerror "key revoked"
expect $D/fixtures/expired.eml fail "signature expired"
expect $D/fixtures/nofrom.eml permerror "h= does not include From"
expect $D/fixtures/small.eml permerror "RSA key too small"
checks=$((checks + 1))
if ! verify < $D/fixtures/testing.eml | grep -q '^pass .* testing$'; then
	echo "FAIL testing.eml: testing flag not shown"; fails=$((fails + 1))
fi
checks=$((checks + 1))
if [ "$(printf 'From: a@example.org\n\nbody\n' | verify)" != none ]; then
	echo "FAIL unsigned message: not 'none'"; fails=$((fails + 1))
fi
checks=$((checks + 1))
if [ "$(verify < $D/fixtures/ten-signatures.eml | grep -c '^unchecked')" != 2 ]; then
	echo "FAIL ten-signatures: want 2 unchecked"; fails=$((fails + 1))
fi

# ---- over real DNS: Unbound on loopback serving the same zone (tests/lib/dns-server.sh) ----
if [ -f tests/lib/dns-server.sh ] && command -v unbound >/dev/null; then
	. tests/lib/dns-server.sh
	trap 'stop_opendkim; dns_server_stop || true; rm -rf "$T"' EXIT
	if dns_server_start "$ZONE"; then
		verify() { "$AUTHMILTER" --dns-server "$DNS_SERVER" dkim verify --timeout 3 "$@"; }
		expect $D/fixtures/good-rsa.eml pass ""
		expect $D/fixtures/good-ed25519.eml pass ""
		expect "$T/dkimpy-rsa-simple-simple.eml" pass ""
		expect "$T/mdkim-rsa-relaxed-relaxed.eml" pass ""
		expect "$T/dkimpy-ed-relaxed-relaxed.body.eml" fail "body hash mismatch"
		expect $D/fixtures/revoked.eml permerror "key revoked"
		expect $D/fixtures/nokey.eml permerror "no key"
		expect $D/fixtures/twice.eml permerror "multiple key records"
		expect $D/fixtures/servfail.eml temperror "key lookup failed"
		expect $D/fixtures/timeout.eml temperror "timed out"
		checks=$((checks + 1))
		if [ "$(verify < $D/fixtures/ten-signatures.eml | grep -c '^pass')" != 8 ]; then
			echo "FAIL ten-signatures over DNS: want 8 pass"; fails=$((fails + 1))
		fi
		dns_server_stop || true   # the library is not written for set -e
	else
		echo "FAIL cannot start the loopback DNS server"; fails=$((fails + 1))
	fi
fi

echo "$checks checks, $fails failed"
[ "$fails" = 0 ]
