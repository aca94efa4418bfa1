#!/usr/bin/python3
# verify_dkimpy - referee: verify every DKIM-Signature of a message with Debian's
# python3-dkim (dkimpy). Keys come from a directory of files named
# "<selector>._domainkey.<domain>.txt" holding the TXT value; no network is used.
# Prints "PASS file" or "FAIL file" per message (a message passes when it carries
# EXPECTED_COUNT signatures and all verify); exit 0 when every message passed.
# usage: verify_dkimpy.py KEYDIR EXPECTED_COUNT MESSAGE...
import os
import sys

import dkim

keydir, expected, paths = sys.argv[1], int(sys.argv[2]), sys.argv[3:]


def dnsfunc(name, timeout=5):
    if isinstance(name, bytes):
        name = name.decode()
    f = os.path.join(keydir, name.rstrip('.') + '.txt')
    if not os.path.exists(f):
        return None
    with open(f, 'rb') as fh:
        return fh.read().strip()


def check(path):
    with open(path, 'rb') as fh:
        msg = fh.read()
    d = dkim.DKIM(msg)
    n = 0
    for line in msg.replace(b'\r\n', b'\n').split(b'\n\n', 1)[0].split(b'\n'):
        if line.lower().startswith(b'dkim-signature:'):
            n += 1
    ok = n == expected
    if not ok:
        print('  %s: %d signatures, expected %d' % (path, n, expected))
    for i in range(n):
        try:
            r = d.verify(idx=i, dnsfunc=dnsfunc)
        except Exception as e:  # a referee exception is a failure
            print('  %s: signature %d: %r' % (path, i, e))
            r = False
        if not r:
            print('  %s: signature %d does not verify' % (path, i))
        ok = ok and bool(r)
    return ok


allok = True
for p in paths:
    ok = check(p)
    print('%s %s' % ('PASS' if ok else 'FAIL', p))
    allok = allok and ok
sys.exit(0 if allok else 1)
