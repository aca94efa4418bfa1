#!/usr/bin/env bash
# gen-conf-docs - regenerate the option lists of conf/authmilter.conf and the OPTIONS
# section of docs/authmilter.conf.5 from the schema (src/conf_schema.c), through
# `authmilter config-test --annotate`. The hand-written parts of both files are kept.
# test_conf fails when either file misses an option, so run this after adding one.
set -eu
cd "$(dirname "$0")/.."
BIN=${AUTHMILTER:-build/authmilter}
empty=$(mktemp)
trap 'rm -f "$empty"' EXIT
annotated=$("$BIN" config-test --annotate -c "$empty" 2>/dev/null | sed 's/^authserv_id = ".*";/authserv_id = "";/')
# conf/authmilter.conf: the comment block at the top, then the annotated defaults
{ sed -n '1,/^$/p' conf/authmilter.conf; printf '%s\n' "$annotated"; } > conf/authmilter.conf.new
mv conf/authmilter.conf.new conf/authmilter.conf
# docs/authmilter.conf.5: replace what lies between ".SH OPTIONS" and ".SH EXAMPLE"
opts=$(printf '%s\n' "$annotated" | python3 -c '
import sys, re
sec = ""; doc = ""; out = []
esc = lambda s: s.replace("\\", "\\\\").replace("-", "\\-")
for line in sys.stdin:
    l = line.rstrip("\n")
    m = re.match(r"^(\w+): \{$", l)
    if m:
        sec = m.group(1); out.append(".SS %s" % sec); continue
    if l == "};":
        sec = ""; continue
    m = re.match(r"^\s*# (.*)$", l)
    if m:
        doc = m.group(1); continue
    m = re.match(r"^\s*(\w+) = (.*);$", l)
    if m:
        name = (sec + "." if sec else "") + m.group(1)
        out.append(".TP\n.B %s\n%s\nDefault: \\fB%s\\fR." % (esc(name), esc(doc[0].upper() + doc[1:]), esc(m.group(2))))
print("\n".join(out))')
python3 - "$opts" <<'PY'
import sys
p = "docs/authmilter.conf.5"
s = open(p).read()
a = s.index(".SH OPTIONS\n") + len(".SH OPTIONS\n")
b = s.index(".SH EXAMPLE")
open(p, "w").write(s[:a] + sys.argv[1] + "\n" + s[b:])
PY
