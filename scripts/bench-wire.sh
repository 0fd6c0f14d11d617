#!/usr/bin/env bash
# bench-wire.sh - JMH benchmark of the ISAKMP wire format (issue 3): decode and decode+encode of a typical Main
# Mode message 1 and Quick Mode message 1 (real strongSwan messages), single thread, throughput in ops/s.
#
# usage: scripts/bench-wire.sh [JMH options...]     e.g. scripts/bench-wire.sh -f 1 -wi 2 -i 3 'mm1.*'
# Builds isakmpd-core's test classes (offline Maven; isakmpd-oakley comes from the local repository, so run
# 'mvn -o -q -pl isakmpd-oakley install' first on a fresh clone), then runs org.openjdk.jmh.Main on the test
# classpath.
# Default JMH settings come from the @Warmup/@Measurement/@Fork annotations (3x1 s warm-up, 5x1 s, 1 fork).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -o -q -pl isakmpd-core test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt \
    -Dmdep.includeScope=test
cp="isakmpd-core/target/test-classes:isakmpd-core/target/classes:$(cat isakmpd-core/target/test-classpath.txt)"
if [ $# -eq 0 ]; then
    set -- 'dev.isakmpd.core.bench.WireBenchmark'
fi
exec java -cp "$cp" org.openjdk.jmh.Main "$@"
