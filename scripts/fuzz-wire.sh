#!/usr/bin/env bash
# fuzz-wire.sh - long mutation-fuzzing run of the ISAKMP decoder (issue 3); the build runs 1.5*10^5 iterations
# (FuzzTest), this runs 10^7 by default. Seeds: the captured strongSwan messages, every message kind of the test
# catalog and generated ones. Any outcome other than a value or WireException, a decode slower than 1 s or
# allocating more than 64 bytes per input byte + 256 KiB fails with the offending input in hex.
#
# usage: scripts/fuzz-wire.sh [ITERATIONS [SEED]]     e.g. scripts/fuzz-wire.sh 10000000 42
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -o -q -pl isakmpd-core test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt \
    -Dmdep.includeScope=test
cp="isakmpd-core/target/test-classes:isakmpd-core/target/classes:$(cat isakmpd-core/target/test-classpath.txt)"
exec java -Xmx512m -cp "$cp" dev.isakmpd.core.wire.WireFuzzer "${1:-10000000}" "${2:-$RANDOM$RANDOM}"
