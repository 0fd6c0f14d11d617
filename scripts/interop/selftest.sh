#!/usr/bin/env bash
# selftest.sh - check the interop harness with strongSwan on BOTH sides:
# run-scenario.sh with charon-peer.sh (a second charon-systemd) as "our side".
# Runs all scenarios in one kernel-lab boot.
#
# usage: selftest.sh [--out BASE] [--lab-keep] [--lab-verbose] [--only NAME[,NAME]]
#   --out BASE   results, one directory per scenario (default /tmp/interop-selftest)
#   --only L     run only these scenarios (names below)
#
# Scenarios (IKE aes128-sha256-modp2048, ESP aes128-sha1, PSK):
#   us-nopfs  us-pfs  sw-nopfs  sw-pfs   Main Mode PSK + Quick Mode established,
#                                        initiated by us / by sw, PFS none / modp2048;
#                                        checks result, --raw list-sas, ip xfrm state
#   neg-psk       peer has another PSK, sw initiates     -> must FAIL (fast)
#   neg-proposal  peer proposes aes256-sha1-modp3072     -> must FAIL (timeout 10 s)
#   neg-exit      our side exits at once                 -> must FAIL (fast)
# Prints PASS/FAIL per scenario with its wall time; exit 0 if all passed.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
base=/tmp/interop-selftest only='' lab_opts=()
while [ $# -gt 0 ]; do
    case $1 in
        --out) base=$2; shift 2 ;;
        --only) only=$2; shift 2 ;;
        --lab-keep) lab_opts+=(--keep); shift ;;
        --lab-verbose) lab_opts+=(-v); shift ;;
        -h|--help) sed -n '2,/^set -u/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "selftest: unknown argument $1" >&2; exit 2 ;;
    esac
done
mkdir -p "$base" && base=$(cd "$base" && pwd) || exit 2

if [ "${LAB_IN_UML:-0}" != 1 ]; then
    # host side: boot the lab once, run this script inside, decode captures
    "$HERE/../lab/run-in-uml.sh" --timeout 600 "${lab_opts[@]}" -- "$0" --out "$base" ${only:+--only "$only"}
    rc=$?
    if command -v tshark >/dev/null; then
        for d in "$base"/*/; do
            [ -s "$d/capture.pcap" ] && "$HERE/decode-capture.sh" "$d" >/dev/null
        done
    fi
    exit $rc
fi

# ---------------------------------------------------------------- in the lab
PEER=$HERE/charon-peer.sh
IKE=aes128-sha256-modp2048 ESP=aes128-sha1
fails=0
now() { local u _; read -r u _ </proc/uptime; echo "$u"; }
want() { [ -z "$only" ] || [[ ,$only, == *,$1,* ]]; }

run() {   # run NAME EXPECT(ok|fail) [run-scenario args...]
    local name=$1 expect=$2; shift 2
    want "$name" || return 0
    local out=$base/$name t0 t1 rc why=''
    rm -rf "$out"
    t0=$(now)
    "$HERE/run-scenario.sh" --out "$out" --ours-ready-file "$out/ours.ready" "$@" 2>/dev/null
    rc=$?
    t1=$(now)
    if [ "$expect" = ok ]; then
        [ $rc = 0 ] || why="exit $rc: $(cat "$out/result" 2>/dev/null)"
        [ -n "$why" ] || grep -q '^list-sa event {interop {.*version=1 state=ESTABLISHED.*child-sas {net-1 {.*state=INSTALLED' "$out/swanctl-list-sas.txt" ||
            why="swanctl-list-sas.txt lacks an ESTABLISHED IKEv1 SA with INSTALLED child"
        [ -n "$why" ] || [ "$(grep -c 'proto esp' "$out/ip-xfrm-state.txt")" = 2 ] || why="not 2 ESP SAs in ip-xfrm-state.txt"
        [ -n "$why" ] || grep -q 'enc cbc(aes)' "$out/ip-xfrm-state.txt" || why="no cbc(aes) in ip-xfrm-state.txt"
        [ -n "$why" ] || grep -q 'auth-trunc hmac(sha1) .* 96' "$out/ip-xfrm-state.txt" || why="no hmac(sha1) 96 in ip-xfrm-state.txt"
        [ -n "$why" ] || grep -q 'CHILD_SA net{1} established' "$out/us/charon.log" || why="peer (us) log lacks CHILD_SA established"
        if [ -z "$why" ] && [[ " $* " == *" --pfs modp2048 "* ]]; then
            grep -q 'child-sas {net-1 {.*dh-group=MODP_2048' "$out/swanctl-list-sas.txt" || why="child SA without dh-group=MODP_2048 (PFS)"
            grep -q 'QUICK_MODE .*\[ HASH SA No KE ID ID \]' "$out/charon.log" || why="${why:-no KE payload in Quick Mode}"
        fi
    else
        [ $rc = 1 ] && grep -q '^FAIL ' "$out/result" || why="expected FAIL, got exit $rc: $(cat "$out/result" 2>/dev/null)"
    fi
    if [ -z "$why" ]; then
        echo "PASS $name ($(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f s", b-a}')): $(cat "$out/result")"
    else
        echo "FAIL $name: $why (see $out)"; fails=$((fails + 1))
    fi
}

common=(--psk 'interop selftest psk' --ike "$IKE" --esp "$ESP" --timeout 30)
run us-nopfs ok "${common[@]}" --pfs none     --initiator us --ours-cmd "$PEER"
run us-pfs   ok "${common[@]}" --pfs modp2048 --initiator us --ours-cmd "$PEER"
run sw-nopfs ok "${common[@]}" --pfs none     --initiator sw --ours-cmd "$PEER"
run sw-pfs   ok "${common[@]}" --pfs modp2048 --initiator sw --ours-cmd "$PEER"
run neg-psk  fail "${common[@]}" --pfs none --initiator sw --ours-cmd "CHARON_PEER_PSK=wrong $PEER"
run neg-proposal fail --psk x --ike "$IKE" --esp "$ESP" --pfs none --initiator us --timeout 10 \
    --ours-cmd "CHARON_PEER_IKE=aes256-sha1-modp3072 $PEER"
run neg-exit fail "${common[@]}" --pfs none --initiator us --ours-cmd "echo not a daemon; exit 3"
echo "selftest: $fails failed; results in $base"
[ $fails = 0 ]
