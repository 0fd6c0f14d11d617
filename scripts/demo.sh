#!/usr/bin/env bash
# demo.sh - two isakmpd daemons in one process negotiate an ESP tunnel over loopback UDP
# (127.0.0.1:15000 <-> 127.0.0.2:15000, PSK, Main Mode + Quick Mode with PFS, in-memory
# kernels), show their SAs, then shut down cleanly with Deletes. Needs no privileges.
# The built-in configurations are conf/demo-a.toml and conf/demo-b.toml.
#
# usage: scripts/demo.sh [--log-level debug]     (extra arguments go to "isakmpd demo")
set -euo pipefail
cd "$(dirname "$0")/.."

jar=isakmpd-daemon/target/isakmpd.jar
# Build when the jar is missing or any module's sources or pom are newer than it.
if [[ ! -f $jar ]] || [[ -n $(find pom.xml isakmpd-*/pom.xml isakmpd-*/src -newer "$jar" -print -quit) ]]; then
    echo "demo.sh: building (mvn -q -B -DskipTests install) ..." >&2
    mvn -q -B -DskipTests install >&2   # keep stdout for the demo itself
fi
exec java -jar "$jar" demo "$@"
