#!/bin/sh
# Issue 15's scale numbers for the HA pair (docs/ha.md "Scale"), on this machine:
#  1. the engine side (dev.isakmpd.core.exchange.HaScaleBench): handshakes with replication off
#     and on over a table of PAIRS SA pairs, the active's snapshot, a fresh standby applying it,
#     Engine.takeover and its actions through an in-memory kernel;
#  2. that snapshot to a fresh standby over the real JGroups channel on loopback
#     (dev.isakmpd.ha.SnapshotBench, RUNS joins);
#  3. acknowledged replication latency on loopback (dev.isakmpd.ha.AckLatencyBench, COUNT records);
# scripts/bench-ha-lab.sh measures what needs ESP and netem, in the kernel lab.
#
#   scripts/bench-ha.sh [PAIRS [RUNS [COUNT]]]      # defaults 10000, 3, 20000: a minute or two
# BENCH_HA_JAVA_OPTS replaces the JVM options (default -Xmx4g -XX:+UseParallelGC).
set -eu
cd "$(dirname "$0")/.."
PAIRS=${1:-10000}
RUNS=${2:-3}
COUNT=${3:-20000}
OUT="$PWD/isakmpd-core/target/bench-ha"
mkdir -p "$OUT"
mvn -o -q -B -pl isakmpd-oakley,isakmpd-core,isakmpd-ha test-compile >&2
# the oakley module's classes come from its target/ (as in bench-engine-scale.sh)
mvn -o -q -B -pl isakmpd-oakley dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$OUT/core-cp.txt" >&2
mvn -o -q -B -pl isakmpd-ha dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$OUT/ha-cp.txt" >&2
CORE="isakmpd-core/target/test-classes:isakmpd-core/target/classes:isakmpd-oakley/target/classes:$(cat "$OUT/core-cp.txt")"
HA="isakmpd-ha/target/test-classes:isakmpd-ha/target/classes:$(cat "$OUT/ha-cp.txt")"
OPTS=${BENCH_HA_JAVA_OPTS:--Xmx4g -XX:+UseParallelGC}
load() { echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"; }
echo "machine: $(nproc) CPUs, $(load); $(java -version 2>&1 | head -1)"
# shellcheck disable=SC2086 # the options are words
java $OPTS -cp "$CORE" dev.isakmpd.core.exchange.HaScaleBench "$PAIRS" 1000 "$OUT/snapshot.bin"
echo "$(load)"
# shellcheck disable=SC2086
java $OPTS -cp "$HA" dev.isakmpd.ha.SnapshotBench "$OUT/snapshot.bin" "$RUNS"
echo "$(load)"
# shellcheck disable=SC2086
java $OPTS -cp "$HA" dev.isakmpd.ha.AckLatencyBench local 127.0.0.11:7800 127.0.0.12:7800 "$COUNT"
echo "$(load)"
