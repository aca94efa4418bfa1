# postfix.sh - a private Postfix instance for end-to-end tests (sourced, after common.sh).
#
# Debian's postfix package, run as the test's own processes: its own config_directory,
# queue_directory and data_directory under $WORK/postfix (meta_directory stays
# /etc/postfix, read only), listening on free high loopback ports, logging to a file,
# never using DNS, delivering with virtual(8) into Maildirs the test reads. The system
# instance (/etc/postfix, port 25) is never touched. Must run as root (master(8) does).
#
#     . tests/lib/common.sh
#     . tests/lib/postfix.sh
#     pf_init inet:127.0.0.1:PORT         # milter spec as Postfix writes it; sets PF_* below
#     pf_add_mailbox bob@e2e.test         # virtual mailboxes (before pf_start)
#     pf_add_sasl_user alice secret       # SMTP AUTH user of the submission port
#     pf_start                            # stopped by pf_stop, registered with at_exit
#     pf_send --from a@x.test --to bob@e2e.test --data FILE --xclient-addr 192.0.2.66
#     pf_wait_mail bob@e2e.test 1         # wait for N messages in the Maildir
#
# Variables set by pf_init:
#   PF_DIR   the instance directory      PF_CONF  its config_directory
#   PF_PORT  the SMTP port (port 25's role; milter_macro_daemon_name left default)
#   PF_SUBMISSION_PORT  the submission port: SMTP AUTH (PLAIN/LOGIN, sasldb in PF_DIR)
#            required, milter_macro_daemon_name=ORIGINATING
#   PF_DOMAIN the virtual mailbox domain (default e2e.test; set PF_DOMAIN before pf_init)
#   PF_MAILDIRS the Maildir base        PF_LOG  maillog_file
# Functions: pf_init, pf_add_mailbox, pf_add_sasl_user, pf_postconf, pf_start, pf_stop,
#   pf_reload, pf_master_pid, pf_smtpd_pids, pf_send, pf_reply_code, pf_mail_files,
#   pf_mail_count, pf_wait_mail, pf_hold_queue, pf_queue_count, pf_wait_queue_empty,
#   pf_log. Each is described where it is defined.

PF_DOMAIN=${PF_DOMAIN:-e2e.test}
_PF_PY=python3
[ -x /usr/bin/python3 ] && _PF_PY=/usr/bin/python3    # skip a slow pyenv shim
PF_STARTED=0

# pf_init MILTER - write the instance's configuration; MILTER is the smtpd_milters value.
pf_init() {
	local milter=$1 d
	command -v postfix >/dev/null || { echo "pf_init: postfix is not installed" >&2; return 1; }
	[ "$(id -u)" = 0 ] || { echo "pf_init: Postfix's master(8) needs root" >&2; return 1; }
	PF_DIR=$WORK/postfix
	PF_CONF=$PF_DIR/etc
	PF_MAILDIRS=$PF_DIR/mail
	PF_LOG=$PF_DIR/maillog
	PF_PORT=$(free_port)
	PF_SUBMISSION_PORT=$(free_port)
	while [ "$PF_SUBMISSION_PORT" = "$PF_PORT" ]; do PF_SUBMISSION_PORT=$(free_port); done
	mkdir -p "$PF_CONF/sasl" "$PF_DIR/spool" "$PF_DIR/data" "$PF_MAILDIRS"
	chmod 0755 "$PF_DIR" "$PF_CONF"
	chown -R root:root "$PF_CONF"
	chown postfix "$PF_DIR/data"
	chown nobody:nogroup "$PF_MAILDIRS"
	: >"$PF_CONF/vmailbox"
	: >"$PF_LOG"
	d=$PF_DIR
	cat >"$PF_CONF/main.cf" <<EOF
# private test instance (tests/lib/postfix.sh); nothing here is shared with /etc/postfix
compatibility_level = 3.6
config_directory = $PF_CONF
queue_directory = $d/spool
data_directory = $d/data
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = $PF_LOG
maillog_file_prefixes = $d
syslog_name = postfix-e2e
myhostname = mx.$PF_DOMAIN
mydomain = $PF_DOMAIN
myorigin = \$myhostname
mydestination =
mynetworks = 127.0.0.0/8
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
alias_maps =
alias_database =
local_recipient_maps =
biff = no
smtputf8_enable = no
notify_classes =
delay_warning_time = 0
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
default_transport = discard
relay_transport = discard
local_transport = discard
smtpd_tls_security_level = none
smtp_tls_security_level = none
in_flow_delay = 0
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 100
smtpd_hard_error_limit = 200
smtpd_client_connection_count_limit = 0
smtpd_authorized_xclient_hosts = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
virtual_mailbox_domains = $PF_DOMAIN
virtual_mailbox_maps = texthash:$PF_CONF/vmailbox
virtual_mailbox_base = $PF_MAILDIRS
virtual_uid_maps = static:$(id -u nobody)
virtual_gid_maps = static:$(id -g nobody)
virtual_minimum_uid = 1
# the milter: every SMTP message, and local submission too
smtpd_milters = $milter
non_smtpd_milters = \$smtpd_milters
milter_protocol = 6
milter_default_action = tempfail
milter_connect_timeout = 5s
milter_command_timeout = 30s
milter_content_timeout = 60s
# SASL for the submission service (settings in $PF_CONF/sasl/smtpd.conf)
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
smtpd_sasl_auth_enable = no
smtpd_sasl_security_options = noanonymous
broken_sasl_auth_clients = no
EOF
	cat >"$PF_CONF/master.cf" <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$PF_PORT inet n - n - - smtpd
127.0.0.1:$PF_SUBMISSION_PORT inet n - n - - smtpd
  -o syslog_name=postfix-e2e/submission
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
  -o milter_macro_daemon_name=ORIGINATING
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
	# Debian's smtpd reads Cyrus SASL settings from here (cyrus_sasl_config_path is
	# ignored); without the file it falls back to /etc/sasldb2.
	cat >"$PF_CONF/sasl/smtpd.conf" <<EOF
pwcheck_method: auxprop
auxprop_plugin: sasldb
mech_list: PLAIN LOGIN
sasldb_path: $PF_DIR/sasldb2
EOF
	chown -R root:root "$PF_CONF"
}

# pf_add_mailbox ADDR - a virtual mailbox ADDR (in PF_DOMAIN), Maildir PF_MAILDIRS/ADDR/.
pf_add_mailbox() {
	printf '%s\t%s/\n' "$1" "$1" >>"$PF_CONF/vmailbox"
}

# pf_add_sasl_user USER PASSWORD - an SMTP AUTH user (authenticate as USER@PF_DOMAIN).
pf_add_sasl_user() {
	printf '%s' "$2" | saslpasswd2 -p -c -f "$PF_DIR/sasldb2" -u "$PF_DOMAIN" "$1" || return 1
	chown root:postfix "$PF_DIR/sasldb2"
	chmod 0640 "$PF_DIR/sasldb2"
}

# pf_postconf NAME=VALUE... - change main.cf (takes effect at pf_start or pf_reload).
pf_postconf() {
	postconf -c "$PF_CONF" -e "$@"
}

# pf_start - start master(8) ("postfix start" checks the configuration and creates the
# queue tree first); waits until both SMTP ports answer. Registers pf_stop at exit.
pf_start() {
	at_exit pf_stop
	PF_STARTED=1
	if ! postfix -c "$PF_CONF" start >"$PF_DIR/start.out" 2>&1; then
		cat "$PF_DIR/start.out" "$PF_LOG" >&2
		echo "pf_start: postfix start failed" >&2
		return 1
	fi
	local p
	for p in "$PF_PORT" "$PF_SUBMISSION_PORT"; do
		if ! wait_for _pf_banner "$p"; then
			cat "$PF_LOG" >&2
			echo "pf_start: no SMTP banner on port $p" >&2
			return 1
		fi
	done
}

# _pf_banner PORT - true when a 220 greeting arrives on 127.0.0.1:PORT.
_pf_banner() {
	"$_PF_PY" - "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
ok = s.recv(512).startswith(b"220")
s.sendall(b"QUIT\r\n")
s.close()
sys.exit(0 if ok else 1)
PY
}

# pf_master_pid - the master process id from the queue directory's pid file (or "").
pf_master_pid() {
	local f=$PF_DIR/spool/pid/master.pid
	[ -r "$f" ] && tr -d ' \n' <"$f"
}

# pf_stop - postfix stop, wait for master to exit, then kill whatever of this instance
# is left (processes whose command line names this config directory or whose parent
# was this master). Safe to call twice.
pf_stop() {
	[ "${PF_STARTED:-0}" = 1 ] || return 0
	PF_STARTED=0
	local master kids
	master=$(pf_master_pid)
	kids=
	[ -n "$master" ] && kids=$(pgrep -P "$master" 2>/dev/null | tr '\n' ' ')
	postfix -c "$PF_CONF" stop >/dev/null 2>&1 || true
	if [ -n "$master" ]; then
		for _ in $(seq 1 100); do kill -0 "$master" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$master" 2>/dev/null || true
	fi
	for p in $kids; do kill -KILL "$p" 2>/dev/null || true; done
	return 0
}

# pf_reload - postfix reload, then wait until the smtpd processes started before it are
# gone (they keep the old settings while idle).
pf_reload() {
	local old
	old=$(pf_smtpd_pids)
	postfix -c "$PF_CONF" reload >/dev/null 2>&1 || return 1
	for p in $old; do
		for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	done
}

# pf_smtpd_pids - smtpd processes of this instance (children of its master).
pf_smtpd_pids() {
	local master
	master=$(pf_master_pid)
	[ -n "$master" ] || return 0
	for p in $(pgrep -P "$master" 2>/dev/null); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = smtpd ] && echo "$p"
	done
	return 0
}

# pf_send [swaks options] - one SMTP transaction with swaks to the SMTP port (add
# --port "$PF_SUBMISSION_PORT" for submission); prints the transcript, returns swaks'
# exit status (0: accepted; 23/24/25/26: refused at MAIL/RCPT/DATA/end of data).
pf_send() {
	timeout 60 swaks --server 127.0.0.1 --port "$PF_PORT" --timeout 30 "$@" 2>&1
}

# pf_reply_code TRANSCRIPT_FILE - the server's answer to the end of DATA ("250", "550",
# "451", ...) or to the first refused command: the last three-digit code swaks saw.
pf_reply_code() {
	sed -n 's/^<[-*]\{1,2\} *\([2-5][0-9][0-9]\)[ -].*/\1/p' "$1" | grep -v '^221$' | tail -1
}

# pf_mail_files ADDR - delivered files of ADDR's Maildir (new/ and cur/), oldest first.
pf_mail_files() {
	local m=$PF_MAILDIRS/$1
	[ -d "$m" ] || return 0
	ls -1tr "$m"/new/* "$m"/cur/* 2>/dev/null || true
}

# pf_mail_count ADDR - how many messages ADDR's Maildir holds.
pf_mail_count() {
	pf_mail_files "$1" | wc -l
}

# pf_wait_mail ADDR N [SECONDS] - wait until ADDR's Maildir holds at least N messages
# (default 20 s); returns 1 on timeout.
pf_wait_mail() {
	local addr=$1 n=$2 secs=${3:-20} i
	for ((i = 0; i < secs * 10; i++)); do
		[ "$(pf_mail_count "$addr")" -ge "$n" ] && return 0
		sleep 0.1
	done
	return 1
}

# pf_hold_queue - the hold queue, one JSON object a line (postqueue -j).
pf_hold_queue() {
	postqueue -c "$PF_CONF" -j 2>/dev/null | grep '"queue_name": *"hold"' || true
}

# pf_queue_count - messages in any queue (incoming, active, deferred, hold).
pf_queue_count() {
	postqueue -c "$PF_CONF" -j 2>/dev/null | grep -c queue_name || true
}

# pf_wait_queue_empty [SECONDS] - wait until only the hold queue holds mail.
pf_wait_queue_empty() {
	local secs=${1:-20} i
	for ((i = 0; i < secs * 10; i++)); do
		[ "$(postqueue -c "$PF_CONF" -j 2>/dev/null | grep -vc '"queue_name": *"hold"' || true)" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}

# pf_log - Postfix's log so far.
pf_log() {
	cat "$PF_LOG"
}
