#!/usr/bin/env bash
# dkim_sign_interop - messages signed by `authmilter dkim sign` must verify in two
# independent referees: Debian's python3-dkim (dkimpy) and libmail-dkim-perl (Mail::DKIM;
# Debian 12's version judges the RSA signatures only, it predates Ed25519). Covers both
# algorithms (dual signing), all four canonicalisation pairs, LF and CRLF input, and
# awkward messages. Every signed message is then tampered (body and a forged extra
# header) and each copy must FAIL in both referees, so the referee check can fail.
# Keys are handed to the referees from files (no DNS, no network).
set -euo pipefail
cd "$(dirname "$0")/../.."
AUTHMILTER=${AUTHMILTER:-build/authmilter}
HELP=tests/integration/dkim_sign_helpers
KEYS=tests/data/dkim
PY=/usr/bin/python3
work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

# keys with the permissions the signer insists on
for k in rsa2048-pkcs1 rsa2048-pkcs8 ed25519; do
	install -m 0400 "$KEYS/$k.pem" "$work/$k.pem"
done
mkdir "$work/dns"
cp "$KEYS/rsa2048-pkcs1.txt" "$work/dns/rsa._domainkey.example.com.txt"
cp "$KEYS/rsa2048-pkcs1.txt" "$work/dns/rsa8._domainkey.example.com.txt"   # same key, PKCS#8 file
cp "$KEYS/ed25519.txt" "$work/dns/ed._domainkey.example.com.txt"

# ---- the messages (written with LF; a CRLF copy of each is made below) ----
mkdir "$work/in"
hdrs='From: Joe Sender <joe@example.com>
To: Suzie Q <suzie@example.net>
Subject: Is dinner ready?
Date: Tue, 01 Dec 2026 10:00:00 +0000
Message-ID: <20261201100000.1@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8'
printf '%s\n\nHi.\n\nWe lost the game.  Are you hungry yet?\n\nJoe.\n' "$hdrs" > "$work/in/plain"
printf '%s\n\n' "$hdrs" > "$work/in/empty-body"
printf '%s\n' "$hdrs" > "$work/in/no-body"
printf '%s\n\n\n\n\n' "$hdrs" > "$work/in/blank-lines-body"
printf '%s\n\ntext\n\n\n\n' "$hdrs" > "$work/in/trailing-blank-lines"
printf '%s\n\ntrailing space   \n\ttab  and   runs\t\t\n \n  lead\n' "$hdrs" > "$work/in/whitespace"
printf '%s\n\nno final line end' "$hdrs" > "$work/in/no-final-eol"
printf 'From: Joe Sender <joe@example.com>\nTo: a@example.net,\n   b@example.net,\n\tc@example.net\nSubject:\n  folded right after the colon, and a long subject line that goes on and on\n  and continues on a third line   with   runs of spaces\nDate: Tue, 01 Dec 2026 10:00:00 +0000\nX-Long: %s\nMessage-ID: <x@example.com>\n\nbody\n' "$(head -c 600 /dev/zero | tr '\0' 'x')" > "$work/in/long-folded-headers"
printf 'Received: from a by b; Tue, 01 Dec 2026 10:00:00 +0000\nReceived: from c by d; Tue, 01 Dec 2026 10:00:00 +0000\nFrom: Joe <joe@example.com>\nTo: one@example.net\nTo: two@example.net\nCc: x@example.net\nCc: y@example.net\nSubject: repeated\nDate: Tue, 01 Dec 2026 10:00:00 +0000\n\nrepeated headers\n' > "$work/in/repeated-headers"
printf 'From: =?utf-8?q?J=C3=B6rg?= <joerg@example.com>\nTo: x@example.net\nSubject: 8bit \xc3\xa4\xc3\xb6\xc3\xbc and latin-1 \xe4\nDate: Tue, 01 Dec 2026 10:00:00 +0000\nContent-Transfer-Encoding: 8bit\n\nGr\xc3\xbc\xc3\x9fe \xe4\xf6\xfc \xff\xfe\n\x01\x7f binary-ish\n' > "$work/in/8bit"
{ printf '%s\n\n' "$hdrs"; for i in $(seq 1 1800); do printf 'line %05d: the quick brown fox jumps over the lazy dog  \n' "$i"; done; } > "$work/in/100k-body"
[ "$(wc -c < "$work/in/100k-body")" -gt 100000 ]
for f in "$work"/in/*; do
	sed 's/$/\r/' "$f" > "$f.crlf"
	# keep "no final line end" without one in the CRLF copy too
	case $f in *no-final-eol) head -c -1 "$f.crlf" > "$f.tmp" && mv "$f.tmp" "$f.crlf";; esac
	mv "$f" "$f.lf"
done

# ---- sign: dual (RSA PKCS#1 + Ed25519) in every canonicalisation ----
mkdir "$work/out" "$work/bad"
n=0
for c in relaxed/relaxed relaxed/simple simple/relaxed simple/simple; do
	for f in "$work"/in/*; do
		o="$work/out/$(basename "$f").${c/\//-}"
		"$AUTHMILTER" dkim sign --domain example.com --canonicalization "$c" \
			--key "$work/rsa2048-pkcs1.pem" --selector rsa --algorithm rsa-sha256 \
			--key "$work/ed25519.pem" --selector ed --algorithm ed25519-sha256 < "$f" > "$o"
		# the message itself is copied unchanged after the signature fields
		tail -c "$(wc -c < "$f")" "$o" | cmp -s - "$f" || { echo "message altered: $o"; exit 1; }
		n=$((n + 1))
	done
done
echo "signed $n messages (dual)"

# single-algorithm runs, the RSA key given as PKCS#8, default canonicalisation
mkdir "$work/single"
for f in "$work/in/plain.lf" "$work/in/100k-body.crlf" "$work/in/empty-body.crlf"; do
	"$AUTHMILTER" dkim sign --domain example.com --selector rsa8 --key "$work/rsa2048-pkcs8.pem" \
		< "$f" > "$work/single/$(basename "$f").rsa8"
	"$AUTHMILTER" dkim sign --domain example.com --selector ed --key "$work/ed25519.pem" \
		--expire 86400 < "$f" > "$work/single/$(basename "$f").ed"
done
# a single canonicalisation word means word/simple; a custom header list without over-signing
"$AUTHMILTER" dkim sign --domain example.com --selector rsa8 --key "$work/rsa2048-pkcs8.pem" \
	--canonicalization relaxed --headers From,Subject,Date,X-Missing --no-oversign \
	< "$work/in/repeated-headers.crlf" > "$work/single/custom-headers.rsa8"
grep -q 'c=relaxed/simple;' "$work/single/custom-headers.rsa8"
grep -q 'h=from:subject:date;' "$work/single/custom-headers.rsa8"
grep -q '^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;' "$work/single/plain.lf.rsa8"
grep -q ' x=[0-9]*;' "$work/single/plain.lf.ed"
# tags: t= always, never l=, never rsa-sha1 (parsed with dkimpy's own tag parser)
"$PY" - "$work"/out/* "$work"/single/* <<'PYEOF'
import sys, re, dkim.util
for p in sys.argv[1:]:
    head = open(p, 'rb').read().replace(b'\r\n', b'\n').split(b'\n\n', 1)[0]
    for m in re.finditer(rb'^DKIM-Signature:(.*(?:\n[ \t].*)*)', head, re.M | re.I):
        tags = dkim.util.parse_tag_value(m.group(1).replace(b'\n', b''))
        assert b'l' not in tags, p
        assert b't' in tags and tags[b'v'] == b'1', p
        assert tags[b'a'] in (b'rsa-sha256', b'ed25519-sha256'), p
        if b'custom-headers' not in p.encode():
            assert tags[b'h'].split(b':').count(b'from') == 2, p   # From over-signed
PYEOF

# ---- referees ----
"$PY" "$HELP/verify_dkimpy.py" "$work/dns" 2 "$work"/out/* > "$work/py.log" || { cat "$work/py.log"; echo "dkimpy rejected a signature"; exit 1; }
perl "$HELP/verify_maildkim.pl" "$work/dns" 2 "$work"/out/* > "$work/pl.log" || { cat "$work/pl.log"; echo "Mail::DKIM rejected a signature"; exit 1; }
"$PY" "$HELP/verify_dkimpy.py" "$work/dns" 1 "$work"/single/* > "$work/py1.log" || { cat "$work/py1.log"; exit 1; }
perl "$HELP/verify_maildkim.pl" "$work/dns" 1 "$work"/single/*.rsa8 > "$work/pl1.log" || { cat "$work/pl1.log"; exit 1; }
echo "dkimpy: $(grep -c '^PASS' "$work/py.log") + $(grep -c '^PASS' "$work/py1.log") pass; Mail::DKIM: $(grep -c '^PASS' "$work/pl.log") + $(grep -c '^PASS' "$work/pl1.log") pass"

# ---- tampered copies must fail ----
# tamper SRC DESTDIR: three altered copies of a signed message
tamper() {
	local o=$1 dir=$2 b cr=
	b=$(basename "$o")
	grep -q $'\r' "$o" && cr=$'\r'
	# body: one more content line at the end (no l=, so it is not covered)
	{ cat "$o"; printf '%s\nappended%s\n' "$cr" "$cr"; } > "$dir/$b.body"
	# header: a second Subject added at the top, below the signatures (Subject is
	# over-signed, so the extra instance is covered by the signature)
	awk -v cr="$cr" '!done && !/^DKIM-Signature:/ && !/^[ \t]/ { print "Subject: forged" cr; done = 1 } { print }' \
		"$o" > "$dir/$b.hdr"
	# header: the From address changed
	sed '0,/^From:/s/@example\.com/@evil.example/' "$o" > "$dir/$b.from"
	cmp -s "$o" "$dir/$b.from" && { echo "tamper: no From changed in $o"; exit 1; }
	return 0
}
mkdir "$work/bad1" "$work/nooversign"
for o in "$work"/out/*; do tamper "$o" "$work/bad"; done
for o in "$work"/single/*; do tamper "$o" "$work/bad1"; done
# without over-signing the added Subject is NOT detected (bottom-up: the signature still
# covers the original, lower one): proof that the .hdr failures above come from over-signing
mv "$work/bad1/custom-headers.rsa8.hdr" "$work/nooversign/"
"$PY" "$HELP/verify_dkimpy.py" "$work/dns" 1 "$work/nooversign"/* > "$work/nos.log" || { cat "$work/nos.log"; echo "no-oversign control failed"; exit 1; }

"$PY" "$HELP/verify_dkimpy.py" "$work/dns" 2 "$work"/bad/* > "$work/pybad.log" || true
perl "$HELP/verify_maildkim.pl" "$work/dns" 2 "$work"/bad/* > "$work/plbad.log" || true
"$PY" "$HELP/verify_dkimpy.py" "$work/dns" 1 "$work"/bad1/* > "$work/pybad1.log" || true
# Mail::DKIM judges the RSA-only copies (it has no Ed25519)
perl "$HELP/verify_maildkim.pl" "$work/dns" 1 "$work"/bad1/*.rsa8.* > "$work/plbad1.log" || true
for log in pybad:bad plbad:bad pybad1:bad1 plbad1:bad1; do
	l=${log%%:*} d=${log#*:}
	if grep -q '^PASS' "$work/$l.log"; then
		grep '^PASS' "$work/$l.log" | head
		echo "$l: a tampered message verified"
		exit 1
	fi
	# a failure must come from verification, not from a miscount of signatures
	if grep -q 'signatures, expected' "$work/$l.log"; then
		grep 'signatures, expected' "$work/$l.log" | head -3
		echo "$l: signature count mismatch"
		exit 1
	fi
	case $l in
	plbad1) want=$(ls "$work/$d" | grep -c '\.rsa8\.') ;;
	*) want=$(ls "$work/$d" | wc -l) ;;
	esac
	[ "$(grep -c '^FAIL' "$work/$l.log")" = "$want" ] || { echo "$l: not every tampered copy was judged"; exit 1; }
done
echo "tampered: $(ls "$work/bad" | wc -l) dual-signed + $(ls "$work/bad1" | wc -l) single-signed copies, all fail in dkimpy (and Mail::DKIM for RSA)"

# ---- refusals ----
if "$AUTHMILTER" dkim sign --domain example.com --selector rsa --key "$work/rsa2048-pkcs1.pem" \
	--algorithm rsa-sha1 < "$work/in/plain.lf" > /dev/null 2>&1; then
	echo "rsa-sha1 accepted"; exit 1
fi
if "$AUTHMILTER" dkim sign --domain example.com --selector ed --key "$work/ed25519.pem" \
	--algorithm rsa-sha256 < "$work/in/plain.lf" > /dev/null 2>&1; then
	echo "algorithm/key mismatch accepted"; exit 1
fi
printf 'To: x@example.net\nSubject: no from\n\nbody\n' > "$work/nofrom"
if "$AUTHMILTER" dkim sign --domain example.com --selector ed --key "$work/ed25519.pem" \
	< "$work/nofrom" > /dev/null 2>&1; then
	echo "message without From signed"; exit 1
fi
echo OK
