#!/usr/bin/python3
# gen-fixtures - writes the signed test messages in fixtures/ with Debian's dkimpy
# (python3-dkim 1.1.4; python3-nacl for Ed25519) and the test keys in keys/. The outputs
# are committed; rerun only to regenerate them (signatures change, verdicts must not).
# Cases that dkimpy refuses to produce (x=, a future t=, h= without From, i= outside d=,
# l= beyond the body) are made by adjusting the tag list dkimpy hashes and signs, so each
# is still a correctly computed signature carrying exactly one defect.
import os
import re
import time
import dkim

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")
os.makedirs(OUT, exist_ok=True)


def key(name):
    with open(os.path.join(HERE, "keys", name), "rb") as f:
        return f.read().strip()


RSA = key("rsa2048.pem")
RSA1024 = key("rsa1024.pem")
RSA512 = key("rsa512.pem")
ED = key("ed25519.seed")

BASE = (b"Received: from mx.example.net by mx.example.org; Tue, 01 Dec 2026 12:00:01 +0000\r\n"
        b"X-Trace: one\r\n"
        b"From: Alice <alice@example.org>\r\n"
        b"To: Bob <bob@example.net>\r\n"
        b"Subject: DKIM verification test with a subject long enough to fold\r\n"
        b"Date: Tue, 01 Dec 2026 12:00:00 +0000\r\n"
        b"Message-ID: <fixture@example.org>\r\n"
        b"X-Trace: two\r\n"
        b"\r\n"
        b"Hello Bob,\r\n"
        b"\r\n"
        b"This is  a test message\twith  some spacing.   \r\n"
        b"Regards,\r\nAlice\r\n\r\n\r\n")

HDRS = [b"from", b"to", b"subject", b"date", b"message-id"]

_orig_gen = dkim.DKIM.gen_header
_patch = {}


def _gen_header(self, fields, include_headers, canon_policy, header_name, pk, standardize=False):
    fields = list(fields)
    if "set" in _patch:
        for tag, val in _patch["set"]:
            fields = [f for f in fields if f[0] != tag]
            fields.insert(len(fields) - 2, (tag, val))
    if "include" in _patch:
        include_headers = _patch["include"]
        fields = [(b"h", b" : ".join(include_headers)) if f[0] == b"h" else f for f in fields]
    return _orig_gen(self, fields, include_headers, canon_policy, header_name, pk, standardize)


dkim.DKIM.gen_header = _gen_header


def sign(msg, selector, privkey, alg=b"rsa-sha256", canon=(b"relaxed", b"relaxed"),
         include=None, identity=None, length=False, patch=None, now=None):
    _patch.clear()
    if patch:
        _patch.update(patch)
    saved = time.time
    if now is not None:
        time.time = lambda: now
    try:
        d = dkim.DKIM(msg)
        sig = d.sign(selector, b"example.org", privkey, signature_algorithm=alg, identity=identity,
                     canonicalize=canon, include_headers=include or HDRS, length=length)
    finally:
        time.time = saved
        _patch.clear()
    return sig + msg


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


good = sign(BASE, b"rsa2048", RSA)
write("good-rsa.eml", good)
write("good-ed25519.eml", sign(BASE, b"ed25519", ED, alg=b"ed25519-sha256"))
write("good-rsa1024.eml", sign(BASE, b"rsa1024", RSA1024))
write("good-pkcs1.eml", sign(BASE, b"pkcs1", RSA))
write("testing.eml", sign(BASE, b"testing", RSA))
write("revoked.eml", sign(BASE, b"revoked", RSA))
write("small.eml", sign(BASE, b"small", RSA512))
write("sha1.eml", sign(BASE, b"rsa2048", RSA, alg=b"rsa-sha1"))
write("expired.eml", sign(BASE, b"rsa2048", RSA, now=1000000000,
                          patch={"set": [(b"x", b"1000086400")]}))
write("future.eml", sign(BASE, b"rsa2048", RSA, now=4000000000))
write("nofrom.eml", sign(BASE, b"rsa2048", RSA, patch={"include": (b"to", b"subject", b"date")}))
write("i-outside.eml", sign(BASE, b"rsa2048", RSA, patch={"set": [(b"i", b"alice@example.com")]}))
write("i-subdomain.eml", sign(BASE, b"rsa2048", RSA, identity=b"alice@mail.example.org"))
write("strict-sub.eml", sign(BASE, b"strict", RSA, identity=b"alice@mail.example.org"))
write("strict-ok.eml", sign(BASE, b"strict", RSA, identity=b"alice@example.org"))
write("sha1only.eml", sign(BASE, b"sha1only", RSA))
write("edasrsa.eml", sign(BASE, b"edasrsa", ED, alg=b"ed25519-sha256"))
write("twice.eml", sign(BASE, b"twice", RSA))
write("timeout.eml", sign(BASE, b"timeout", RSA))
write("servfail.eml", sign(BASE, b"servfail", RSA))
write("nokey.eml", sign(BASE, b"nosuchkey", RSA))
write("badb64.eml", re.sub(rb"([;\s]b=)", rb"\1!", good, count=1))
write("tampered-body.eml", good.replace(b"Hello Bob", b"Hello Bub"))
write("tampered-header.eml", good.replace(b"Subject: DKIM", b"Subject: DKIN"))
# re-folded Subject: same words, different folding
refold = (b"Subject: DKIM verification test with a subject long enough to fold\r\n",
          b"Subject: DKIM verification test with a subject\r\n long enough to fold\r\n")
write("simple-refold.eml", sign(BASE, b"rsa2048", RSA, canon=(b"simple", b"simple")).replace(*refold))
write("relaxed-refold.eml", sign(BASE, b"rsa2048", RSA, canon=(b"relaxed", b"simple")).replace(*refold))
# two signatures: the ed25519 one passes, the other names the 1024-bit key but was made
# with the 2048-bit one (signature mismatch)
write("multi.eml", sign(sign(BASE, b"rsa1024", RSA), b"ed25519", ED, alg=b"ed25519-sha256"))
# l=: body content appended after signing
lsig = sign(BASE, b"rsa2048", RSA, length=True)
write("l-partial.eml", lsig + b"Appended by someone else\r\n")
write("l-exact.eml", lsig)
write("l-beyond.eml", sign(BASE, b"rsa2048", RSA, patch={"set": [(b"l", b"100000")]}))
# repeated header names, consumed from the bottom up: X-Trace signed twice (both
# instances) and over-signed From (listed twice, present once)
rep = sign(BASE, b"rsa2048", RSA, include=HDRS + [b"x-trace", b"x-trace", b"from"])
write("repeated.eml", rep)
write("repeated-added-top.eml", b"X-Trace: zero\r\n" + rep)     # still passes
write("oversigned-from-added.eml", rep.replace(b"\r\n\r\nHello", b"\r\nFrom: Mallory <m@example.org>\r\n\r\nHello"))
# more signatures than the default limit of 8
many = BASE
for i in range(10):
    many = sign(many, b"rsa2048", RSA)
write("ten-signatures.eml", many)
# every canonicalization pair, both algorithms (used by the unit tests with dkimpy as signer)
for hc in (b"simple", b"relaxed"):
    for bc in (b"simple", b"relaxed"):
        write("canon-rsa-%s-%s.eml" % (hc.decode(), bc.decode()), sign(BASE, b"rsa2048", RSA, canon=(hc, bc)))
        write("canon-ed25519-%s-%s.eml" % (hc.decode(), bc.decode()),
              sign(BASE, b"ed25519", ED, alg=b"ed25519-sha256", canon=(hc, bc)))
