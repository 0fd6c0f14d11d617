#!/usr/bin/env bash
# two-daemons-scenario.sh - our daemon against itself in the kernel lab, for what no peer here
# negotiates (strongSwan 5.9.8 and libreswan 4.10 skip AH+ESP bundles): runs INSIDE the lab
# (scripts/lab/run-in-uml.sh -- ...), where both daemons install real SAs.
#
# usage: two-daemons-scenario.sh --out DIR --us-cmd CMD --sw-cmd CMD [--timeout S]
#   --us-cmd CMD  daemon A, started in namespace "us" (198.51.100.1, selector 10.1.0.0/16), output
#                 to DIR/ours.log; ready when DIR/us-ready exists
#   --sw-cmd CMD  daemon B in namespace "sw" (198.51.100.2, selector 10.2.0.0/16), output to
#                 DIR/peer.log; ready when DIR/sw-ready exists
#   Each command gets run-scenario.sh's INTEROP_* variables from its own point of view, with
#   INTEROP_SIDE=ours or peer (the prefix of the files it writes) and INTEROP_PING=1. Neither
#   initiates by configuration: once both are ready, a ping 10.1.0.1 -> 10.2.0.1 hits A's trap
#   policy, A's kernel ACQUIREs, and A negotiates. When both kernels hold at least two SAs of
#   every protocol that A's holds, "ping -c 3" must get its replies.
# Results in DIR: result (OK | FAIL reason), ours.log, peer.log, ping-trigger.txt, ping.txt,
# ip-xfrm-state-stats-us.txt, ip-xfrm-state-stats-sw.txt (the counters are checked by the caller).
set -u
prog=two-daemons-scenario
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"

out='' us_cmd='' sw_cmd='' timeout_s=100
while [ $# -gt 0 ]; do
    case $1 in
        --out) out=$2 ;; --us-cmd) us_cmd=$2 ;; --sw-cmd) sw_cmd=$2 ;; --timeout) timeout_s=$2 ;;
        *) echo "$prog: unknown argument $1" >&2; exit 2 ;;
    esac
    shift 2
done
for v in out us_cmd sw_cmd; do
    [ -n "${!v}" ] || { echo "$prog: --${v//_/-} is required" >&2; exit 2; }
done
[ "${LAB_IN_UML:-0}" = 1 ] || { echo "$prog: must run inside the kernel lab" >&2; exit 2; }
mkdir -p "$out" && out=$(cd "$out" && pwd)
rm -f "$out"/{result,ours.log,peer.log,us-ready,sw-ready,ping-trigger.txt,ping.txt} \
      "$out"/{ip-xfrm-state-stats-us.txt,ip-xfrm-state-stats-sw.txt}
pids=()

finish() {
    trap '' INT TERM HUP
    local p
    for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null; done
    msleep 3
    for p in "${pids[@]}"; do kill -KILL -- "-$p" 2>/dev/null; done
    remove_netns
    echo "$*" >"$out/result"
    echo "$prog: $*  (results in $out)" >&2
    [ "$1" = OK ]; exit $?
}
trap 'finish FAIL interrupted' INT TERM HUP

make_netns && make_ping_path || finish FAIL "network set-up failed"

# start NS SIDE LOCAL REMOTE LOCAL_TS REMOTE_TS CMD: one daemon in NS, its output in DIR/SIDE.log
start() {
    INTEROP_OUT=$out INTEROP_SIDE=$2 INTEROP_LOCAL_ADDR=$3 INTEROP_REMOTE_ADDR=$4 INTEROP_LOCAL_TS=$5 \
    INTEROP_REMOTE_TS=$6 INTEROP_READY_FILE=$out/$1-ready INTEROP_NETNS=$1 INTEROP_PING=1 INTEROP_INITIATOR=none \
        ip netns exec "$1" setsid bash -c "$7" >"$out/$2.log" 2>&1 </dev/null &
    pids+=($!)
}
start us ours "$INTEROP_US_ADDR" "$INTEROP_SW_ADDR" "$INTEROP_US_TS" "$INTEROP_SW_TS" "$us_cmd"
start sw peer "$INTEROP_SW_ADDR" "$INTEROP_US_ADDR" "$INTEROP_SW_TS" "$INTEROP_US_TS" "$sw_cmd"
# a JVM can take tens of seconds to start in the lab guest: the negotiation's limit counts from ready
ready_deadline=$(( ${EPOCHREALTIME%.*} + 90 ))
while [ ! -e "$out/us-ready" ] || [ ! -e "$out/sw-ready" ]; do
    for p in "${pids[@]}"; do alive "$p" || finish FAIL "a daemon exited before it was ready (see ours.log, peer.log)"; done
    [ "${EPOCHREALTIME%.*}" -lt "$ready_deadline" ] || finish FAIL "the daemons were not ready within 90 s"
    msleep 0.2
done
deadline=$(( ${EPOCHREALTIME%.*} + timeout_s ))
ip netns exec us ping -c 1 -W 1 -I $PING_US_ADDR $PING_SW_ADDR >"$out/ping-trigger.txt" 2>&1

# protos NS: the protocols of NS's SAs, one per line with its count ("2 ah")
protos() { ip -n "$1" xfrm state 2>/dev/null | awk '/^[ \t]*proto /{print $2}' | sort | uniq -c; }
while :; do
    us=$(protos us) sw=$(protos sw)
    if [ -n "$us" ] && [ "$us" = "$sw" ] && ! awk '$1 < 2 { bad = 1 } END { exit !bad }' <<<"$us"; then break; fi
    for p in "${pids[@]}"; do alive "$p" || finish FAIL "a daemon died (see ours.log, peer.log)"; done
    [ "${EPOCHREALTIME%.*}" -lt "$deadline" ] ||
        finish FAIL "timeout: us holds [$(echo $us)], sw holds [$(echo $sw)] (see ours.log, peer.log)"
    msleep 0.5
done
ip netns exec us ping -c 3 -i 0.3 -W 2 -I $PING_US_ADDR $PING_SW_ADDR >"$out/ping.txt" 2>&1
rc=$?
ip -n us -s xfrm state >"$out/ip-xfrm-state-stats-us.txt" 2>&1
ip -n sw -s xfrm state >"$out/ip-xfrm-state-stats-sw.txt" 2>&1
[ $rc = 0 ] || finish FAIL "ping $PING_US_ADDR -> $PING_SW_ADDR through the SAs failed (see ping.txt)"
finish OK
