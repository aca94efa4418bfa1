# dns-server.sh - run a real DNS server (Debian's Unbound, answering from local data) on a
# free loopback port for tests. Sourceable bash library; also runnable (see "serve" below).
#
# Use from a test script:
#     . "$(dirname "$0")/../lib/dns-server.sh"
#     trap dns_server_stop EXIT              # or call it from your own EXIT trap
#     dns_server_start tests/zones/dns.zone [more.zone ...]
#     "$AUTHMILTER" --dns-server "$DNS_SERVER" dns example.test TXT
#     dig +short @127.0.0.1 -p "$DNS_PORT" example.test TXT
#
# dns_server_start ZONEFILE...   converts the zone files and starts Unbound; on success
#     exports DNS_PORT, DNS_SERVER=127.0.0.1:PORT, DNS_SERVER_PID, DNS_SERVER_DIR; returns 1
#     (with Unbound's log on stderr) if it does not answer within ~10 s. One server per
#     shell: starting again stops the previous one first.
# dns_server_stop                stops it and removes its directory; safe to call twice or
#     when nothing was started (trap-friendly). Both work under set -euo pipefail.
#
# Zone files use the format dns_zone_load_file() reads, one record a line:
#     name TYPE value          # comment
# TYPE is A, AAAA, MX ("10 mx.example.test"), PTR, CNAME, NS or TXT. A TXT value is either a
# sequence of "quoted strings" (kept as separate character-strings; \" \\ \DDD escapes) or
# the raw rest of the line (one string). Strings longer than 255 bytes are split into
# 255-byte character-strings, as a zone file would have to. Every record gets TTL 300
# (override with DNS_SERVER_TTL). Failure lines map as follows (the TYPE is ignored: Unbound
# cannot fail per type):
#     name SERVFAIL   -> local-zone refuse  (the server answers REFUSED)
#     name TIMEOUT    -> local-zone deny    (the server drops the query: no answer at all)
#     name MALFORMED  -> ignored, with a warning (Unbound cannot send a malformed reply)
# Zones: the parent of every owner name (the name itself for a single label) becomes the
# apex of an Unbound auth-zone (a real zone file, answered authoritatively) with an SOA
# (TTL 3600, MINIMUM 60 -> negative TTL 60 per RFC 2308); each record goes into the
# closest enclosing apex. So the server behaves like an authoritative server: CNAME
# chains inside a zone come back in one reply, wildcards ("*.example.test") work, names
# not in the files get NXDOMAIN, names that exist without the asked type get NODATA.
# Unbound's built-in zones (test., AS112 reverse zones) are overridden for those apexes,
# "." is a static local zone, and nothing is ever sent off the machine.
#
# Runnable form, for programs that are not shell scripts (the C tests use it):
#     bash tests/lib/dns-server.sh serve ZONEFILE...
# prints "DNS_PORT=NNNN" on stdout once the server answers, then runs until it receives
# SIGTERM/SIGINT or its stdin reaches end of file, and stops the server on the way out.

DNS_SERVER_PID=
DNS_SERVER_DIR=

# _dns_server_conf OUTDIR ZONEFILE... - Unbound configuration lines (inside "server:") on
# stdout; the zone files it refers to are written into OUTDIR.
_dns_server_conf() {
	python3 - "$@" <<'PYEOF'
import os, re, sys

ttl = int(os.environ.get("DNS_SERVER_TTL", "300"))
outdir = sys.argv.pop(1)
zones, data, special = set(["."]), [], []

def norm(name):
    name = name.strip().lower()
    if name != "." and name.endswith("."):
        name = name[:-1]
    return name

def parent(name):
    return name.split(".", 1)[1] if "." in name else name

def txt_strings(rest):
    rest = rest.strip()
    if not rest.startswith('"'):
        return [rest.encode("latin-1")]
    out, i = [], 0
    while i < len(rest):
        while i < len(rest) and rest[i] in " \t":
            i += 1
        if i >= len(rest):
            break
        if rest[i] != '"':
            raise ValueError("text outside quotes")
        i += 1
        cur = bytearray()
        while i < len(rest) and rest[i] != '"':
            c = rest[i]
            if c == "\\":
                if rest[i + 1:i + 4].isdigit() and len(rest[i + 1:i + 4]) == 3:
                    cur.append(int(rest[i + 1:i + 4]))
                    i += 4
                    continue
                i += 1
                if i >= len(rest):
                    raise ValueError("dangling backslash")
                c = rest[i]
            cur += c.encode("latin-1")
            i += 1
        if i >= len(rest):
            raise ValueError("unterminated string")
        i += 1
        out.append(bytes(cur))
    return out

def present(b):
    s = '"'
    for ch in b:
        if ch in (0x22, 0x5C):
            s += "\\" + chr(ch)
        elif 0x20 <= ch < 0x7F and ch != 0x27:
            s += chr(ch)
        else:
            s += "\\%03d" % ch
    return s + '"'

for path in sys.argv[1:]:
    with open(path, encoding="latin-1") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            parts = stripped.split(None, 2)
            if len(parts) < 2:
                sys.exit("%s:%d: need 'name TYPE value'" % (path, lineno))
            name, rtype = norm(parts[0]), parts[1].upper()
            rest = parts[2] if len(parts) > 2 else ""
            if rtype in ("SERVFAIL", "TIMEOUT", "MALFORMED"):
                if rtype == "MALFORMED":
                    print("dns-server.sh: %s:%d: MALFORMED ignored" % (path, lineno), file=sys.stderr)
                    continue
                special.append((name, "refuse" if rtype == "SERVFAIL" else "deny"))
                continue
            zones.add(parent(name))
            if rtype == "TXT":
                try:
                    strings = txt_strings(rest)
                except ValueError as e:
                    sys.exit("%s:%d: bad TXT value: %s" % (path, lineno, e))
                chunks = []
                for s in strings:
                    if len(s) == 0:
                        chunks.append(s)
                    for k in range(0, len(s), 255):
                        chunks.append(s[k:k + 255])
                value = " ".join(present(c) for c in chunks)
            elif rtype in ("A", "AAAA", "MX", "PTR", "CNAME", "NS"):
                value = rest.strip()
                if rtype in ("MX", "PTR", "CNAME", "NS") and not value.endswith("."):
                    value += "."
                if "'" in value or '"' in value:
                    sys.exit("%s:%d: quotes in a %s value" % (path, lineno, rtype))
            else:
                sys.exit("%s:%d: unsupported type %s" % (path, lineno, rtype))
            owner = "." if name == "." else name + "."
            data.append((name, "%s %d IN %s %s" % (owner, ttl, rtype, value)))

# Each record goes to the closest enclosing zone apex (the owner itself if it is one).
def apex_of(name):
    n = name
    while True:
        if n in zones:
            return n
        if n == ".":
            return "."
        n = parent(n) if "." in n else "."
files = {}
for owner, rec in data:
    files.setdefault(apex_of(owner), []).append(rec)
print('local-zone: "." static')
for z in sorted(zones - {"."}, key=lambda z: z.count(".")):
    zn = z + "."
    fn = os.path.join(outdir, "zone-" + re.sub(r"[^a-z0-9.-]", "_", z) + ".db")
    with open(fn, "w") as zf:
        zf.write("$ORIGIN %s\n" % zn)
        zf.write("%s 3600 IN SOA ns.invalid. hostmaster.invalid. 1 3600 600 86400 60\n" % zn)
        zf.write("%s 3600 IN NS ns.invalid.\n" % zn)
        for rec in files.get(z, []):
            zf.write(rec + "\n")
    # A transparent local zone overrides Unbound's built-in ones (test., AS112 reverse
    # zones) so that the query reaches the auth-zone below.
    print('local-zone: "%s" transparent' % zn)
    print('auth-zone:\n\tname: "%s"\n\tzonefile: "%s"\n\tfor-downstream: yes\n\tfor-upstream: no\n\tfallback-enabled: no' % (zn, fn))
    print("server:")
for name, kind in special:
    print('local-zone: "%s." %s' % (name, kind))
PYEOF
}

# _dns_server_free_port - a loopback UDP+TCP port nobody uses right now.
_dns_server_free_port() {
	python3 - <<'PYEOF'
import random, socket
for _ in range(200):
    p = random.randint(20000, 60000)
    try:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", p))
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM); t.bind(("127.0.0.1", p))
        u.close(); t.close(); print(p); break
    except OSError:
        pass
PYEOF
}

dns_server_start() {
	local dir port conf tries
	[ $# -ge 1 ] || { echo "dns_server_start: zone file(s) needed" >&2; return 2; }
	dns_server_stop
	dir=$(mktemp -d "${TMPDIR:-/tmp}/dns-server.XXXXXX") || return 1
	DNS_SERVER_DIR=$dir
	conf=$dir/unbound.conf
	for attempt in 1 2 3; do
		port=$(_dns_server_free_port)
		[ -n "$port" ] || { echo "dns_server_start: no free port" >&2; return 1; }
		(
			cat <<EOF
server:
	interface: 127.0.0.1@$port
	do-ip6: no
	do-daemonize: no
	chroot: ""
	username: ""
	directory: "$dir"
	pidfile: "$dir/unbound.pid"
	logfile: "$dir/unbound.log"
	use-syslog: no
	verbosity: 1
	num-threads: 1
	so-rcvbuf: 4m
	so-reuseport: no
	incoming-num-tcp: 64
	access-control: 127.0.0.0/8 allow
	module-config: "iterator"
	auto-trust-anchor-file: ""
	minimal-responses: yes
EOF
			_dns_server_conf "$dir" "$@" || exit 1
			printf 'remote-control:\n\tcontrol-enable: no\n'
		) >"$conf" || { echo "dns_server_start: cannot convert $*" >&2; dns_server_stop; return 1; }
		unbound -c "$conf" -d >"$dir/stderr" 2>&1 &
		DNS_SERVER_PID=$!
		tries=0
		while [ $tries -lt 100 ]; do
			if ! kill -0 "$DNS_SERVER_PID" 2>/dev/null; then
				break
			fi
			if dig +time=1 +tries=1 +short @127.0.0.1 -p "$port" ns.invalid SOA >/dev/null 2>&1; then
				DNS_PORT=$port
				DNS_SERVER=127.0.0.1:$port
				export DNS_PORT DNS_SERVER DNS_SERVER_PID DNS_SERVER_DIR
				return 0
			fi
			sleep 0.1
			tries=$((tries + 1))
		done
		# It died (port taken between the check and the bind?) or never answered: retry.
		kill "$DNS_SERVER_PID" 2>/dev/null || true
		wait "$DNS_SERVER_PID" 2>/dev/null || true
		DNS_SERVER_PID=
	done
	echo "dns_server_start: unbound did not come up; its output:" >&2
	cat "$dir/stderr" "$dir/unbound.log" >&2 2>/dev/null || true
	dns_server_stop
	return 1
}

dns_server_stop() {
	if [ -n "${DNS_SERVER_PID:-}" ]; then
		kill "$DNS_SERVER_PID" 2>/dev/null || true
		for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
			kill -0 "$DNS_SERVER_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$DNS_SERVER_PID" 2>/dev/null || true
		wait "$DNS_SERVER_PID" 2>/dev/null || true
	fi
	DNS_SERVER_PID=
	if [ -n "${DNS_SERVER_DIR:-}" ] && [ -d "$DNS_SERVER_DIR" ]; then
		rm -rf "$DNS_SERVER_DIR"
	fi
	DNS_SERVER_DIR=
	return 0
}

# Runnable form: bash tests/lib/dns-server.sh serve ZONEFILE...
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	if [ "${1:-}" != serve ] || [ $# -lt 2 ]; then
		echo "usage: bash $0 serve ZONEFILE..." >&2
		exit 2
	fi
	shift
	trap 'dns_server_stop; exit 0' TERM INT HUP
	trap dns_server_stop EXIT
	dns_server_start "$@" || exit 1
	echo "DNS_PORT=$DNS_PORT"
	# Stay until stdin closes (the parent died) or a signal arrives.
	while read -r -t 1 _ || [ $? -gt 128 ]; do :; done
	exit 0
fi
