#!/bin/sh
# Issue 15's HA numbers that need the kernel lab (User-Mode Linux: this host's kernel has XFRM
# netlink but no ESP, and no sch_netem), in one lab boot (docs/ha.md "Scale"):
#  1. the kernel's share of a takeover of PAIRS IPsec SA pairs through our XFRM back-end
#     (dev.isakmpd.daemon.runtime.XfrmTakeoverBench);
#  2. acknowledged replication latency between two JVMs in two network namespaces over a veth
#     pair (a sync link, 203.0.113.129-130), COUNT records, without and with netem's 1 ms delay
#     on both ends (dev.isakmpd.ha.AckLatencyBench).
#
#   scripts/bench-ha-lab.sh [PAIRS [COUNT]]     # defaults 10000, 3000: one boot, a few minutes
# PAIRS may be a list, "1000,10000": a takeover of each (the first with the per-request profile).
# COUNT 0 measures the takeover only. The daemon's log of the takeover goes to
# isakmpd-daemon/target/bench-ha-lab/takeover.log; BENCH_JFR=1 also records a Java Flight
# Recording of each JVM there (takeover-1.jfr, ...; `jfr print --events jdk.ExecutionSample`).
# BENCH_JVM="OPTIONS|OPTIONS..." runs the takeovers once per set of JVM options, each in a new
# JVM (default "-XX:+UseSerialGC -Xmx512m"). BENCH_HOST=1 first runs Engine.takeover alone on
# this host (in-memory kernel, the first set of options), to compare the guest with the host.
set -eu
cd "$(dirname "$0")/.."
PAIRS=${1:-10000}
COUNT=${2:-3000}
export BENCH_JVM="${BENCH_JVM:--XX:+UseSerialGC -Xmx512m}"
OUT="$PWD/isakmpd-daemon/target/bench-ha-lab"
if [ "${LAB_IN_UML:-}" != 1 ]; then
    mkdir -p "$OUT"
    mvn -o -q -B -DskipTests package -pl isakmpd-daemon -am >&2
    mvn -o -q -B -pl isakmpd-ha dependency:build-classpath -Dmdep.includeScope=test \
        -Dmdep.outputFile="$OUT/ha-cp.txt" >&2
    echo "host: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) (the guest is one process of it)"
    for pairs in $([ "${BENCH_HOST:-}" != 1 ] || echo "$PAIRS" | tr ',' ' '); do
        # shellcheck disable=SC2086
        java ${BENCH_JVM%%|*} -cp "isakmpd-daemon/target/test-classes:isakmpd-daemon/target/isakmpd.jar:isakmpd-daemon/target/lib/*" \
            dev.isakmpd.daemon.runtime.XfrmTakeoverBench "$pairs" memory 2>/dev/null
    done
    exec scripts/lab/run-in-uml.sh --timeout 900 --mem 2G -- "$0" "$PAIRS" "$COUNT"
fi

# inside the lab
HA="isakmpd-ha/target/test-classes:isakmpd-ha/target/classes:$(cat "$OUT/ha-cp.txt")"
load() { echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"; }
echo "kernel lab: $(uname -r), $(nproc) CPU, guest $(load)"
: >"$OUT/takeover.log"
run=1
echo "$BENCH_JVM" | tr '|' '\n' | while read -r opts; do
    for pairs in $(echo "$PAIRS" | tr ',' ' '); do
        echo "JVM options: $opts"
        profile=$([ $run = 1 ] && echo xfrm || echo noprofile)
        # shellcheck disable=SC2086
        java $opts -Djna.tmpdir="$OUT" ${BENCH_JFR:+-XX:StartFlightRecording=filename=$OUT/takeover-$run.jfr} \
            -cp "isakmpd-daemon/target/test-classes:isakmpd-daemon/target/isakmpd.jar:isakmpd-daemon/target/lib/*" \
            dev.isakmpd.daemon.runtime.XfrmTakeoverBench "$pairs" $profile 2>>"$OUT/takeover.log" \
            || { tail -20 "$OUT/takeover.log"; exit 1; }
        run=$((run + 1))
        echo "$(load)"
    done
done
echo "daemon log: $(grep -c ' ERROR ' "$OUT/takeover.log" || true) errors, $(wc -l <"$OUT/takeover.log") lines"
echo "$(load)"
[ "$COUNT" != 0 ] || exit 0

ip netns add ha-a
ip netns add ha-b
ip link add sync-a netns ha-a type veth peer name sync-b netns ha-b
ip -n ha-a addr add 203.0.113.129/30 dev sync-a
ip -n ha-b addr add 203.0.113.130/30 dev sync-b
for n in ha-a ha-b; do ip -n $n link set lo up; done
ip -n ha-a link set sync-a up
ip -n ha-b link set sync-b up
ack() { # ack LABEL: one standby JVM in ha-b, the measuring active in ha-a
    ip netns exec ha-b java -XX:+UseSerialGC -Xmx256m -cp "$HA" dev.isakmpd.ha.AckLatencyBench standby \
        203.0.113.130:7800 203.0.113.129:7800 >"$OUT/standby.log" 2>&1 &
    standby=$!
    # the active joins a standby that is up: two nodes starting at once form two singletons, and
    # a merge gives the standby no snapshot, so it would acknowledge nothing
    i=0
    until grep -q "alone, starting" "$OUT/standby.log"; do
        i=$((i + 1)); [ $i -lt 120 ] || { cat "$OUT/standby.log"; exit 1; }; sleep 0.5
    done
    echo "$1: $(ip netns exec ha-a ping -c 5 -i 0.2 -q 203.0.113.130 | tail -1)"
    ip netns exec ha-a java -XX:+UseSerialGC -Xmx256m -cp "$HA" dev.isakmpd.ha.AckLatencyBench active \
        203.0.113.129:7800 203.0.113.130:7800 "$COUNT" >"$OUT/active.log" 2>&1 || { cat "$OUT/active.log"; exit 1; }
    grep "acked replication" "$OUT/active.log"
    kill "$standby"
    wait "$standby" || true
    echo "$(load)"
}
ack "veth"
modprobe sch_netem
ip netns exec ha-a tc qdisc add dev sync-a root netem delay 1ms
ip netns exec ha-b tc qdisc add dev sync-b root netem delay 1ms
ack "veth, netem delay 1ms on both ends"
