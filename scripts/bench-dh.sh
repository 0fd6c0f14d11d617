#!/bin/sh
# Diffie-Hellman cost of isakmpd-oakley (JMH, through IkeCrypto) next to OpenSSL's on the same
# machine, in the same run: every group on Bouncy Castle, and the ECP groups 19 and 20 also on
# ACCP (AWS-LC), the implementation daemon.crypto = "auto" picks on Linux x86-64.
#
#   scripts/bench-dh.sh            # short run (about 4 minutes on 2 cores)
#   BENCH_ITER=5 BENCH_FORKS=2 scripts/bench-dh.sh   # steadier numbers
#
# JMH measures keygen + agreement (DhBench.keygenAndAgree: a fresh key pair and the agreement
# with a peer value, validation included), and each half alone. `openssl speed` measures only
# the derive (agreement) step with a key pair made beforehand, so OpenSSL's keygen + agreement
# is taken as 2 x its derive time: for these groups key generation is the same scalar
# multiplication / exponentiation as the derive (OpenSSL uses no fixed-base tables for FFDH;
# for X25519/X448 and P-256 its base-point code is faster, so 2 x derive flatters OpenSSL less
# than it flatters us; the "agree" column compares like with like).
# Both sides are timed in wall-clock time (openssl speed -elapsed; JMH always is), so a busy
# machine slows both; the load average is printed with the table.
# OpenSSL's ffdh uses the RFC 7919 ffdhe groups with 225/275-bit private exponents for 2048/3072
# (NIST SP 800-56A: 2x the security strength); we use 320/420 (RFC 3526 s8, estimate 2).
set -eu
cd "$(dirname "$0")/.."
ITER=${BENCH_ITER:-6}
FORKS=${BENCH_FORKS:-1}
OUT="$PWD/isakmpd-oakley/target/bench-dh"         # raw JMH CSV/log and openssl output stay here
mkdir -p "$OUT"

mvn -o -q -B -pl isakmpd-oakley test-compile >&2
mvn -o -q -B -pl isakmpd-oakley dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$OUT/cp.txt" >&2
# Snapshot the classes: other builds in this tree must not swap them out under a running fork.
rm -rf "$OUT/classes" "$OUT/test-classes"
cp -r isakmpd-oakley/target/classes "$OUT/classes"
cp -r isakmpd-oakley/target/test-classes "$OUT/test-classes"
CP="$OUT/test-classes:$OUT/classes:$(cat "$OUT/cp.txt")"
OSSL="ffdh2048 ffdh3072 ecdhp256 ecdhp384 ecdhx25519 ecdhx448"

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
# OpenSSL before and after JMH; the faster of the two runs counts (the machine is shared).
echo "== openssl speed (1/2)" >&2
openssl speed -elapsed -seconds 3 $OSSL >"$OUT/ossl1.txt" 2>/dev/null

echo "== JMH (forks=$FORKS, iterations=$ITER x 1 s, warm-up 3 x 1 s)" >&2
java -cp "$CP" org.openjdk.jmh.Main 'dev.isakmpd.oakley.bench.DhBench' \
    -f "$FORKS" -wi 3 -w 1s -i "$ITER" -r 1s -t 1 -rf json -rff "$OUT/jmh.json" >"$OUT/jmh.log" 2>&1 \
    || { cat "$OUT/jmh.log" >&2; exit 1; }
java -cp "$CP" org.openjdk.jmh.Main 'dev.isakmpd.oakley.bench.DhBench' -p impl=accp -p group=19,20 \
    -f "$FORKS" -wi 3 -w 1s -i "$ITER" -r 1s -t 1 -rf json -rff "$OUT/jmh-accp.json" >"$OUT/jmh-accp.log" 2>&1 \
    || { cat "$OUT/jmh-accp.log" >&2; exit 1; }

echo "== openssl speed (2/2)" >&2
openssl speed -elapsed -seconds 3 $OSSL >"$OUT/ossl2.txt" 2>/dev/null

# CPU-time view: our DhCpuTime (thread CPU time, best of 6 rounds) against `openssl speed`
# in its default mode (user CPU time), best of two runs.
echo "== CPU time: DhCpuTime and openssl speed (user time)" >&2
java -cp "$CP" dev.isakmpd.oakley.bench.DhCpuTime bouncycastle 2 14 15 19 20 31 32 >"$OUT/cpu.txt"
java -cp "$CP" dev.isakmpd.oakley.bench.DhCpuTime accp 19 20 >>"$OUT/cpu.txt"
openssl speed -seconds 3 $OSSL >"$OUT/ossl-cpu1.txt" 2>/dev/null
openssl speed -seconds 3 $OSSL >"$OUT/ossl-cpu2.txt" 2>/dev/null

LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs);" \
    "load average before $LOAD_BEFORE, after $LOAD_AFTER; $(java -version 2>&1 | head -1); $(openssl version)"
python3 - "$OUT/jmh.json,$OUT/jmh-accp.json" "$OUT/cpu.txt" "$OUT/ossl1.txt" "$OUT/ossl2.txt" \
    "$OUT/ossl-cpu1.txt" "$OUT/ossl-cpu2.txt" <<'PY'
import json, re, sys
# Best (fastest) iteration and mean per benchmark: on a shared machine the best iteration is
# the one least disturbed by other processes; OpenSSL likewise gets the best of its two runs.
# Rows are keyed by (group, implementation).
jmh = {}
for f in sys.argv[1].split(","):
  for r in json.load(open(f)):
    bench = r["benchmark"].rsplit(".", 1)[1]
    raw = [x for fork in r["primaryMetric"]["rawData"] for x in fork]
    jmh[(bench, (int(r["params"]["group"]), r["params"]["impl"]))] = (min(raw), r["primaryMetric"]["score"])
def parse_ossl(files):
  ossl = {}
  for f in files:
    for line in open(f):
        m = re.match(r"\s*(\d+) bits? ffdh\s+([\d.]+)s\s+([\d.]+)", line)
        key = "ffdh" + m.group(1) if m else None
        if not m:
            m = re.match(r"\s*\d+ bits? ecdh \((\w+)\)\s+([\d.]+)s\s+([\d.]+)", line)
            key = m.group(1) if m else None
        if m:
            us = 1e6 / float(m.group(3))
            ossl[key] = min(us, ossl.get(key, us))
  return ossl


ossl = parse_ossl(sys.argv[3:5])
ossl_cpu = parse_ossl(sys.argv[5:7])
cpu = {}
for line in open(sys.argv[2]):
    impl, gid, kg_, ag_, both_ = line.split()
    cpu[(int(gid), impl)] = (float(kg_), float(ag_), float(both_))
names = {2: ("modp1024", None), 14: ("modp2048", "ffdh2048"), 15: ("modp3072", "ffdh3072"),
         19: ("ecp256", "nistp256"), 20: ("ecp384", "nistp384"), 31: ("curve25519", "X25519"),
         32: ("curve448", "X448")}
print()
print("Diffie-Hellman cost per exchange side, microseconds (lower is better)")
def label(row):
    gid, impl = row
    name = names.get(gid, (str(gid), None))[0] + " (" + str(gid) + ")"
    return name + (" accp" if impl == "accp" else "")
print(f"{'group':<21}{'keygen':>9}{'agree':>9}{'kg+agree':>11}{'(mean)':>9}   {'openssl':<10}{'derive':>8}"
      f"{'2xderive':>10}{'ratio':>7}{'agree/derive':>14}")
for row in sorted({g for (_, g) in jmh}, key=lambda r: (r[0], r[1] == "accp")):
    gid = row[0]
    name, on = names.get(gid, (str(gid), None))
    nan = (float("nan"), float("nan"))
    kg = jmh.get(("keygen", row), nan)[0]
    ag = jmh.get(("agree", row), nan)[0]
    total, err = jmh.get(("keygenAndAgree", row), nan)
    if on and on in ossl:
        d = ossl[on]
        tail = f"   {on:<10}{d:>8.1f}{2 * d:>10.1f}{total / (2 * d):>6.2f}x{ag / d:>13.2f}x"
    else:
        tail = f"   {'-':<10}{'(openssl speed has no 1024-bit ffdh)':>39}"
    print(f"{label(row):<21}{kg:>9.1f}{ag:>9.1f}{total:>11.1f}{err:>9.1f}{tail}")
print()
print("keygen, agree, kg+agree: best JMH iteration (us/op); (mean): mean of all iterations.")
print("openssl derive: best of two `openssl speed -elapsed` runs (us/op).")
print()
print("Same in CPU time (DhCpuTime: thread CPU time, best of 6 rounds; openssl speed default: user time)")
print(f"{'group':<21}{'keygen':>9}{'agree':>9}{'kg+agree':>11}   {'openssl':<10}{'derive':>8}{'2xderive':>10}"
      f"{'ratio':>7}{'agree/derive':>14}")
for row in sorted(cpu, key=lambda r: (r[0], r[1] == "accp")):
    gid = row[0]
    name, on = names.get(gid, (str(gid), None))
    kg, ag, both = cpu[row]
    if on and on in ossl_cpu:
        d = ossl_cpu[on]
        tail = f"   {on:<10}{d:>8.1f}{2 * d:>10.1f}{both / (2 * d):>6.2f}x{ag / d:>13.2f}x"
    else:
        tail = f"   {'-':<10}"
    print(f"{label(row):<21}{kg:>9.1f}{ag:>9.1f}{both:>11.1f}{tail}")
print()
print("ratio = kg+agree / (2 x openssl derive); targets: group 14 <= 1.5x, groups 19 and 31 <= 3x.")
PY
