#!/usr/bin/env bash
# Issue 11's JIT share: our responder under scripts/bench-load.sh (ours only) with several JVM
# option sets, one after the other, RUNS times each in turn; per variant the medians of
# handshakes/s, responder CPU ms per handshake, the JIT compiler threads' share of it, and the
# CPU the JVM took until it listened. Needs root, as bench-load.sh.
#
#   scripts/bench-jvm-options.sh [LOAD [COUNT [WARMUP [RUNS]]]]   # defaults ecp256 1000 200 2
#   BENCH_JVM_VARIANTS: "name|java|options" lines replacing the default set below (the JDK 25
#   AOT cache, JEP 483/514/515, is written by the training variant's run as the JVM exits and
#   read by the next one's)
#   results: isakmpd-daemon/target/bench-jvm/results.txt
set -euo pipefail
cd "$(dirname "$0")/.."
LOAD=${1:-ecp256}
COUNT=${2:-1000}
WARMUP=${3:-200}
RUNS=${4:-2}
OUT=$PWD/isakmpd-daemon/target/bench-jvm
JDK25=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
VARIANTS=${BENCH_JVM_VARIANTS:-"default|java|
c1-only|java|-XX:TieredStopAtLevel=1
c2-only|java|-XX:-TieredCompilation
c1-only-1-thread|java|-XX:TieredStopAtLevel=1 -XX:CICompilerCount=1
jdk25|$JDK25|
jdk25-aot-training|$JDK25|-XX:AOTCacheOutput=$OUT/isakmpd.aot
jdk25-aot|$JDK25|-XX:AOTCache=$OUT/isakmpd.aot"}
mkdir -p "$OUT"
mvn -o -q -B -DskipTests package -pl isakmpd-daemon -am >&2
: >"$OUT/raw.txt"
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); $LOAD, $COUNT handshakes after $WARMUP" |
    tee "$OUT/results.txt"
for run in $(seq "$RUNS"); do
    while IFS='|' read -r name java opts; do
        [ -n "$name" ] || continue
        BENCH_LOAD_NO_BUILD=1 BENCH_LOAD_WHO=ours BENCH_LOAD_LOADS=$LOAD BENCH_LOAD_JAVA=$java \
            BENCH_LOAD_JAVA_OPTS=$opts scripts/bench-load.sh "$COUNT" "$WARMUP" 1 >/dev/null 2>&1 || true
        b=isakmpd-daemon/target/bench-load
        # "LOAD ours RATE CPU", "... by thread: CCompilerThre X ...", "LOAD ours: N ms of CPU until listening"
        read -r _ _ rate cpu _ <"$b/raw.txt" || rate=- cpu=-
        jit=$(grep -oP 'CCompilerThre \K[0-9.]+' "$b/threads.txt" || echo 0)
        start=$(grep -oP '\d+(?= ms of CPU until listening)' "$b/startup.txt" || echo -)
        echo "$name $rate $cpu $jit $start $(cut -d' ' -f1 /proc/loadavg)" | tee -a "$OUT/raw.txt"
    done <<<"$VARIANTS"
done
{
    echo "| variant | JVM options | handshakes/s | CPU ms/handshake | of it JIT | start-up CPU ms | load average |"
    echo "|---|---|---|---|---|---|---|"
    while IFS='|' read -r name java opts; do
        [ -n "$name" ] || continue
        awk -v n="$name" -v o="${opts:-(none)}" '$1 == n {
                k++; for (f = 2; f <= 6; f++) v[f, k] = $f }
            function med(f,   a, i, j, t) {
                for (i = 1; i <= k; i++) a[i] = v[f, i]
                for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
                return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
            END { if (k) printf "| %s | %s | %s | %s | %s | %s | %s |\n", n, o,
                med(2), med(3), med(4), med(5), med(6) }' "$OUT/raw.txt"
    done <<<"$VARIANTS"
} | tee -a "$OUT/results.txt"
