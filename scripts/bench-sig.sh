#!/bin/sh
# Signature cost of isakmpd-oakley (JMH, through IkeCrypto's signer/verifier) next to OpenSSL's
# on the same machine, in the same run:
#
#   scripts/bench-sig.sh           # about 2 minutes on 2 cores
#
# Both are wall-clock per operation (openssl speed -elapsed); the ratio is ours / OpenSSL's.
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
echo "== openssl speed" >&2
openssl speed -elapsed -seconds 3 rsa2048 ecdsap256 >"$OUT/ossl.txt" 2>/dev/null
echo "== JMH" >&2
java -cp "$CP" org.openjdk.jmh.Main 'dev.isakmpd.oakley.bench.SignatureBench' \
    -f 1 -wi 3 -w 1s -i "$ITER" -r 1s -t 1 -rf json -rff "$OUT/jmh.json" >"$OUT/jmh.log" 2>&1 \
    || { cat "$OUT/jmh.log" >&2; exit 1; }
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); $(java -version 2>&1 | head -1);" \
    "$(openssl version)"
python3 - "$OUT/jmh.json" "$OUT/ossl.txt" <<'PY'
import json, re, sys
ours = {}
for r in json.load(open(sys.argv[1])):
    ours[(r["params"]["key"], r["benchmark"].rsplit(".", 1)[1])] = r["primaryMetric"]["score"]
text = open(sys.argv[2]).read()
# "rsa 2048 bits 0.000612s 0.000018s 1634.5 55555.5" and "256 bits ecdsa (nistp256) 0.0000s 0.0001s ..."
ossl = {}
m = re.search(r"^rsa 2048 bits\s+([\d.]+)s\s+([\d.]+)s", text, re.M)
ossl[("rsa2048", "sign")], ossl[("rsa2048", "verify")] = float(m.group(1)) * 1e6, float(m.group(2)) * 1e6
m = re.search(r"^\s*256 bits ecdsa \(nistp256\)\s+([\d.]+)s\s+([\d.]+)s\s+([\d.]+)\s+([\d.]+)", text, re.M)
ossl[("ecdsap256", "sign")], ossl[("ecdsap256", "verify")] = 1e6 / float(m.group(3)), 1e6 / float(m.group(4))
print("| key | op | ours us | openssl us | ratio |")
print("|---|---|---|---|---|")
for k in ("rsa2048", "ecdsap256"):
    for op in ("sign", "verify"):
        print(f"| {k} | {op} | {ours[(k, op)]:.1f} | {ossl[(k, op)]:.1f} | {ours[(k, op)] / ossl[(k, op)]:.2f}x |")
    both_o = ours[(k, "sign")] + ours[(k, "verify")]
    both_s = ossl[(k, "sign")] + ossl[(k, "verify")]
    print(f"| {k} | sign+verify | {both_o:.1f} | {both_s:.1f} | {both_o / both_s:.2f}x |")
PY
