#!/usr/bin/python3
# mailtool - small message helpers for the end-to-end tests (run.sh). No network.
#   mailtool.py headers FILE         the header fields, unfolded, one "Name: value" a line
#   mailtool.py dkimpy-sign IN OUT KEY SELECTOR DOMAIN [KEY SELECTOR DOMAIN...]
#                                    sign IN with dkimpy once per key (relaxed/relaxed;
#                                    rsa-sha256, or ed25519-sha256 for an Ed25519 PEM key;
#                                    From/To/Subject/Date/Message-ID), each signature on
#                                    top of the previous ones, and write OUT (CRLF)
#   mailtool.py crlf IN OUT          copy with CRLF line ends (as SMTP carries the message)
import re
import sys


def crlf(data):
    return re.sub(rb"\r?\n", b"\r\n", data)


def headers(path):
    with open(path, "rb") as f:
        data = f.read().replace(b"\r\n", b"\n")
    head = data.split(b"\n\n", 1)[0]
    fields = []
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += b" " + line.strip()
        elif line:
            fields.append(line)
    for f in fields:
        print(f.decode("utf-8", "replace"))


def ed25519_seed(pem):
    """The base64 32-byte seed dkimpy wants, from a PKCS#8 Ed25519 PEM, or None."""
    import base64
    if b"BEGIN PRIVATE KEY" not in pem:
        return None
    der = base64.b64decode(b"".join(l for l in pem.splitlines() if not l.startswith(b"-----")))
    # PKCS#8 Ed25519: 48 bytes, OID 1.3.101.112 (06 03 2b 65 70), the seed last
    if len(der) == 48 and b"\x06\x03\x2b\x65\x70" in der:
        return base64.b64encode(der[-32:])
    return None


def dkimpy_sign(inp, out, keys):
    import dkim
    with open(inp, "rb") as f:
        msg = crlf(f.read())
    for key, selector, domain in keys:
        with open(key, "rb") as f:
            priv = f.read()
        seed = ed25519_seed(priv)
        sig = dkim.sign(msg, selector.encode(), domain.encode(), seed or priv,
                        signature_algorithm=b"ed25519-sha256" if seed else b"rsa-sha256",
                        canonicalize=(b"relaxed", b"relaxed"),
                        include_headers=[b"From", b"To", b"Subject", b"Date", b"Message-ID"])
        msg = crlf(sig) + msg
    with open(out, "wb") as f:
        f.write(msg)


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "headers" and len(sys.argv) == 3:
        headers(sys.argv[2])
    elif cmd == "dkimpy-sign" and len(sys.argv) >= 7 and (len(sys.argv) - 4) % 3 == 0:
        a = sys.argv[4:]
        dkimpy_sign(sys.argv[2], sys.argv[3], [a[i:i + 3] for i in range(0, len(a), 3)])
    elif cmd == "crlf" and len(sys.argv) == 4:
        with open(sys.argv[2], "rb") as f:
            data = f.read()
        with open(sys.argv[3], "wb") as f:
            f.write(crlf(data))
    else:
        sys.exit(__doc__ if __doc__ else "usage: see the comment at the top")


main()
