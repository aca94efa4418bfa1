#!/usr/bin/env bash
# run.sh - end to end: a real Postfix (tests/lib/postfix.sh), a real DNS server (Unbound,
# tests/lib/dns-server.sh, zones in tests/e2e/zones/) and authmilter, all on loopback and
# all the test's own processes, stopped at exit. Each scenario asserts on what Postfix
# actually did (SMTP replies swaks saw, Maildirs, the hold queue) and, for signatures, on
# what independent referees (dkimpy, Mail::DKIM) say.
#
# Scenarios that need a feature authmilter does not have yet are reported as
#     SKIP scenario N: <feature> not in the milter yet
# and never counted as passes. Features are detected by probing the running daemon with
# milter-bench (see detect_features). A feature listed in REQUIRED below (every one is,
# now that all have landed on main) is never skipped: if the probe stops seeing it, the
# scenarios that need it fail. Names: spf dkim_verify dkim_sign dmarc dns (dns = the
# Unbound test library tests/lib/dns-server.sh). E2E_REQUIRE="" restores skipping (for
# a partial build); E2E_REQUIRE overrides REQUIRED in general.
#
# Environment: AUTHMILTER, MILTER_BENCH (as for every integration test), E2E_REQUIRE,
# E2E_ONLY="1 6 a" (run only these scenarios), E2E_STREAM=200 (scenario 7 size),
# KEEP_WORK=1 (keep the work directory of a failed run).
# Output: one line per scenario (ok / SKIP / FAIL), then
#     e2e: N passed, N skipped, N failed
# Exit status 0 when nothing failed.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/postfix.sh"

E2E=$TOP/tests/e2e
REQUIRED="spf dkim_verify dkim_sign dmarc dns"   # all on main: a missing one is a failure
E2E_REQUIRE=${E2E_REQUIRE-$REQUIRED}
E2E_ONLY=${E2E_ONLY:-}
STREAM=${E2E_STREAM:-200}
DNS_LIB=${E2E_DNS_LIB:-$TOP/tests/lib/dns-server.sh}
# Debian's interpreter: python3-dkim lives in its dist-packages (a python3 earlier in
# PATH, e.g. from pyenv, may not see it)
PY=/usr/bin/python3
AUTHSERV=mx.e2e.test
INBOUND_IP=192.0.2.66       # XCLIENT ADDR of "the internet"
HELO=client.e2e.test
T0=$(date +%s)

n_pass=0 n_skip=0 n_fail=0
declare -A HAVE=()

note() { echo "    $*"; }

# ---------------------------------------------------------------- setup

# Tools first: a missing one is a broken test machine, not a skip.
for t in postfix postconf postqueue saslpasswd2 swaks perl "$PY" "$MILTER_BENCH" "$AUTHMILTER"; do
	command -v "$t" >/dev/null || fail "needed tool missing: $t (tests/install-deps.sh installs it)"
done
"$PY" -c 'import dkim, dns.message' 2>/dev/null || fail "python3-dkim / python3-dnspython missing"
perl -MMail::DKIM::Verifier -MNet::DNS -e 1 2>/dev/null || fail "libmail-dkim-perl missing"
if [ "$(id -u)" != 0 ]; then
	echo "SKIP e2e: Postfix's master(8) must run as root (CI does); nothing was tested"
	echo "e2e: 0 passed, 1 skipped, 0 failed"
	exit 0
fi

# The test keys: private copies mode 0600 (authmilter refuses world-readable keys; a git
# checkout makes them 0644), and the published zone must match them.
mkdir -m 0700 "$WORK/keys"
cp "$E2E"/keys/*.pem "$WORK/keys/"
chmod 0600 "$WORK"/keys/*.pem
bash "$E2E/keys/publish.sh" | diff -q - "$E2E/zones/dkim-keys.zone" >/dev/null ||
	fail "tests/e2e/zones/dkim-keys.zone does not match tests/e2e/keys (run keys/generate.sh)"

# The DNS server. Without it (tests/lib/dns-server.sh not merged yet) authmilter is
# pointed at a loopback port where nothing answers, so no query ever leaves the machine.
if [ -f "$DNS_LIB" ]; then
	. "$DNS_LIB"
	at_exit dns_server_stop
	dns_server_start "$E2E"/zones/*.zone || fail "the test DNS server did not start"
	HAVE[dns]=1
	DNS_ADDR=$DNS_SERVER
	echo "# DNS: Unbound on $DNS_SERVER serving tests/e2e/zones"
else
	HAVE[dns]=0
	DNS_ADDR=127.0.0.1:$(free_port)
	echo "# DNS: no tests/lib/dns-server.sh yet; authmilter gets a dead loopback resolver ($DNS_ADDR)"
fi

MILTER_PORT=$(free_port)
MILTER=inet:$MILTER_PORT@127.0.0.1          # authmilter's spelling
PF_MILTER=inet:127.0.0.1:$MILTER_PORT       # Postfix's spelling of the same socket
AM_CONF=$WORK/authmilter.conf
AM_LOG=$WORK/authmilter.log

# A DMARC DNS failure tempfails (scenario 8 checks it) - but without a test DNS server
# every lookup fails, and the DNS-free scenarios must still see their mail accepted.
DMARC_TEMPERROR=tempfail
[ "${HAVE[dns]}" = 1 ] || DMARC_TEMPERROR=accept

# write_conf [ENFORCE [LOG_LEVEL]] - the test configuration (dmarc.enforce, log.level).
write_conf() {
	local enforce=${1:-true} level=${2:-info}
	cat >"$AM_CONF.tmp" <<EOF
# authmilter configuration of the end-to-end test (tests/e2e/run.sh)
authserv_id = "$AUTHSERV";
milter: { socket = "$MILTER"; eom_deadline = 5000; };
log: { format = "json"; level = "$level"; };
dns: { servers = [ "$DNS_ADDR" ]; timeout = 500; tries = 2; };
outbound: {
  internal_hosts = [ "127.0.0.0/8" ];
  submission_daemons = [ "ORIGINATING" ];
};
dkim: {
  keys = (
    { name = "out-rsa"; domain = "outbound.test"; selector = "e2e-rsa";
      algorithm = "rsa-sha256"; key_file = "$WORK/keys/outbound-rsa.pem"; },
    { name = "out-ed"; domain = "outbound.test"; selector = "e2e-ed";
      algorithm = "ed25519-sha256"; key_file = "$WORK/keys/outbound-ed25519.pem"; }
  );
  signing_table = ( { domain = "outbound.test"; keys = [ "out-rsa", "out-ed" ]; } );
};
dmarc: { enforce = $enforce; temperror_action = "$DMARC_TEMPERROR"; quarantine_action = "hold"; };
EOF
	mv "$AM_CONF.tmp" "$AM_CONF"
}

# log_count_gt TEXT N - authmilter's log holds more than N lines with TEXT.
log_count_gt() { [ "$(grep -c "$1" "$AM_LOG" 2>/dev/null)" -gt "$2" ]; }

# reload_authmilter - SIGUSR1, and wait for the daemon to confirm the new generation.
reload_authmilter() {
	local before
	before=$(grep -c "configuration reloaded" "$AM_LOG")
	kill -USR1 "$AM_PID" || return 1
	wait_for log_count_gt "configuration reloaded" "$before"
}

# am_start - start authmilter (again) on the test configuration; waits for this start's
# "listening on" line (the log is shared by every start).
am_start() {
	local before
	before=$(grep -c "listening on" "$AM_LOG" 2>/dev/null)
	"$AUTHMILTER" serve -f -c "$AM_CONF" >>"$AM_LOG" 2>&1 &
	AM_PID=$!
	track_pid "$AM_PID"
	wait_for log_count_gt "listening on" "${before:-0}" ||
		{ tail -20 "$AM_LOG"; fail "authmilter did not start"; }
}

write_conf true
"$AUTHMILTER" config-test -q -c "$AM_CONF" >"$WORK/config-test.out" 2>&1 ||
	{ cat "$WORK/config-test.out"; fail "the test configuration is rejected"; }
am_start

pf_init "$PF_MILTER" || fail "pf_init"
for m in bob s1 s2 s3 s4 s5 s6 s7 s8 s9 outauth outint; do pf_add_mailbox "$m@$PF_DOMAIN"; done
pf_add_sasl_user alice 'e2e-secret' || fail "saslpasswd2"
pf_start || fail "Postfix did not start"
echo "# Postfix: smtp 127.0.0.1:$PF_PORT, submission 127.0.0.1:$PF_SUBMISSION_PORT, milter $PF_MILTER"

# ---------------------------------------------------------------- helpers

# make_msg FILE FROM TO SUBJECT [EXTRA_HEADER...] - a small message, CRLF line ends.
make_msg() {
	local f=$1 from=$2 to=$3 subj=$4 id
	shift 4
	id="<$(date +%s%N).$RANDOM@${from#*@}>"
	{
		for h in "$@"; do printf '%s\r\n' "$h"; done
		printf 'From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: %s\r\n\r\n' \
			"$from" "$to" "$subj" "$(date -R)" "$id"
		printf 'End-to-end test message: %s.\r\nA second line.\r\n' "$subj"
	} >"$f"
}

# send_inbound OUT MAILFROM RCPT DATAFILE [swaks options] - as a client on the internet
# (XCLIENT ADDR=192.0.2.66) to the SMTP port; the transcript goes to OUT.
send_inbound() {
	local out=$1 from=$2 to=$3 data=$4
	shift 4
	pf_send --from "$from" --to "$to" --data "$data" --helo "$HELO" \
		--xclient-addr "$INBOUND_IP" "$@" >"$out"
}

# summary_for SENDER - authmilter's JSON summary line of the last message from SENDER
# (waits up to 10 s for it).
summary_for() {
	wait_for grep -q "\"mail_from\":\"$1\"" "$AM_LOG" || return 1
	grep "\"mail_from\":\"$1\"" "$AM_LOG" | tail -1
}

# ours FILE - our Authentication-Results fields in a delivered message.
ours() {
	"$PY" "$E2E/mailtool.py" headers "$1" | grep -i "^Authentication-Results: *$AUTHSERV;" || true
}

# first_field FILE - the first header field the MTA did not add at delivery
# (virtual(8) prepends Return-Path, X-Original-To and Delivered-To).
first_field() {
	"$PY" "$E2E/mailtool.py" headers "$1" | grep -v -i '^\(Return-Path\|X-Original-To\|Delivered-To\):' | head -n 1
}

code_of() { pf_reply_code "$1"; }

pf_log_has() { grep -q "$1" "$PF_LOG"; }

in_hold_queue() { pf_hold_queue | grep -q "\"queue_id\": *\"$1\""; }

# require FEATURE... - for a scenario: return 2 (skip) with SKIP_WHY set when a feature
# is missing, unless E2E_REQUIRE lists it (then the scenario fails).
require() {
	local f missing=() dns=0
	for f in "$@"; do
		[ "${HAVE[$f]:-0}" = 1 ] && continue
		if [[ " $E2E_REQUIRE " == *" $f "* ]]; then
			note "feature '$f' is required (E2E_REQUIRE) but not detected"
			return 1
		fi
		if [ "$f" = dns ]; then dns=1; else missing+=("$(feature_name "$f")"); fi
	done
	SKIP_WHY=
	if [ ${#missing[@]} -gt 0 ]; then
		SKIP_WHY=$(printf '%s, ' "${missing[@]}")
		SKIP_WHY="${SKIP_WHY%, } not in the milter yet"
	fi
	if [ $dns = 1 ]; then
		SKIP_WHY="${SKIP_WHY:+$SKIP_WHY; }test DNS server (tests/lib/dns-server.sh) not available"
	fi
	[ -z "$SKIP_WHY" ] || return 2
	return 0
}

feature_name() {
	case $1 in
	spf) echo "SPF" ;; dkim_verify) echo "DKIM verification" ;; dkim_sign) echo "DKIM signing" ;;
	dmarc) echo "DMARC" ;; *) echo "$1" ;;
	esac
}

# scenario ID TITLE FUNCTION - run one scenario and count it.
scenario() {
	local id=$1 title=$2 fn=$3 rc t
	if [ -n "$E2E_ONLY" ] && [[ " $E2E_ONLY " != *" $id "* ]]; then return; fi
	SKIP_WHY=
	t=$(date +%s)
	"$fn"
	rc=$?
	case $rc in
	0) n_pass=$((n_pass + 1)); echo "ok - scenario $id: $title ($(($(date +%s) - t)) s)" ;;
	2) n_skip=$((n_skip + 1)); echo "SKIP scenario $id: $SKIP_WHY" ;;
	*) n_fail=$((n_fail + 1)); echo "FAIL scenario $id: $title" ;;
	esac
}

# ---------------------------------------------------------------- feature probes

# detect_features - ask the running daemon what it does, with milter-bench (our MTA-side
# milter client) straight to its socket, outside Postfix:
#   an inbound DKIM-signed message from signed.test: the summary line has "spf" when SPF
#   is checked, a "dkim" result other than none when signatures are verified, "dmarc"
#   when DMARC is evaluated;
#   an authenticated message From: outbound.test: a DKIM-Signature is inserted when
#   signing works.
detect_features() {
	local line
	make_msg "$WORK/probe.raw" probe-in@signed.test bob@e2e.test "probe"
	"$PY" "$E2E/mailtool.py" dkimpy-sign "$WORK/probe.raw" "$WORK/probe-in.eml" \
		"$WORK/keys/signed-rsa.pem" e2e signed.test || fail "dkimpy could not sign the probe"
	"$MILTER_BENCH" -s "$MILTER" -m "$WORK/probe-in.eml" --ip "$INBOUND_IP" --helo "$HELO" \
		--from probe-in@signed.test --rcpt bob@e2e.test >"$WORK/probe-in.out" 2>&1 ||
		fail "milter-bench inbound probe: $(cat "$WORK/probe-in.out")"
	line=$(summary_for probe-in@signed.test) || fail "no summary line for the inbound probe"
	HAVE[spf]=0 HAVE[dkim_verify]=0 HAVE[dmarc]=0 HAVE[dkim_sign]=0
	[[ $line == *'"spf":'* ]] && HAVE[spf]=1
	[[ $line == *'"dkim":'* && $line != *'"dkim":"none"'* ]] && HAVE[dkim_verify]=1
	[[ $line == *'"dmarc":'* ]] && HAVE[dmarc]=1
	make_msg "$WORK/probe-out.eml" probe-out@outbound.test bob@e2e.test "probe"
	"$MILTER_BENCH" -s "$MILTER" -m "$WORK/probe-out.eml" --ip 127.0.0.1 --auth alice \
		--from probe-out@outbound.test --rcpt bob@e2e.test --dump >"$WORK/probe-out.out" 2>&1 ||
		fail "milter-bench outbound probe: $(cat "$WORK/probe-out.out")"
	grep -qi '^insheader [0-9]* DKIM-Signature' "$WORK/probe-out.out" && HAVE[dkim_sign]=1
	echo "# features: spf=${HAVE[spf]} dkim_verify=${HAVE[dkim_verify]} dkim_sign=${HAVE[dkim_sign]} dmarc=${HAVE[dmarc]} test-dns=${HAVE[dns]}${E2E_REQUIRE:+ (required: $E2E_REQUIRE)}"
}

# ---------------------------------------------------------------- scenarios

# a: inbound mail is delivered with our Authentication-Results at the top; a forged one
# claiming our authserv-id (in another letter case, after a comment) is removed, a
# foreign one stays.
s_inbound_ar() {
	local f
	make_msg "$WORK/a.eml" someone@stranger.test s1@e2e.test "inbound A-R" \
		"Authentication-Results: $AUTHSERV; spf=pass smtp.mailfrom=stranger.test" \
		"Authentication-Results: other.example; dkim=pass header.d=stranger.test" \
		"Authentication-Results: (forged) MX.E2E.TEST; dmarc=pass header.from=stranger.test"
	send_inbound "$WORK/a.out" someone@stranger.test s1@e2e.test "$WORK/a.eml" ||
		{ note "not accepted: $(tail -5 "$WORK/a.out")"; return 1; }
	pf_wait_mail s1@e2e.test 1 || { note "not delivered"; return 1; }
	f=$(pf_mail_files s1@e2e.test | tail -1)
	[ "$(ours "$f" | wc -l)" = 1 ] || { note "expected exactly one A-R of ours:"; ours "$f"; return 1; }
	first_field "$f" | grep -q "^Authentication-Results: $AUTHSERV;" ||
		{ note "our A-R is not the top field: $(first_field "$f")"; return 1; }
	grep -qi 'forged\|dmarc=pass header.from=stranger\|spf=pass smtp.mailfrom=stranger' "$f" &&
		{ note "a forged A-R survived"; return 1; }
	grep -q '^Authentication-Results: other.example; dkim=pass' "$f" ||
		{ note "the foreign A-R is gone"; return 1; }
	summary_for someone@stranger.test | grep -q '"direction":"inbound".*"forged_ar_removed":"2".*"action":"accept"' ||
		{ note "summary: $(summary_for someone@stranger.test)"; return 1; }
}

# b: outbound via SMTP AUTH on the submission port, and via a client in internal_hosts:
# recognised as outbound, delivered without an A-R of ours; the submission port refuses
# unauthenticated mail.
s_outbound() {
	local f
	make_msg "$WORK/b1.eml" alice@e2e.test outauth@e2e.test "outbound auth"
	pf_send --port "$PF_SUBMISSION_PORT" --from alice@e2e.test --to outauth@e2e.test \
		--data "$WORK/b1.eml" --helo "$HELO" --auth PLAIN --auth-user "alice@$PF_DOMAIN" \
		--auth-password e2e-secret >"$WORK/b1.out" ||
		{ note "submission with AUTH refused: $(tail -5 "$WORK/b1.out")"; return 1; }
	pf_wait_mail outauth@e2e.test 1 || { note "authenticated mail not delivered"; return 1; }
	f=$(pf_mail_files outauth@e2e.test | tail -1)
	[ -z "$(ours "$f")" ] || { note "outbound mail got our A-R: $(ours "$f")"; return 1; }
	summary_for alice@e2e.test | grep -q '"direction":"authenticated"' ||
		{ note "summary: $(summary_for alice@e2e.test)"; return 1; }

	make_msg "$WORK/b2.eml" intern@e2e.test outint@e2e.test "outbound internal"
	pf_send --from intern@e2e.test --to outint@e2e.test --data "$WORK/b2.eml" --helo "$HELO" \
		>"$WORK/b2.out" || { note "internal client refused: $(tail -5 "$WORK/b2.out")"; return 1; }
	pf_wait_mail outint@e2e.test 1 || { note "internal mail not delivered"; return 1; }
	f=$(pf_mail_files outint@e2e.test | tail -1)
	[ -z "$(ours "$f")" ] || { note "internal mail got our A-R: $(ours "$f")"; return 1; }
	summary_for intern@e2e.test | grep -q '"client":"127.0.0.1".*"direction":"internal_host"' ||
		{ note "summary: $(summary_for intern@e2e.test)"; return 1; }

	pf_send --port "$PF_SUBMISSION_PORT" --from nobody@stranger.test --to outauth@e2e.test \
		--data "$WORK/b1.eml" --helo "$HELO" >"$WORK/b3.out" &&
		{ note "the submission port accepted mail without AUTH"; return 1; }
	[[ $(code_of "$WORK/b3.out") == 5* ]] || { note "unauthenticated submission: $(tail -3 "$WORK/b3.out")"; return 1; }
	[ "$(pf_mail_count outauth@e2e.test)" = 1 ] || { note "unauthenticated mail delivered"; return 1; }
}

# r: the test data and the referees, independent of authmilter's features: a message
# signed by dkimpy with each test key (signed-rsa; outbound-rsa and outbound-ed25519 on
# top of each other) travels through Postfix (inbound path) and the delivered copy
# verifies with dkimpy and Mail::DKIM against the test DNS; one altered body byte makes
# both referees fail. Scenarios 2 and 3 rely on all of this.
s_referees() {
	require dns; local r=$?; [ $r = 0 ] || return $r
	local f
	make_msg "$WORK/r.raw" news@signed.test s9@e2e.test "referee check"
	"$PY" "$E2E/mailtool.py" dkimpy-sign "$WORK/r.raw" "$WORK/r.eml" "$WORK/keys/signed-rsa.pem" e2e signed.test \
		"$WORK/keys/outbound-rsa.pem" e2e-rsa outbound.test "$WORK/keys/outbound-ed25519.pem" e2e-ed outbound.test ||
		{ note "dkimpy could not sign"; return 1; }
	send_inbound "$WORK/r.out" news@signed.test s9@e2e.test "$WORK/r.eml" ||
		{ note "not accepted: $(tail -4 "$WORK/r.out")"; return 1; }
	pf_wait_mail s9@e2e.test 1 || { note "not delivered"; return 1; }
	f=$(pf_mail_files s9@e2e.test | tail -1)
	referees 3 "$f" "$WORK/r"
}

# referees N FILE PREFIX - FILE carries N signatures that dkimpy and Mail::DKIM both
# verify against the test DNS, and a copy with one body byte altered fails with both
# (a referee that cannot fail proves nothing). Transcripts in PREFIX.*.
referees() {
	local n=$1 f=$2 pre=$3 ref out
	sed 's/^End-to-end test message/End-to-end test Message/' "$f" >"$pre.tampered"
	cmp -s "$f" "$pre.tampered" && { note "the tampering changed nothing"; return 1; }
	for ref in dkimpy maildkim; do
		out=$pre.$ref
		if [ $ref = dkimpy ]; then
			"$PY" "$E2E/referee_dkimpy.py" "$DNS_ADDR" "$n" "$f" "$pre.tampered" >"$out" 2>&1
		else
			perl "$E2E/referee_maildkim.pl" "$DNS_ADDR" "$n" "$f" "$pre.tampered" >"$out" 2>&1
		fi
		grep -qx "PASS $f" "$out" || { note "$ref: $(grep -v "$pre.tampered" "$out")"; return 1; }
		grep -q "^FAIL $pre.tampered: " "$out" || { note "$ref accepted a tampered copy: $(cat "$out")"; return 1; }
	done
	return 0
}

# z: the zone data as authmilter's own command-line tools judge it (the checks the milter
# runs, outside the milter): SPF of each test sender from its test client address, and
# DKIM verification of scenario r's delivered message. A tool not built yet is skipped.
s_zone_cli() {
	require dns; local r=$?; [ $r = 0 ] || return $r
	local am=("$AUTHMILTER" --dns-server "$DNS_ADDR") ran=0 out f
	if ! "${am[@]}" spf --ip 192.0.2.1 --sender a@signed.test 2>&1 | grep -q 'unknown command'; then
		ran=1
		for c in "$INBOUND_IP signed.test pass" "$INBOUND_IP reject.test fail" \
			"$INBOUND_IP quarantine.test fail" "127.0.0.1 outbound.test pass" "$INBOUND_IP stranger.test none"; do
			set -- $c
			out=$("${am[@]}" spf --ip "$1" --sender "x@$2" --helo "$HELO" 2>&1)
			[[ $out == "$3"* ]] || { note "authmilter spf --ip $1 --sender x@$2: $out (want $3)"; return 1; }
		done
	fi
	f=$(pf_mail_files s9@e2e.test | tail -1)
	if [ -n "$f" ] && ! "${am[@]}" dkim verify </dev/null 2>&1 | grep -q 'unknown command'; then
		ran=1
		out=$("${am[@]}" dkim verify <"$f" 2>&1)
		for want in 'pass d=signed.test s=e2e ' 'pass d=outbound.test s=e2e-rsa ' 'pass d=outbound.test s=e2e-ed '; do
			grep -q "^$want" <<<"$out" || { note "authmilter dkim verify lacks '$want': $out"; return 1; }
		done
	fi
	[ $ran = 1 ] || { SKIP_WHY="neither 'authmilter spf' nor 'authmilter dkim verify' is built yet"; return 2; }
	return 0
}

# 1: p=reject, SPF failing, unsigned: 550 5.7.1 at end of DATA, nothing delivered.
s1_reject() {
	require dmarc dns; local r=$?; [ $r = 0 ] || return $r
	make_msg "$WORK/1.eml" ceo@reject.test s2@e2e.test "spoofed reject.test"
	send_inbound "$WORK/1.out" ceo@reject.test s2@e2e.test "$WORK/1.eml" &&
		{ note "accepted: $(tail -4 "$WORK/1.out")"; return 1; }
	grep -q '^<\*\* *550[ -]5\.7\.1' "$WORK/1.out" || { note "no 550 5.7.1: $(tail -4 "$WORK/1.out")"; return 1; }
	grep -q '^ -> \.$' "$WORK/1.out" || { note "not refused at end of DATA"; return 1; }
	wait_for pf_log_has "milter-reject: END-OF-MESSAGE from unknown\[$INBOUND_IP\]: \(550 \)\{0,1\}5\.7\.1" ||
		{ note "Postfix did not log the milter reject"; return 1; }
	sleep 1
	[ "$(pf_mail_count s2@e2e.test)" = 0 ] || { note "delivered anyway"; return 1; }
	local line; line=$(summary_for ceo@reject.test)
	[[ $line == *'"dmarc":"fail"'*'"action":"reject"'* ]] || { note "summary: $line"; return 1; }
	if [ "${HAVE[spf]}" = 1 ] && [[ $line != *'"spf":"fail"'* ]]; then note "SPF did not fail: $line"; return 1; fi
	return 0
}

# 2: dkimpy-signed mail from signed.test: delivered with spf=pass, dkim=pass, dmarc=pass
# in our A-R; a forged A-R with our authserv-id (added after signing, as a relay could)
# is gone. The referees first confirm the signature and the DNS data are good.
s2_signed() {
	require spf dkim_verify dmarc dns; local r=$?; [ $r = 0 ] || return $r
	local f ar
	make_msg "$WORK/2.raw" news@signed.test s3@e2e.test "signed by dkimpy"
	"$PY" "$E2E/mailtool.py" dkimpy-sign "$WORK/2.raw" "$WORK/2.signed" "$WORK/keys/signed-rsa.pem" e2e signed.test ||
		{ note "dkimpy could not sign"; return 1; }
	"$PY" "$E2E/referee_dkimpy.py" "$DNS_ADDR" 1 "$WORK/2.signed" >"$WORK/2.ref" ||
		{ note "referee rejects the test message: $(cat "$WORK/2.ref")"; return 1; }
	{ printf 'Authentication-Results: %s; dkim=fail header.d=signed.test (forged)\r\n' "$AUTHSERV"; cat "$WORK/2.signed"; } >"$WORK/2.eml"
	send_inbound "$WORK/2.out" news@signed.test s3@e2e.test "$WORK/2.eml" ||
		{ note "not accepted: $(tail -4 "$WORK/2.out")"; return 1; }
	pf_wait_mail s3@e2e.test 1 || { note "not delivered"; return 1; }
	f=$(pf_mail_files s3@e2e.test | tail -1)
	[ "$(ours "$f" | wc -l)" = 1 ] || { note "expected one A-R of ours:"; ours "$f"; return 1; }
	grep -q '(forged)' "$f" && { note "the forged A-R survived"; return 1; }
	ar=$(ours "$f")
	# each method's result with its own properties (up to the next ';')
	for want in 'spf=pass[^;]*smtp\.mailfrom=[^;]*signed\.test' 'dkim=pass[^;]*header\.d=signed\.test' \
		'dmarc=pass[^;]*header\.from=signed\.test'; do
		[[ $ar =~ $want ]] || { note "our A-R lacks $want: $ar"; return 1; }
	done
}

# 3: outbound mail (SMTP AUTH on the submission port) is delivered with our DKIM
# signatures (RSA and Ed25519), which dkimpy and Mail::DKIM verify against the test DNS.
s3_signing() {
	require dkim_sign dns; local r=$?; [ $r = 0 ] || return $r
	local f
	make_msg "$WORK/3.eml" ceo@outbound.test s4@e2e.test "signed by authmilter"
	pf_send --port "$PF_SUBMISSION_PORT" --from ceo@outbound.test --to s4@e2e.test \
		--data "$WORK/3.eml" --helo "$HELO" --auth PLAIN --auth-user "alice@$PF_DOMAIN" \
		--auth-password e2e-secret >"$WORK/3.out" || { note "refused: $(tail -4 "$WORK/3.out")"; return 1; }
	pf_wait_mail s4@e2e.test 1 || { note "not delivered"; return 1; }
	f=$(pf_mail_files s4@e2e.test | tail -1)
	"$PY" "$E2E/mailtool.py" headers "$f" | grep -i '^DKIM-Signature:' >"$WORK/3.sigs"
	for want in 'rsa-sha256 e2e-rsa' 'ed25519-sha256 e2e-ed'; do
		set -- $want
		grep -E "[; ]a=$1( *;|$)" "$WORK/3.sigs" | grep -E "[; ]d=outbound\.test( *;|$)" |
			grep -qE "[; ]s=$2( *;|$)" || { note "no $1 signature by $2: $(cat "$WORK/3.sigs")"; return 1; }
	done
	referees 2 "$f" "$WORK/3" || return 1
	summary_for ceo@outbound.test | grep -q '"dkim_signed":"2"' ||
		{ note "summary: $(summary_for ceo@outbound.test)"; return 1; }
}

# 4: p=quarantine failure: accepted, then held in Postfix's hold queue, not delivered.
s4_quarantine() {
	require dmarc dns; local r=$?; [ $r = 0 ] || return $r
	local qid
	make_msg "$WORK/4.eml" billing@quarantine.test s5@e2e.test "spoofed quarantine.test"
	send_inbound "$WORK/4.out" billing@quarantine.test s5@e2e.test "$WORK/4.eml" ||
		{ note "not accepted: $(tail -4 "$WORK/4.out")"; return 1; }
	qid=$(sed -n 's/.*queued as \([0-9A-Za-z]*\).*/\1/p' "$WORK/4.out" | tail -1)
	[ -n "$qid" ] || { note "no queue id in the reply"; return 1; }
	wait_for in_hold_queue "$qid" ||
		{ note "$qid is not in the hold queue: $(postqueue -c "$PF_CONF" -j)"; return 1; }
	pf_log_has "$qid: milter-hold: END-OF-MESSAGE" || { note "Postfix did not log the hold"; return 1; }
	sleep 1
	[ "$(pf_mail_count s5@e2e.test)" = 0 ] || { note "delivered anyway"; return 1; }
	summary_for billing@quarantine.test | grep -q '"dmarc":"fail".*"action":"quarantine"' ||
		{ note "summary: $(summary_for billing@quarantine.test)"; return 1; }
	postsuper -c "$PF_CONF" -d "$qid" hold >/dev/null 2>&1 || true
}

# 5: monitor mode (dmarc.enforce = false, by reload): the spoofed message of scenario 1 is
# delivered, with dmarc=fail in our A-R. Enforcement is restored afterwards.
s5_monitor() {
	require dmarc dns; local r=$?; [ $r = 0 ] || return $r
	local f rc=0
	write_conf false
	reload_authmilter || { note "reload to monitor mode not confirmed"; write_conf true; return 1; }
	make_msg "$WORK/5.eml" ceo@reject.test s6@e2e.test "spoofed reject.test, monitor mode"
	if ! send_inbound "$WORK/5.out" ceo@reject.test s6@e2e.test "$WORK/5.eml"; then
		note "refused in monitor mode: $(tail -4 "$WORK/5.out")"; rc=1
	elif ! pf_wait_mail s6@e2e.test 1; then
		note "not delivered"; rc=1
	else
		f=$(pf_mail_files s6@e2e.test | tail -1)
		[[ $(ours "$f") =~ dmarc=fail[^\;]*header\.from=reject\.test ]] || { note "A-R: $(ours "$f")"; rc=1; }
	fi
	write_conf true
	reload_authmilter || { note "reload back to enforcing not confirmed"; rc=1; }
	return $rc
}

# 6: authmilter stopped: Postfix answers 4xx (milter_default_action = tempfail), nothing
# is delivered or queued; after a restart the client's retry is accepted and delivered
# exactly once.
s6_milter_down() {
	local queued_before
	make_msg "$WORK/6.eml" someone@stranger.test s7@e2e.test "while authmilter is down"
	stop_authmilter || { note "authmilter did not stop"; return 1; }
	queued_before=$(pf_queue_count)
	send_inbound "$WORK/6a.out" someone@stranger.test s7@e2e.test "$WORK/6.eml" &&
		{ note "accepted without the milter: $(tail -4 "$WORK/6a.out")"; am_start; return 1; }
	local code; code=$(code_of "$WORK/6a.out")
	if [[ $code != 4* ]]; then
		note "expected a 4xx, got '$code': $(tail -4 "$WORK/6a.out")"; am_start; return 1
	fi
	note "authmilter down: Postfix answered $(grep '^<\*\*' "$WORK/6a.out" | head -1)"
	pf_log | grep -q "milter-reject: [A-Z]* from unknown\[$INBOUND_IP\]: 4[0-9][0-9] " ||
		{ note "Postfix did not log a milter tempfail for $INBOUND_IP"; am_start; return 1; }
	sleep 1
	[ "$(pf_mail_count s7@e2e.test)" = 0 ] || { note "delivered without the milter"; return 1; }
	[ "$(pf_queue_count)" = "$queued_before" ] || { note "queued without the milter"; return 1; }
	am_start
	send_inbound "$WORK/6b.out" someone@stranger.test s7@e2e.test "$WORK/6.eml" ||
		{ note "retry refused: $(tail -4 "$WORK/6b.out")"; return 1; }
	pf_wait_mail s7@e2e.test 1 || { note "retry not delivered"; return 1; }
	sleep 0.5
	[ "$(pf_mail_count s7@e2e.test)" = 1 ] || { note "$(pf_mail_count s7@e2e.test) copies delivered"; return 1; }
	[ -n "$(ours "$(pf_mail_files s7@e2e.test | tail -1)")" ] || { note "retry delivered without our A-R"; return 1; }
}

# 7: reloads (SIGUSR1, each a real change) while a bounded stream of inbound messages
# flows (E2E_STREAM messages, 4 parallel swaks loops): every message gets a final 250,
# none is tempfailed, all are delivered, and several reloads happened meanwhile.
s7_reload_stream() {
	local per=$((STREAM / 4)) total reloads=0 i bad confirmed0
	total=$((per * 4))
	confirmed0=$(grep -c 'configuration reloaded' "$AM_LOG")
	make_msg "$WORK/7.eml" stream@stranger.test s8@e2e.test "stream during reloads"
	mkdir -p "$WORK/7"
	for w in 1 2 3 4; do
		(
			for ((i = 1; i <= per; i++)); do
				if send_inbound "$WORK/7/$w.$i.out" stream@stranger.test s8@e2e.test "$WORK/7.eml"; then
					echo "$w.$i 0"
				else
					echo "$w.$i $(code_of "$WORK/7/$w.$i.out")"
				fi
			done >"$WORK/7/worker.$w"
		) &
		eval "W$w=\$!"
		track_pid "$!"
	done
	# reload every 0.3 s while the workers run (at most 200 times), alternating a setting
	# so each reload installs a different configuration
	for ((i = 0; i < 200; i++)); do
		kill -0 "$W1" 2>/dev/null || kill -0 "$W2" 2>/dev/null || kill -0 "$W3" 2>/dev/null ||
			kill -0 "$W4" 2>/dev/null || break
		sleep 0.3
		sed -i "s/tries = [0-9]*;/tries = $((2 + i % 2));/" "$AM_CONF"
		kill -USR1 "$AM_PID" && reloads=$((reloads + 1))
	done
	wait "$W1" "$W2" "$W3" "$W4"
	sed -i "s/tries = [0-9]*;/tries = 2;/" "$AM_CONF"
	reload_authmilter || { note "final reload not confirmed"; return 1; }
	cat "$WORK"/7/worker.* >"$WORK/7.results"
	[ "$(wc -l <"$WORK/7.results")" = "$total" ] || { note "only $(wc -l <"$WORK/7.results") of $total messages got an answer"; return 1; }
	bad=$(grep -vc ' 0$' "$WORK/7.results")
	if [ "$bad" != 0 ]; then
		note "$bad of $total messages were not accepted; answers: $(awk '{print $2}' "$WORK/7.results" | sort | uniq -c | tr '\n' ' ')"
		grep -v ' 0$' "$WORK/7.results" | head -1 | while read -r id _; do tail -4 "$WORK/7/$id.out"; done
		return 1
	fi
	pf_wait_mail s8@e2e.test "$total" 60 || { note "only $(pf_mail_count s8@e2e.test) of $total delivered"; return 1; }
	confirmed0=$(($(grep -c 'configuration reloaded' "$AM_LOG") - confirmed0 - 1))   # minus the final one
	[ "$confirmed0" -ge 3 ] || { note "only $confirmed0 reloads took effect during the stream"; return 1; }
	note "$total messages, $reloads reloads signalled, $confirmed0 confirmed during the stream, all accepted and delivered"
	kill -0 "$AM_PID" || { note "authmilter died"; return 1; }
}

# 8: the DNS server stops: a message whose DMARC policy cannot be fetched gets the
# configured temporary failure (dmarc.temperror_action = tempfail): a 4xx, never a pass
# or a reject; nothing is delivered. Runs last: the DNS server stays down.
s8_dns_down() {
	require dmarc dns; local r=$?; [ $r = 0 ] || return $r
	local code line
	dns_server_stop
	HAVE[dns]=0
	make_msg "$WORK/8.eml" ops@dnsdown.test bob@e2e.test "while DNS is down"
	send_inbound "$WORK/8.out" ops@dnsdown.test bob@e2e.test "$WORK/8.eml" &&
		{ note "accepted with DNS down: $(tail -4 "$WORK/8.out")"; return 1; }
	code=$(code_of "$WORK/8.out")
	[[ $code == 4* ]] || { note "expected a 4xx, got '$code': $(tail -4 "$WORK/8.out")"; return 1; }
	wait_for pf_log_has "milter-reject: END-OF-MESSAGE from unknown\[$INBOUND_IP\]: \(4[0-9][0-9] \)\{0,1\}4\." ||
		{ note "Postfix did not log a temporary milter reject"; return 1; }
	line=$(summary_for ops@dnsdown.test)
	[[ $line == *'"dmarc":"temperror"'*'"action":"tempfail"'* ]] || { note "summary: $line"; return 1; }
	sleep 1
	[ "$(pf_mail_count bob@e2e.test)" = 0 ] || { note "delivered with DNS down"; return 1; }
}

# ---------------------------------------------------------------- run

detect_features
scenario a "inbound: our A-R at the top, forged one removed, foreign one kept" s_inbound_ar
scenario b "outbound: SMTP AUTH on submission and internal_hosts, no A-R of ours" s_outbound
scenario r "test data: dkimpy-signed mail through Postfix verifies with both referees against the test DNS" s_referees
scenario z "test data: SPF and DKIM results of authmilter's CLI tools against the test DNS" s_zone_cli
scenario 1 "p=reject + SPF fail + unsigned: 550 5.7.1 at end of DATA, nothing delivered" s1_reject
scenario 2 "dkimpy-signed inbound: spf=pass dkim=pass dmarc=pass, forged A-R gone" s2_signed
scenario 3 "outbound signatures verified by dkimpy and Mail::DKIM" s3_signing
scenario 4 "p=quarantine: message in the hold queue" s4_quarantine
scenario 5 "monitor mode: spoofed message delivered with dmarc=fail" s5_monitor
scenario 6 "authmilter down: 4xx, nothing lost, retry delivered" s6_milter_down
scenario 7 "reloads during a stream of $STREAM messages: all accepted and delivered" s7_reload_stream
scenario 8 "DNS down: temporary failure, not a wrong pass or reject" s8_dns_down

stop_authmilter || note "authmilter needed SIGKILL"
if grep -q 'Sanitizer\|runtime error:' "$AM_LOG"; then
	grep -m5 -A5 'Sanitizer\|runtime error:' "$AM_LOG"
	n_fail=$((n_fail + 1)); echo "FAIL sanitizer report in authmilter's log"
fi
echo "e2e: $n_pass passed, $n_skip skipped, $n_fail failed ($(($(date +%s) - T0)) s)"
if [ "$n_fail" != 0 ]; then
	echo "--- authmilter log (tail)"; tail -20 "$AM_LOG"
	echo "--- Postfix log (tail)"; pf_log | tail -30
	exit 1
fi
exit 0
