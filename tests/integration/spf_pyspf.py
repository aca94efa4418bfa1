#!/usr/bin/env python3
"""spf_pyspf - differential test: `authmilter spf` against pyspf (Debian python3-spf) on
randomly generated zones and queries (fixed seeds, so every run is the same).

Both evaluators read the same zone: authmilter through --dns-zone, pyspf through a lookup
function installed in place of its DNS layer. Two known differences of interpretation are
neutralised, not hidden: the void-lookup limit is raised to 100 on both sides (pyspf also
counts MX-host, PTR-validation and record lookups as void lookups; RFC 7208 §4.6.4 counts
terms), and pyspf's static "include has trivial recursion" refusal (a non-RFC check made
even when an earlier mechanism matches) is skipped.
Usage: spf_pyspf.py AUTHMILTER WORKDIR [SEEDS] [CASES]"""
import ipaddress
import random
import subprocess
import sys

import spf  # python3-spf

AUTH, WORK = sys.argv[1], sys.argv[2]
SEEDS = int(sys.argv[3]) if len(sys.argv) > 3 else 8
CASES = int(sys.argv[4]) if len(sys.argv) > 4 else 40
DOMS = ["d%d.test" % i for i in range(6)]
V4 = ["192.0.2.%d" % i for i in (1, 2, 3, 10, 20, 130)]
V6 = ["2001:db8::1", "2001:db8::2", "2001:db8:1::5"]


def random_term(rng):
    q = rng.choice(["", "", "", "-", "~", "?", "+"])
    d = rng.choice(DOMS)
    kind = rng.choice(["ip4", "ip4", "ip6", "a", "a", "mx", "mx", "include", "include",
                       "exists", "ptr", "all"])
    if kind == "ip4":
        return q + "ip4:%s/%d" % (rng.choice(V4), rng.choice([32, 32, 24, 28, 30]))
    if kind == "ip6":
        return q + "ip6:%s/%d" % (rng.choice(V6), rng.choice([128, 64, 48]))
    if kind == "a":
        return q + rng.choice(["a", "a:" + d, "a:" + d + "/24", "a//64", "a:" + d + "/30//48"])
    if kind == "mx":
        return q + rng.choice(["mx", "mx:" + d, "mx/24", "mx:" + d + "//64"])
    if kind == "include":
        return q + "include:" + d
    if kind == "exists":
        return q + rng.choice(["exists:%{ir}." + d, "exists:%{l}." + d, "exists:%{i}.x." + d,
                               "exists:%{p}." + d])
    if kind == "ptr":
        return q + rng.choice(["ptr", "ptr:" + d, "ptr:test"])
    return q + "all"


def make_zone(rng):
    zone = {}

    def add(name, rtype, value):
        zone.setdefault(name.lower(), []).append((rtype, value))

    for d in DOMS:
        if rng.random() < 0.85:
            terms = [random_term(rng) for _ in range(rng.randint(1, 4))]
            if rng.random() < 0.2:
                terms.append("redirect=" + rng.choice(DOMS))
            if rng.random() < 0.2:
                terms.append("exp=exp." + d)
            add(d, "TXT", "v=spf1 " + " ".join(terms))
        for _ in range(rng.randint(0, 2)):
            add(d, "A", rng.choice(V4))
        if rng.random() < 0.4:
            add(d, "AAAA", rng.choice(V6))
        if rng.random() < 0.5:
            for i in range(rng.randint(1, 3)):
                host = "mx%d.%s" % (i, d)
                add(d, "MX", "%d %s" % (i * 10, host))
                add(host, "A", rng.choice(V4))
                if rng.random() < 0.3:
                    add(host, "AAAA", rng.choice(V6))
        add("exp." + d, "TXT", "%{i} not ok for %{d} via %{s}")
    for ip in V4 + V6:
        if rng.random() < 0.5:
            add(ipaddress.ip_address(ip).reverse_pointer, "PTR",
                rng.choice(DOMS + ["mx0." + rng.choice(DOMS)]))
    for ip in V4[:3]:
        rev = ".".join(reversed(ip.split(".")))
        for d in DOMS:
            if rng.random() < 0.3:
                add(rev + "." + d, "A", "127.0.0.2")
    for d in DOMS:
        if rng.random() < 0.3:
            add("user." + d, "A", "127.0.0.2")
    return zone


def main():
    cases = diffs = 0
    spf.MAX_VOID_LOOKUPS = 100
    for seed in range(1, SEEDS + 1):
        rng = random.Random(seed)
        zone = make_zone(rng)
        path = "%s/zone-%d" % (WORK, seed)
        with open(path, "w") as f:
            for name, rrs in zone.items():
                for rtype, value in rrs:
                    f.write("%s %s %s\n" % (name, rtype, '"%s"' % value if rtype == "TXT" else value))

        def lookup(name, qtype, strict=True, timeout=None, zone=zone):
            name = name.lower().rstrip(".")
            out = []
            for rtype, value in zone.get(name, []):
                if rtype != qtype:
                    continue
                if rtype == "TXT":
                    out.append(((name, rtype), [value.encode()]))
                elif rtype == "MX":
                    pref, host = value.split()
                    out.append(((name, rtype), (int(pref), host)))
                else:
                    out.append(((name, rtype), value))
            return out
        spf.DNSLookup = lookup

        for _ in range(CASES):
            ip = rng.choice(V4 + V6)
            sender = "%s@%s" % (rng.choice(["user", "bob"]), rng.choice(DOMS))
            ref = spf.query(i=ip, s=sender, h="helo.test", receiver="rx.test").check()
            if "trivial recursion" in ref[2]:
                continue
            run = subprocess.run([AUTH, "--dns-zone", path, "spf", "--ip", ip, "--sender", sender,
                                  "--helo", "helo.test", "--void-limit", "100"],
                                 capture_output=True, text=True)
            ours = run.stdout.split(" ")[0].strip() if run.stdout else "(none)"
            cases += 1
            if run.returncode != 0 or ours != ref[0]:
                diffs += 1
                print("DIFF seed %d ip %s sender %s: authmilter [%s] rc=%d, pyspf %s (%s)"
                      % (seed, ip, sender, run.stdout.strip(), run.returncode, ref[0], ref[2]))
    print("%d cases compared with pyspf %s, %d differences" % (cases, getattr(spf, "__version__", "?"), diffs))
    return 1 if diffs or cases < SEEDS * CASES // 2 else 0


if __name__ == "__main__":
    sys.exit(main())
