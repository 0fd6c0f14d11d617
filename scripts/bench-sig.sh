#!/bin/sh
# Signature cost of isakmpd-oakley (through IkeCrypto's signer/verifier) on both implementations,
# Bouncy Castle and ACCP (AWS-LC), next to OpenSSL's on the same machine, in the same run:
#
#   scripts/bench-sig.sh           # about 4 minutes on 2 cores
#
# Two views, each ratio = ours / OpenSSL's:
# - wall-clock: JMH (SignatureBench) against `openssl speed -elapsed`;
# - CPU time: SignatureCpuTime (thread CPU time, best of 6 rounds) against `openssl speed` in
#   its default mode (user time). On a shared machine this is the like-for-like one.
# OpenSSL runs before and after the Java measurements; the faster run counts.
set -eu
cd "$(dirname "$0")/.."
ITER=${BENCH_ITER:-5}
OUT="$PWD/isakmpd-oakley/target/bench-sig"
mkdir -p "$OUT"
mvn -o -q -B -pl isakmpd-oakley test-compile >&2
mvn -o -q -B -pl isakmpd-oakley dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$OUT/cp.txt" >&2
rm -rf "$OUT/classes" "$OUT/test-classes"
cp -r isakmpd-oakley/target/classes "$OUT/classes"
cp -r isakmpd-oakley/target/test-classes "$OUT/test-classes"
CP="$OUT/test-classes:$OUT/classes:$(cat "$OUT/cp.txt")"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== openssl speed (1/2)" >&2
openssl speed -elapsed -seconds 3 rsa2048 ecdsap256 >"$OUT/ossl1.txt" 2>/dev/null
openssl speed -seconds 3 rsa2048 ecdsap256 >"$OUT/ossl-cpu1.txt" 2>/dev/null
echo "== JMH" >&2
java -cp "$CP" org.openjdk.jmh.Main 'dev.isakmpd.oakley.bench.SignatureBench' \
    -f 1 -wi 3 -w 1s -i "$ITER" -r 1s -t 1 -rf json -rff "$OUT/jmh.json" >"$OUT/jmh.log" 2>&1 \
    || { cat "$OUT/jmh.log" >&2; exit 1; }
echo "== CPU time" >&2
java -cp "$CP" dev.isakmpd.oakley.bench.SignatureCpuTime bouncycastle accp >"$OUT/cpu.txt"
echo "== openssl speed (2/2)" >&2
openssl speed -elapsed -seconds 3 rsa2048 ecdsap256 >"$OUT/ossl2.txt" 2>/dev/null
openssl speed -seconds 3 rsa2048 ecdsap256 >"$OUT/ossl-cpu2.txt" 2>/dev/null
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
echo "machine: $(nproc) CPUs, load average before $LOAD_BEFORE, after $LOAD_AFTER;" \
    "$(java -version 2>&1 | head -1); $(openssl version)"
python3 - "$OUT" <<'PY'
import json, re, sys
out = sys.argv[1]
def ossl(names):
    best = {}
    for name in names:
        text = open(f"{out}/{name}").read()
        # "rsa 2048 bits 0.000612s 0.000018s 1634.5 55555.5" and "256 bits ecdsa (nistp256) 0.0000s 0.0001s ..."
        m = re.search(r"^rsa 2048 bits\s+[\d.]+s\s+[\d.]+s\s+([\d.]+)\s+([\d.]+)", text, re.M)
        m2 = re.search(r"^\s*256 bits ecdsa \(nistp256\)\s+[\d.]+s\s+[\d.]+s\s+([\d.]+)\s+([\d.]+)", text, re.M)
        for key, mm in (("rsa2048", m), ("ecdsap256", m2)):
            for op, g in (("sign", 1), ("verify", 2)):
                us = 1e6 / float(mm.group(g))
                best[(key, op)] = min(us, best.get((key, op), us))
    return best
wall = {}
for r in json.load(open(f"{out}/jmh.json")):
    p = r["params"]
    wall[(p["impl"], p["key"], r["benchmark"].rsplit(".", 1)[1])] = r["primaryMetric"]["score"]
cpu = {}
for line in open(f"{out}/cpu.txt"):
    impl, key, s, v = line.split()
    cpu[(impl, key, "sign")], cpu[(impl, key, "verify")] = float(s), float(v)
for title, ours, o in (("wall-clock (JMH mean; openssl speed -elapsed)", wall, ossl(["ossl1.txt", "ossl2.txt"])),
                       ("CPU time (SignatureCpuTime; openssl speed user time)", cpu,
                        ossl(["ossl-cpu1.txt", "ossl-cpu2.txt"]))):
    print()
    print(title)
    print("| implementation | key | op | ours us | openssl us | ratio |")
    print("|---|---|---|---|---|---|")
    for impl in ("bouncycastle", "accp"):
        for k in ("rsa2048", "ecdsap256"):
            for op in ("sign", "verify"):
                print(f"| {impl} | {k} | {op} | {ours[(impl, k, op)]:.1f} | {o[(k, op)]:.1f} "
                      f"| {ours[(impl, k, op)] / o[(k, op)]:.2f}x |")
            both_o = ours[(impl, k, "sign")] + ours[(impl, k, "verify")]
            both_s = o[(k, "sign")] + o[(k, "verify")]
            print(f"| {impl} | {k} | sign+verify | {both_o:.1f} | {both_s:.1f} | {both_o / both_s:.2f}x |")
print()
print("Target (issue 9): sign+verify within 2x of OpenSSL for rsa2048 and ecdsap256.")
PY
