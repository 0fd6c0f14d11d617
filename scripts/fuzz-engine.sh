#!/usr/bin/env bash
# fuzz-engine.sh - long mutation-fuzzing run through the engines' receive path (issue 10): mutants of
# every message of every exchange (MM1-MM6, AM1-AM3, QM1-QM3, Informational), mutated on the wire and,
# for the encrypted exchanges, also before encryption (HASH(1) recomputed half of the time), fed to
# live engines that hold established SAs and handshakes in flight (EngineFuzzer). After every CHECK
# inputs: no exception escaped Engine.receive, every table is within its bound, and a Quick Mode still
# completes; the first failure stops the run with the offending input in hex. The build runs 3*10^4
# (EngineFuzzTest); this runs 10^7 by default. Deterministic by seed.
#
# usage: scripts/fuzz-engine.sh [INPUTS [SEED [CHECK]]]     e.g. scripts/fuzz-engine.sh 10000000 42 100000
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -o -q -pl isakmpd-core -am test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt \
    -Dmdep.includeScope=test
cp="isakmpd-core/target/test-classes:isakmpd-core/target/classes:$(cat isakmpd-core/target/test-classpath.txt)"
exec java -Xmx512m -cp "$cp" dev.isakmpd.core.exchange.EngineFuzzer "${1:-10000000}" "${2:-$RANDOM$RANDOM}" \
    "${3:-100000}"
