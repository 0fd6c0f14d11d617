#!/bin/sh
# Issue 11's flat cost and memory per SA, measured on the engine alone (no sockets, no kernel):
# the responder's CPU time per handshake with no SAs held and with HELD held, and its heap per
# ISAKMP SA + IPsec SA pair (dev.isakmpd.core.exchange.ScaleBench).
#
#   scripts/bench-engine-scale.sh [HELD [BATCH]]     # defaults 50000 and 2000: a few minutes
#   scripts/bench-engine-scale.sh memory [COUNT [BATCH]]   # COUNT (default 100000) SAs held in -Xmx2g
# BENCH_SCALE_JAVA_OPTS replaces the JVM options (default -Xmx6g, or -Xmx2g for memory).
set -eu
cd "$(dirname "$0")/.."
OUT="$PWD/isakmpd-core/target/bench-scale"
mkdir -p "$OUT"
mvn -o -q -B -pl isakmpd-oakley,isakmpd-core test-compile >&2
# the oakley module's classes come from its target/ (the core module's build classpath would want
# it installed in ~/.m2); the rest from the oakley module's own classpath
mvn -o -q -B -pl isakmpd-oakley dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$OUT/cp.txt" >&2
CP="isakmpd-core/target/test-classes:isakmpd-core/target/classes:isakmpd-oakley/target/classes:$(cat "$OUT/cp.txt")"
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); $(java -version 2>&1 | head -1)"
if [ "${1:-}" = memory ]; then heap=-Xmx2g; else heap=-Xmx6g; fi
# shellcheck disable=SC2086 # the options are words
exec java ${BENCH_SCALE_JAVA_OPTS:-$heap -XX:+UseParallelGC} -cp "$CP" dev.isakmpd.core.exchange.ScaleBench "$@"
