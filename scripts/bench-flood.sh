#!/usr/bin/env bash
# Issue 11's flood: RATE spoofed Main Mode first messages per second (default 10000) from ADDRESSES
# (default 512) addresses of 127.0.0.0/8 at a responder whose road-warrior policy accepts them all, for SECONDS
# (default 30), while a legitimate peer negotiates; prints the responder's CPU, peak RSS and how
# long the legitimate peer took (dev.isakmpd.daemon.it.SpoofedFloodBench). Loopback only.
#
#   scripts/bench-flood.sh [RATE [SECONDS [ADDRESSES]]]      # results: isakmpd-daemon/target/bench-flood/
set -euo pipefail
cd "$(dirname "$0")/.."
# package with -DskipTests compiles the test classes too; one reactor build, so that the modules
# the daemon needs (isakmpd-ha among them) come from it, not from ~/.m2
mvn -o -q -B -DskipTests package -pl isakmpd-daemon -am >&2
cd isakmpd-daemon
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); $(java -version 2>&1 | head -1)"
exec java -cp "target/test-classes:target/isakmpd.jar:target/lib/*" dev.isakmpd.daemon.it.SpoofedFloodBench \
    target/bench-flood "${1:-10000}" "${2:-30}" "${3:-512}"
