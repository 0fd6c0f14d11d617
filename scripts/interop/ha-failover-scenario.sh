#!/usr/bin/env bash
# ha-failover-scenario.sh - issue 15 "What it must show": an active/standby pair of our daemon
# ([ha] mode = "active-standby", XFRM) with keepalived each fails over under traffic, and
# strongSwan 5.9.8 (IKEv1) keeps its ISAKMP SA and ESP SAs.  Runs INSIDE the kernel lab
# (scripts/lab/run-in-uml.sh -- ...), several runs in one boot.
#
# usage: ha-failover-scenario.sh --out DIR --jar JAR [--kill-at S] [--stream S] --run SPEC [--run SPEC]...
#   --run NAME:ESP[:HA-LINE]  one failover, results in DIR/NAME: ESP is strongSwan's ESP proposal
#                 (aes128gcm16, aes128-sha256); HA-LINE an extra TOML line for both nodes' [ha]
#                 table (the negative control switches counter sync off with it)
#   --kill-at S   gw-a dies S seconds into the streams (default 20)
#   --stream S    length of the numbered UDP streams, 200 datagrams/s each way (default 30)
#
# Topology (documentation addresses only):
#   netns peer: strongSwan, 198.51.100.2 on the outside bridge, protected 198.51.100.129 (lo),
#               selectors 198.51.100.128/25 <-> 203.0.113.0/25, dpd_delay 2s, initiates
#   netns hub:  bridges br-out (198.51.100.0/25) and br-in (203.0.113.0/25)
#   netns gwa / gwb: our daemon + keepalived (VRRPv3, advert_int 0.1, nopreempt, notify FIFO,
#               track file; conf/keepalived-ha.conf.example), outside .11/.12 with the VIP
#               198.51.100.10, inside 203.0.113.2/.3 with the VIP 203.0.113.1, and a direct
#               sync veth 203.0.113.129 <-> .130
#   netns inside: 203.0.113.20, default route via the inside VIP
# Per run: gw-a starts alone (becomes MASTER, active), then gw-b (standby, takes the snapshot);
# strongSwan initiates to the VIP; numbered UDP streams 198.51.100.129 <-> 203.0.113.20 (udp-seq.py);
# at --kill-at gw-a dies as a node dies (SIGKILL of daemon and keepalived, links down, ip xfrm
# state flush); after the streams: the peer's DPD, a Quick Mode rekey by the peer (swanctl
# --rekey) and one by gw-b (control socket "rekey"), then a Delete from the peer (swanctl
# --terminate --child).
# Results in DIR/NAME: result.txt (key=value lines, see measure()), the daemons' logs gwa.log and
# gwb.log, charon.log, keepalived-gw?.log, stream-*.txt, xfrm_stat-*.txt, swanctl-*.txt.  DIR/result
# is "OK" when every run got as far as its measurements (the targets are the caller's to judge),
# else "FAIL reason".
set -u
prog=ha-failover-scenario
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"

out='' jar='' kill_at=20 stream_s=30 runs=()
while [ $# -gt 0 ]; do
    case $1 in
        --out) out=$2 ;; --jar) jar=$2 ;; --kill-at) kill_at=$2 ;; --stream) stream_s=$2 ;; --run) runs+=("$2") ;;
        *) echo "$prog: unknown argument $1" >&2; exit 2 ;;
    esac
    shift 2
done
[ -n "$out" ] && [ -n "$jar" ] && [ ${#runs[@]} -gt 0 ] || { echo "$prog: --out, --jar and --run are required" >&2; exit 2; }
[ "${LAB_IN_UML:-0}" = 1 ] || { echo "$prog: must run inside the kernel lab" >&2; exit 2; }
mkdir -p "$out" && out=$(cd "$out" && pwd)
rm -f "$out/result"

VIP_OUT=198.51.100.10 VIP_IN=203.0.113.1 PEER=198.51.100.2 PEER_HOST=198.51.100.129 INSIDE_HOST=203.0.113.20
PEER_TS=198.51.100.128/25 INSIDE_TS=203.0.113.0/25
declare -A OUT_ADDR=([gwa]=198.51.100.11 [gwb]=198.51.100.12) IN_ADDR=([gwa]=203.0.113.2 [gwb]=203.0.113.3)
declare -A SYNC_ADDR=([gwa]=203.0.113.129 [gwb]=203.0.113.130) OTHER=([gwa]=gwb [gwb]=gwa)
declare -A PRIO=([gwa]=150 [gwb]=100)
NETNS=(peer hub gwa gwb inside)
RUN=/run/ha-lab VICI=/run/ha-lab/charon.vici
export INTEROP_SLEEP_FIFO=/dev/ptmx
pids=()

stop_all() {
    local p ns
    for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
    for ns in "${NETNS[@]}"; do
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
        ip netns del "$ns" 2>/dev/null
    done
    pids=()
    rm -rf "$RUN"
}
fail() { stop_all; echo "FAIL $*" >"$out/result"; echo "$prog: FAIL $*" >&2; exit 1; }
trap 'fail interrupted' INT TERM HUP
say() { echo "$prog: [$(now)] $*" >&2; }

make_network() {
    stop_all
    modprobe bridge || return 1
    ip -batch - <<NET || return 1
netns add peer
netns add hub
netns add gwa
netns add gwb
netns add inside
link add p-out netns peer type veth peer name h-peer netns hub
link add out netns gwa type veth peer name h-a-out netns hub
link add in netns gwa type veth peer name h-a-in netns hub
link add out netns gwb type veth peer name h-b-out netns hub
link add in netns gwb type veth peer name h-b-in netns hub
link add i-in netns inside type veth peer name h-inside netns hub
link add sync netns gwa type veth peer name sync netns gwb
NET
    ip -n hub -batch - <<HUB || return 1
link add br-out type bridge stp_state 0 forward_delay 0
link add br-in type bridge stp_state 0 forward_delay 0
link set h-peer master br-out
link set h-a-out master br-out
link set h-b-out master br-out
link set h-a-in master br-in
link set h-b-in master br-in
link set h-inside master br-in
link set br-out up
link set br-in up
link set h-peer up
link set h-a-out up
link set h-b-out up
link set h-a-in up
link set h-b-in up
link set h-inside up
HUB
    ip -n peer -batch - <<PEERNET || return 1
link set lo up
addr add $PEER/25 dev p-out
addr add $PEER_HOST/32 dev lo
link set p-out up
route add $INSIDE_TS via $VIP_OUT src $PEER_HOST
PEERNET
    ip -n inside -batch - <<INSIDE || return 1
link set lo up
addr add $INSIDE_HOST/25 dev i-in
link set i-in up
route add default via $VIP_IN
INSIDE
    local gw
    for gw in gwa gwb; do
        ip -n $gw -batch - <<GW || return 1
link set lo up
addr add ${OUT_ADDR[$gw]}/25 dev out
addr add ${IN_ADDR[$gw]}/25 dev in
addr add ${SYNC_ADDR[$gw]}/30 dev sync
link set out up
link set in up
link set sync up
route add $PEER_TS via $PEER
GW
        # forwarding; the standby listens on the VIP before it has it
        ip netns exec $gw sysctl -q -w net.ipv4.ip_forward=1 net.ipv4.ip_nonlocal_bind=1 || return 1
    done
}

# keepalived_conf GW: conf/keepalived-ha.conf.example for this node and lab
keepalived_conf() {
    local gw=$1 other=${OTHER[$1]}
    cat <<CONF
global_defs {
    router_id $gw
    vrrp_version 3
    vrrp_notify_fifo $RUN/$gw/vrrp.fifo
}
track_file isakmpd_synced {
    file "$RUN/$gw/vrrp-weight"
    weight 1
    init_file -100
}
vrrp_sync_group isakmpd {
    group {
        outside
        inside
    }
    track_file {
        isakmpd_synced
    }
    sync_group_tracking_weight
}
vrrp_instance outside {
    state BACKUP
    nopreempt
    interface out
    virtual_router_id 51
    priority ${PRIO[$gw]}
    advert_int 0.1
    unicast_src_ip ${OUT_ADDR[$gw]}
    unicast_peer {
        ${OUT_ADDR[$other]}
    }
    virtual_ipaddress {
        $VIP_OUT/25 dev out
    }
}
vrrp_instance inside {
    state BACKUP
    nopreempt
    interface in
    virtual_router_id 52
    priority ${PRIO[$gw]}
    advert_int 0.1
    unicast_src_ip ${IN_ADDR[$gw]}
    unicast_peer {
        ${IN_ADDR[$other]}
    }
    virtual_ipaddress {
        $VIP_IN/25 dev in
    }
}
CONF
}

# daemon_conf GW ESP HA-LINE: our daemon on GW, listening on the VIP, responder to strongSwan
daemon_conf() {
    local gw=$1 esp=$2 extra=$3 other=${OTHER[$1]}
    cat <<CONF
[daemon]
listen = ["$VIP_OUT:500"]
kernel = "xfrm"
status-file = "$dir/$gw.status"
control-socket = "$RUN/$gw/ctl"

[ha]
mode = "active-standby"
node = "$gw"
sync-link = ["${SYNC_ADDR[$gw]}", "${SYNC_ADDR[$other]}"]
key-file = "$RUN/ha.key"
keepalived-fifo = "$RUN/$gw/vrrp.fifo"
track-file = "$RUN/$gw/vrrp-weight"
# counters every 64 packets or 1 s; margin max(2 x 64, 400 x (1 s + 0.2 s)) = 480 sequence numbers,
# far below what 20 s at 200/s sent: a node without the replicated counters is caught by the peer
replay-threshold = 64
replay-interval = "1s"
peak-pps = 400
$extra

[peers.strongswan]
local = "$VIP_OUT:500"
remote = "$PEER:500"
psk = "$PSK"
ike = ["$IKE"]
auto = "add"
dpd-delay = "2s"
dpd-timeout = "30s"

[peers.strongswan.tunnels.net]
local-subnet = "$INSIDE_TS"
remote-subnet = "$PEER_TS"
esp = ["$esp"]
pfs = "none"
CONF
}

# start_gw GW: keepalived and our daemon in GW's namespace (their pids in KA_PID[GW], D_PID[GW])
declare -A KA_PID D_PID
start_gw() {
    local gw=$1
    mkdir -p "$RUN/$gw"
    keepalived_conf $gw >"$dir/keepalived-$gw.conf"
    daemon_conf $gw "$esp" "$ha_line" >"$dir/$gw.toml"
    ip netns exec $gw java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Djna.tmpdir="$RUN/$gw" \
        -jar "$jar" run --config "$dir/$gw.toml" --log-level debug >"$dir/$gw.log" 2>&1 </dev/null &
    D_PID[$gw]=$!
    pids+=(${D_PID[$gw]})
    ip netns exec $gw keepalived -n -l -D -P -f "$dir/keepalived-$gw.conf" -p "$RUN/$gw/keepalived.pid" \
        -r "$RUN/$gw/vrrp.pid" -c "$RUN/$gw/checkers.pid" >"$dir/keepalived-$gw.log" 2>&1 </dev/null &
    KA_PID[$gw]=$!
    pids+=(${KA_PID[$gw]})
}

# wait_log FILE REGEX SECONDS WHAT
wait_log() {
    local end=$(( ${EPOCHREALTIME%.*} + $3 ))
    until grep -Eq "$2" "$1" 2>/dev/null; do
        [ "${EPOCHREALTIME%.*}" -lt "$end" ] || return 1
        msleep 0.2
    done
}

# swanctl finds the vici socket through STRONGSWAN_CONF (swanctl.socket)
swanctl_() { ip netns exec peer swanctl "$@"; }
xfrm_stat() { ip netns exec "$1" awk '$1 == "XfrmInStateSeqError" { print $2 }' /proc/net/xfrm_stat; }
# ctl GW JSON: one request to GW's control socket, the reply line on stdout
ctl() {
    ip netns exec "$1" /usr/bin/python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.argv[2].encode() + b"\n")
print(s.makefile().readline().strip())' "$RUN/$1/ctl" "$2"
}
# ids: the peer's ISAKMP SA cookies and ESP SPIs, one line
ids() {
    swanctl_ --list-sas --raw 2>/dev/null | grep -o 'initiator-spi=[0-9a-f]*\|responder-spi=[0-9a-f]*\|spi-in=[0-9a-f]*\|spi-out=[0-9a-f]*' |
        tr '\n' ' '
}
# ms HH:MM:SS.mmm: milliseconds since midnight of a log line's time
ms() { awk -v t="$1" 'BEGIN { split(t, a, ":"); printf "%d", (a[1] * 3600 + a[2] * 60 + a[3]) * 1000 }'; }

one_run() {
    local name=$1 esp=$2 ha_line=$3 dir=$out/$1
    rm -rf "$dir" && mkdir -p "$dir" || return 1
    say "run $name: esp $esp, [ha] extra '$ha_line'"
    make_network || { echo "network set-up failed"; return 1; }
    mkdir -p "$RUN" && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$RUN/ha.key" && chmod 600 "$RUN/ha.key"

    # strongSwan in "peer"
    export STRONGSWAN_CONF=$dir/strongswan.conf
    make_swanctl_dir "$dir/swanctl"
    write_strongswan_conf "$STRONGSWAN_CONF" "$VICI" "$dir/charon.log"
    write_swanctl_conf "$dir/swanctl/swanctl.conf" "$PEER" "$VIP_OUT" "$PEER_TS" "$INSIDE_TS" "$PSK" "$IKE" "$esp" none none
    sed -i 's/^        dpd_delay = 0$/        dpd_delay = 2s/' "$dir/swanctl/swanctl.conf"
    ip netns exec peer "$CHARON_BIN" >"$dir/charon.stderr" 2>&1 &
    pids+=($!)
    wait_socket "$VICI" 20 || { echo "charon did not open its vici socket"; return 1; }
    swanctl_ --load-all --noprompt --file "$dir/swanctl/swanctl.conf" >"$dir/swanctl-load.txt" 2>&1 ||
        { echo "swanctl --load-all failed"; return 1; }

    # gw-a first: alone on the sync link it is synced at once and becomes MASTER
    start_gw gwa
    wait_log "$dir/gwa.log" 'is now ACTIVE' 90 || { echo "gw-a did not become active (see gwa.log, keepalived-gwa.log)"; return 1; }
    say "$name: gw-a active"
    start_gw gwb
    wait_log "$dir/gwb.log" 'initial sync complete' 90 || { echo "gw-b did not complete its initial sync (see gwb.log)"; return 1; }
    say "$name: gw-b synced"
    swanctl_ --initiate --child net --ike interop --timeout 30 >"$dir/swanctl-initiate.txt" 2>&1 ||
        { echo "swanctl --initiate failed (see charon.log, gwa.log)"; return 1; }
    msleep 1   # QM3 reaches gw-a
    ip netns exec peer ip xfrm state >"$dir/xfrm-state-peer-before.txt"
    ids_before=$(ids)

    # the streams; gw-a dies at kill_at
    local seq=$HERE/udp-seq.py rx_in rx_peer tx_in tx_peer t0 wait_ms
    ip netns exec inside /usr/bin/python3 "$seq" recv $INSIDE_HOST 5001 >"$dir/stream-peer-inside.txt" 2>&1 & rx_in=$!
    ip netns exec peer /usr/bin/python3 "$seq" recv $PEER_HOST 5001 >"$dir/stream-inside-peer.txt" 2>&1 & rx_peer=$!
    pids+=($rx_in $rx_peer)
    wait_log "$dir/stream-peer-inside.txt" listening 10 && wait_log "$dir/stream-inside-peer.txt" listening 10 ||
        { echo "the receivers did not start"; return 1; }
    seq_peer_0=$(xfrm_stat peer) seq_gwb_0=$(xfrm_stat gwb)
    t0=${EPOCHREALTIME/./}
    ip netns exec peer /usr/bin/python3 "$seq" send $PEER_HOST $INSIDE_HOST 5001 200 "$stream_s" >"$dir/sent-peer-inside.txt" 2>&1 &
    tx_peer=$!
    ip netns exec inside /usr/bin/python3 "$seq" send $INSIDE_HOST $PEER_HOST 5001 200 "$stream_s" >"$dir/sent-inside-peer.txt" 2>&1 &
    tx_in=$!
    pids+=($tx_peer $tx_in)
    wait_ms=$(( (t0 + kill_at * 1000000 - ${EPOCHREALTIME/./}) / 1000 ))
    [ "$wait_ms" -gt 0 ] && msleep "$(( wait_ms / 1000 )).$(printf %03d $(( wait_ms % 1000 )))"
    local charon_lines_at_kill
    charon_lines_at_kill=$(wc -l <"$dir/charon.log")
    say "$name: gw-a dies"
    date -u +%H:%M:%S.%3N >"$dir/kill-time.txt"
    kill -KILL "${D_PID[gwa]}" "${KA_PID[gwa]}"
    ip -n gwa link set out down; ip -n gwa link set in down; ip -n gwa link set sync down
    ip -n gwa xfrm state flush
    # the peer's IDs once gw-b has taken over (a rekey it starts later changes the SPIs by design)
    wait_log "$dir/gwb.log" 'takeover: ' 10 && msleep 2
    ids_takeover=$(ids)
    wait "$tx_peer" "$tx_in"
    msleep 1   # the last datagrams in flight
    kill -TERM "$rx_in" "$rx_peer"; wait "$rx_in" "$rx_peer"
    seq_peer_1=$(xfrm_stat peer) seq_gwb_1=$(xfrm_stat gwb)
    ids_after=$(ids)
    ip netns exec peer ip -s xfrm state >"$dir/xfrm-state-peer-after.txt"
    ip netns exec gwb ip -s xfrm state >"$dir/xfrm-state-gwb-after.txt"
    say "$name: streams done"

    # after the takeover: DPD (strongSwan probes after 2 s without traffic), a rekey each way, a Delete
    local dpd=no peer_rekey=no our_rekey=no delete=no qm_before
    # strongSwan's own R-U-THERE after the kill, and an R-U-THERE-ACK parsed after it
    for _ in $(seq 1 50); do
        tail -n +"$charon_lines_at_kill" "$dir/charon.log" | awk '/generating INFORMATIONAL_V1 request .*N\(DPD\) \]/ { p = 1 }
            p && /parsed INFORMATIONAL_V1 request .*N\(DPD_ACK\) \]/ { ok = 1 } END { exit !ok }' && { dpd=yes; break; }
        msleep 0.2
    done
    qm_before=$(grep -c 'IPsec SAs established for tunnel net' "$dir/gwb.log")
    swanctl_ --rekey --child net >"$dir/swanctl-rekey.txt" 2>&1
    for _ in $(seq 1 50); do
        [ "$(grep -c 'IPsec SAs established for tunnel net' "$dir/gwb.log")" -gt "$qm_before" ] && { peer_rekey=yes; break; }
        msleep 0.2
    done
    qm_before=$(grep -c 'IPsec SAs established for tunnel net' "$dir/gwb.log")
    ctl gwb '{"command":"rekey","peer":"strongswan","tunnel":"net"}' >"$dir/ctl-rekey.txt" 2>&1
    for _ in $(seq 1 50); do
        [ "$(grep -c 'IPsec SAs established for tunnel net' "$dir/gwb.log")" -gt "$qm_before" ] && { our_rekey=yes; break; }
        msleep 0.2
    done
    swanctl_ --list-sas --raw >"$dir/swanctl-list-sas-after-rekeys.txt" 2>&1
    local gwb_lines
    gwb_lines=$(wc -l <"$dir/gwb.log")
    swanctl_ --terminate --child net >"$dir/swanctl-terminate.txt" 2>&1
    for _ in $(seq 1 25); do
        tail -n +"$gwb_lines" "$dir/gwb.log" | grep -q 'peer deleted IPsec SA pair of tunnel net' && { delete=yes; break; }
        msleep 0.2
    done
    ctl gwb '{"command":"status"}' >"$dir/gwb-status.txt" 2>&1

    measure >"$dir/result.txt"
    cat "$dir/result.txt" >&2
    stop_all
}

# measure: the result block of one run (variables of one_run)
measure() {
    local d sent got dup mm takeover master last
    for d in peer-inside inside-peer; do
        sent=$(awk '/^sent / { print $2 }' "$dir/sent-$d.txt")
        read -r _ got _ dup _ < <(grep '^received ' "$dir/stream-$d.txt")
        echo "lost-$d=$(( ${sent:-0} - ${got:-0} ))"
        echo "sent-$d=${sent:-0}"
        echo "duplicates-$d=${dup:-none}"
        echo "gaps-$d=$(sed -n 's/^gaps //p' "$dir/stream-$d.txt")"
    done
    echo "seq-errors-peer=$(( seq_peer_1 - seq_peer_0 ))"
    echo "seq-errors-gwb=$(( seq_gwb_1 - seq_gwb_0 ))"
    echo "ids-before=$ids_before"
    echo "ids-after-takeover=$ids_takeover"
    echo "ids-after-streams=$ids_after"
    echo "ids-unchanged=$([ -n "$ids_before" ] && [ "$ids_before" = "$ids_takeover" ] && [ "$ids_before" = "$ids_after" ] &&
        echo yes || echo no)"
    mm=$(tail -n +"$charon_lines_at_kill" "$dir/charon.log" | grep -c 'ID_PROT')
    echo "main-mode-after-kill=$mm"
    echo "dpd-answered=$dpd"
    echo "peer-rekey-on-gwb=$peer_rekey"
    echo "our-rekey-on-gwb=$our_rekey"
    echo "peer-delete-on-gwb=$delete"
    # takeover: from gw-b's MASTER line to the last outbound SA it installed (and set the counter of)
    # before it negotiated anything
    master=$(grep -m1 'is now ACTIVE' "$dir/gwb.log" | grep -o 'T[0-9:.]*Z' | tr -d TZ)
    last=$(awk '/is now ACTIVE/ { on = 1 } on && /Quick Mode|negotiating/ { exit }
        on && (/installed strongswan\/net ESP out/ || /goes on after sequence number/) { t = $1 } END { print t }' "$dir/gwb.log" |
        grep -o 'T[0-9:.]*Z' | tr -d TZ)
    takeover=none
    [ -n "$master" ] && [ -n "$last" ] && takeover=$(( $(ms "$last") - $(ms "$master") ))
    echo "takeover-ms=$takeover"
    echo "kill-time=$(cat "$dir/kill-time.txt")"
    echo "master-time=${master:-none}"
}

PSK='ha lab psk 0123456789' IKE=aes128-sha256-modp2048
for spec in "${runs[@]}"; do
    IFS=: read -r name esp ha_line <<<"$spec"
    why=$(one_run "$name" "$esp" "$ha_line") || fail "run $name: $why"
done
stop_all
echo OK >"$out/result"
say "OK (results in $out)"
