#!/usr/bin/env bash
# Issue 15 "Scale": the kernel's counter reports (XFRM_MSG_NEWAE) from PAIRS busy IPsec SA pairs,
# in one kernel-lab boot (User-Mode Linux: this host's kernel has no ESP). Namespace "us" (our
# side, 198.51.100.1) holds PAIRS tunnels 10.1.x.y/32 <-> 10.2.x.y/32 installed by
# dev.isakmpd.daemon.bench.NewaeRateBench through our XFRM back-end with the [ha] report
# thresholds; namespace "peer" (198.51.100.2) holds the mirror SAs and policies (ip -batch). A
# generator on each side (scripts/lab/tunnel-traffic.py) sends PPS UDP packets/s round-robin over
# all pairs, so that every one of the 2 x PAIRS SAs carries traffic. For each SETTING
# ("REPLAY_THRESHOLD INTERVAL_MS"), the bench prints the reports/s its listener received, those
# the kernel dropped (receive buffer full), the records/s after the event loop's per-SA
# coalescing, and the CPU that costs, without and with the traffic (docs/ha.md "Scale").
#
#   scripts/bench-ha-newae.sh [PAIRS [SECONDS [PPS [SETTING...]]]]
#   defaults: 1000 10 3000 "1024 1000" "1024 100" "1 1000"   (one boot, about 3 minutes)
#   results: isakmpd-daemon/target/bench-ha-newae/result.txt; BENCH_NO_BUILD=1 skips the mvn build
set -euo pipefail
cd "$(dirname "$0")/.."
PAIRS=${1:-1000}
SECS=${2:-10}
PPS=${3:-3000}
shift $(($# < 3 ? $# : 3))
[ $# -gt 0 ] || set -- "1024 1000" "1024 100" "1 1000"
OUT=$PWD/isakmpd-daemon/target/bench-ha-newae
if [ "${LAB_IN_UML:-}" != 1 ]; then
    rm -rf "$OUT"
    mkdir -p "$OUT"
    # test classes too: the bench is one; BENCH_NO_BUILD=1 skips this
    [ -n "${BENCH_NO_BUILD:-}" ] || mvn -o -q -B -DskipTests package -pl isakmpd-daemon -am >&2
    # the mirror side and our side's addresses, in ip -batch syntax: the same test keys as
    # KernelInstallBench.sa (first key byte = the SPI's low byte, the rest 0); a reqid per pair, or
    # the peer's policies would all pick one of its outbound SAs
    key() { printf '0x%02x%0*d' $(($1 & 0xff)) "$2" 0; }
    for ((i = 0; i < PAIRS; i++)); do
        o=$((0x10000 + i)) n=$((0x20000 + i)) us=10.1.$((i >> 8)).$((i & 255)) them=10.2.$((i >> 8)).$((i & 255))
        echo "xfrm state add src 198.51.100.1 dst 198.51.100.2 proto esp spi $o reqid $((i + 1)) mode tunnel" \
            "auth sha1 $(key $o 38) enc aes $(key $o 30)" >&3
        echo "xfrm state add src 198.51.100.2 dst 198.51.100.1 proto esp spi $n reqid $((i + 1)) mode tunnel" \
            "auth sha1 $(key $n 38) enc aes $(key $n 30)" >&3
        echo "xfrm policy add src $them/32 dst $us/32 dir out tmpl src 198.51.100.2 dst 198.51.100.1 proto esp reqid $((i + 1)) mode tunnel" >&4
        echo "xfrm policy add src $us/32 dst $them/32 dir in tmpl src 198.51.100.1 dst 198.51.100.2 proto esp reqid $((i + 1)) mode tunnel" >&4
        echo "address add $them/32 dev lo" >&4
        echo "address add $us/32 dev lo" >&5
    done 3>"$OUT/peer-sas.batch" 4>"$OUT/peer.batch" 5>"$OUT/us.batch"
    echo "host: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) (the guest is one process of it)" |
        tee "$OUT/result.txt"
    scripts/lab/run-in-uml.sh --timeout 900 --mem 1G -- "$0" "$PAIRS" "$SECS" "$PPS" "$@" | tee -a "$OUT/result.txt"
    exit "${PIPESTATUS[0]}"
fi

# inside the lab
load() { echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"; }
echo "kernel lab: $(uname -r), $(nproc) CPU, guest $(load); $PAIRS pairs, $PPS packets/s each way, windows of ${SECS}s"
ip netns add us
ip netns add peer
ip link add v-us netns us type veth peer name v-peer netns peer
for ns in us peer; do
    ip -n $ns link set lo up
    ip netns exec $ns sysctl -q -w net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
done
ip -n us addr add 198.51.100.1/24 dev v-us
ip -n peer addr add 198.51.100.2/24 dev v-peer
ip -n us link set v-us up
ip -n peer link set v-peer up
ip -n us route add 10.2.0.0/16 dev v-us
ip -n peer route add 10.1.0.0/16 dev v-peer
ip -n us -batch "$OUT/us.batch"
ip -n peer -batch "$OUT/peer.batch"
CP="isakmpd-daemon/target/test-classes:isakmpd-daemon/target/isakmpd.jar:isakmpd-daemon/target/lib/*"
for setting in "$@"; do
    set -- $setting
    ip -n peer xfrm state flush   # fresh sequence numbers on both sides for each setting
    ip -n peer -batch "$OUT/peer-sas.batch"
    log=$OUT/bench-$1-$2.log ready=$OUT/ready go=$OUT/go
    rm -f "$ready" "$go"
    echo "--- reports every $1 packets or $2 ms"
    ip netns exec us java -XX:+UseSerialGC -Xmx256m -Djna.tmpdir="$OUT" -cp "$CP" \
        dev.isakmpd.daemon.bench.NewaeRateBench "$PAIRS" "$1" "$2" "$SECS" "$ready" "$go" >"$log" 2>&1 &
    bench=$!
    # the generators set up their sockets meanwhile (seconds in the guest) and send on "$go"
    ip netns exec us python3 scripts/lab/tunnel-traffic.py 10.1 10.2 "$PAIRS" "$PPS" "$go" >"$OUT/traffic-us.txt" 2>&1 &
    gen_us=$!
    ip netns exec peer python3 scripts/lab/tunnel-traffic.py 10.2 10.1 "$PAIRS" "$PPS" "$go" >"$OUT/traffic-peer.txt" 2>&1 &
    gen_peer=$!
    until [ -e "$ready" ] && grep -q ready "$OUT/traffic-us.txt" && grep -q ready "$OUT/traffic-peer.txt"; do
        kill -0 $bench $gen_us $gen_peer 2>/dev/null || { cat "$log" "$OUT"/traffic-*.txt; exit 1; }
        sleep 0.2
    done
    touch "$go"
    wait $bench || { cat "$log"; exit 1; }
    wait $gen_us $gen_peer   # they stopped when the bench removed "$go"
    grep -E 'reports/s|pairs installed' "$log"
    # between the idle window's line and the busy window's (not the SAs' removal at the end)
    echo "kernel buffer overruns (our listener's ENOBUFS) with traffic:" \
        "$(sed -n '/^no traffic/,/^traffic/p' "$log" | grep -c 'dropped XFRM messages' || true)"
    cat "$OUT/traffic-us.txt" "$OUT/traffic-peer.txt"
    echo "peer's XFRM errors: $(ip netns exec peer awk '$2 != 0' /proc/net/xfrm_stat | tr '\n' ' ');" \
        "ours: $(ip netns exec us awk '$2 != 0' /proc/net/xfrm_stat | tr '\n' ' '); guest $(load)"
done
