#!/usr/bin/env bash
# charon-peer.sh - a second strongSwan (charon-systemd) standing in for our
# daemon as "our side" of run-scenario.sh; used by selftest.sh to check the
# harness itself.  Meant to be given as --ours-cmd; it runs in namespace "us"
# and takes everything from the INTEROP_* environment that run-scenario.sh
# exports (INTEROP_OUT, INTEROP_PSK, INTEROP_IKE, INTEROP_ESP, INTEROP_PFS,
# INTEROP_INITIATOR, INTEROP_LOCAL_ADDR, INTEROP_REMOTE_ADDR, INTEROP_LOCAL_TS,
# INTEROP_REMOTE_TS, INTEROP_READY_FILE).
#
# usage (as --ours-cmd): scripts/interop/charon-peer.sh
#
# It mirrors the strongSwan side's configuration, with its own
# STRONGSWAN_CONF (INTEROP_OUT/us/strongswan.conf), its own vici socket
# (/run/interop-us/charon.vici) and log (INTEROP_OUT/us/charon.log).  After
# loading it creates INTEROP_READY_FILE; if INTEROP_INITIATOR=us it then runs
# "swanctl --initiate --child net".  It runs until SIGTERM.
# For negative tests, CHARON_PEER_PSK / CHARON_PEER_IKE / CHARON_PEER_ESP
# override the PSK / IKE proposal / ESP proposal of this side only.
# charon-systemd writes no pid file, so two instances in one guest only need
# distinct vici sockets (the guest's /run is shared by all namespaces).
set -u
prog=charon-peer
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"

: "${INTEROP_OUT:?run me as --ours-cmd of run-scenario.sh}"
dir=$INTEROP_OUT/us
run=/run/interop-us
vici=$run/charon.vici
rm -rf "$dir" "$run"
mkdir -p "$run" && make_swanctl_dir "$dir/swanctl" || exit 1
export STRONGSWAN_CONF=$dir/strongswan.conf
write_strongswan_conf "$STRONGSWAN_CONF" "$vici" "$dir/charon.log"
write_swanctl_conf "$dir/swanctl/swanctl.conf" "$INTEROP_LOCAL_ADDR" "$INTEROP_REMOTE_ADDR" \
    "$INTEROP_LOCAL_TS" "$INTEROP_REMOTE_TS" "${CHARON_PEER_PSK:-$INTEROP_PSK}" \
    "${CHARON_PEER_IKE:-$INTEROP_IKE}" "${CHARON_PEER_ESP:-$INTEROP_ESP}" \
    "$INTEROP_PFS" none

"$CHARON_BIN" >"$dir/charon.stderr" 2>&1 &
charon_pid=$!
trap 'kill -TERM $charon_pid 2>/dev/null; wait $charon_pid; rm -rf "$run"; exit 0' TERM INT HUP
wait_socket "$vici" 20 || { echo "$prog: no vici socket" >&2; kill $charon_pid; exit 1; }
swanctl --load-all --noprompt --file "$dir/swanctl/swanctl.conf" || exit 1
echo "$prog: charon-systemd pid $charon_pid ready"
[ -n "${INTEROP_READY_FILE:-}" ] && : >"$INTEROP_READY_FILE"
if [ "${INTEROP_INITIATOR:-}" = us ]; then
    swanctl --initiate --child net --ike interop --timeout 30
    echo "$prog: swanctl --initiate exit status $?"
fi
wait $charon_pid
echo "$prog: charon-systemd exited with status $?"
