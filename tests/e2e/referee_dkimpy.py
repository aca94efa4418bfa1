#!/usr/bin/python3
# referee_dkimpy - an independent judge of DKIM signatures: Debian's python3-dkim
# (dkimpy) verifies every DKIM-Signature of each message, fetching keys from the test DNS
# server (dnspython, 127.0.0.1:PORT) like any receiver would.
# usage: referee_dkimpy.py HOST:PORT EXPECTED_SIGNATURES MESSAGE...
# Prints "PASS file" or "FAIL file: reason" per message; exit 0 when every message carries
# EXPECTED_SIGNATURES signatures and all of them verify.
import re
import sys

import dkim
import dns.message
import dns.query
import dns.rdatatype

server, expected, paths = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
host, port = server.rsplit(":", 1)


def dnsfunc(name, timeout=5):
    if isinstance(name, bytes):
        name = name.decode()
    q = dns.message.make_query(name, dns.rdatatype.TXT)
    r = dns.query.udp(q, host, port=int(port), timeout=timeout)
    if r.flags & dns.flags.TC:
        r = dns.query.tcp(q, host, port=int(port), timeout=timeout)
    for rrset in r.answer:
        if rrset.rdtype == dns.rdatatype.TXT:
            for rd in rrset:
                return b"".join(rd.strings)
    return None


def check(path):
    with open(path, "rb") as f:
        msg = re.sub(rb"\r?\n", b"\r\n", f.read())
    head = msg.split(b"\r\n\r\n", 1)[0]
    n = len(re.findall(rb"(?im)^dkim-signature:", head))
    if n != expected:
        return "%d signatures, expected %d" % (n, expected)
    d = dkim.DKIM(msg)
    for i in range(n):
        try:
            ok = d.verify(idx=i, dnsfunc=dnsfunc)
        except Exception as e:  # a referee exception is a failure, never a pass
            return "signature %d: %r" % (i, e)
        if not ok:
            return "signature %d does not verify" % i
    return None


bad = 0
for p in paths:
    why = check(p)
    print("PASS %s" % p if why is None else "FAIL %s: %s" % (p, why))
    bad += why is not None
sys.exit(1 if bad or not paths else 0)
