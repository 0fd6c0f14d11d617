#!/usr/bin/env bash
# rw-clients.sh - several strongSwan 5.9.8 road warriors behind one masquerading NAT against our
# gateway, in one kernel-lab boot (run INSIDE the lab: scripts/lab/run-in-uml.sh -- rw-clients.sh ...).
#
# usage: rw-clients.sh --out DIR --pki DIR --lsw DIR --ours-cmd 'COMMAND' --ours-ready-file F [--timeout S]
#
#   --out DIR            results (a host directory, as for run-scenario.sh)
#   --pki DIR            the test PKI (scripts/make-test-pki.sh): our gateway is gw-a
#   --lsw DIR            libreswan 4.10 unpacked under DIR (as for libreswan-scenario.sh)
#   --ours-cmd CMD       our gateway, "bash -c CMD" in namespace "us", output to DIR/ours.log
#   --ours-ready-file F  our side creates F once it listens
#   --timeout S          limit for each wait below (default 60)
#
# Topology: make_nat_netns sw (lib.sh: "nat" masquerades, UDP source ports to 40000-40999) plus
# add_nat_client sw2, sw3 and sw4: clients "sw" 203.0.113.2, "sw2" .3, "sw3" .4 and "sw4" .5
# behind the NAT's public address 198.51.100.2, our gateway "us" 198.51.100.1 with 10.1.0.1 on its
# veth and routes to its three pools (10.3.0.0/24, 10.4.0.0/24, 10.5.0.0/24) through the NAT.
# Clients (each its own charon-systemd, STRONGSWAN_CONF, vici socket and DIR/NS/ directory), all
# with a virtual IP pulled by Mode-Config (vips = 0.0.0.0), remote_ts 10.1.0.0/16, DPD every 2 s:
#   sw   xauth-rsa, certificate gw-b,  XAUTH user alice: Main Mode with RSA signatures (swanctl
#        local-1 pubkey), then XAUTH (local-2 xauth); our gateway's policy "strongswan"
#   sw2  the same with certificate carol, XAUTH user bob
#   sw3  hybrid (draft-ietf-ipsec-isakmp-hybrid-auth-05), XAUTH user carol: Aggressive Mode, the
#        gateway by its certificate (remote pubkey), itself by XAUTH alone (local auth = xauth), ID
#        HYBRID_ID, which picks our gateway's second policy, "hybrid" (its remote-id)
#   sw4  libreswan's pluto as a Cisco-style client (remote-peer-type=cisco, leftxauthclient,
#        leftmodecfgclient, modecfgpull), Aggressive Mode with the group PSK GROUP_PSK and ID
#        GROUP_ID, XAUTH user dave: our gateway's third policy, "cisco"; files pluto.log, vip-sw4.txt
# Steps (each stamped in DIR/timings.txt):
#   1. all initiate at once; each CHILD_SA must be installed and the virtual IPs must differ;
#      each client pings 10.1.0.1 from its virtual IP (3 of 3), every ESP SA on all four sides
#      counts packets and is ESP in UDP.  Files: vip-NS.txt, ping-NS.txt, ip-xfrm-state-stats-*.txt,
#      ip-xfrm-policy-us.txt
#   2. the NAT's mappings change: its UDP rule moves to ports 41000-41999 and its public address
#      is removed and added again, which makes the kernel forget every masqueraded connection, so
#      the clients' next datagrams leave from new ports.  Our answers to the old ports die at the
#      NAT until an authenticated message (the clients' DPD) shows us the new ones.  Each client
#      pings again until 3 replies (ping -c 3 -w TIMEOUT).  Files: ping-NS-moved.txt,
#      ip-xfrm-state-stats-*-moved.txt
# Also: charon-NS.log, swanctl-list-sas-NS.txt, ours.log, ours-status.txt (--ours-status-cmd).
# result: "OK" or "FAIL <reason>".  Exit status 0 OK, 1 FAIL, 2 usage.
set -u
prog=rw-clients
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"

out='' pki='' lsw='' ours_cmd='' ready_file='' timeout_s=60 status_cmd=''
while [ $# -gt 0 ]; do
    case $1 in
        --out) out=${2:-}; shift 2 ;;
        --pki) pki=${2:-}; shift 2 ;;
        --lsw) lsw=${2:-}; shift 2 ;;
        --ours-cmd) ours_cmd=${2:-}; shift 2 ;;
        --ours-ready-file) ready_file=${2:-}; shift 2 ;;
        --ours-status-cmd) status_cmd=${2:-}; shift 2 ;;
        --timeout) timeout_s=${2:-}; shift 2 ;;
        -h|--help) sed -n '2,/^set -u/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "$prog: unknown argument: $1" >&2; exit 2 ;;
    esac
done
for v in out pki lsw ours_cmd ready_file; do
    [ -n "${!v}" ] || { echo "$prog: --${v//_/-} is required" >&2; exit 2; }
done
[ "${LAB_IN_UML:-0}" = 1 ] || { echo "$prog: must run inside the kernel lab" >&2; exit 2; }
mkdir -p "$out" && out=$(cd "$out" && pwd) || exit 2
rm -rf "$out"/sw "$out"/sw2 "$out"/sw3 "$out"/lsw
rm -f "$out"/{result,timings.txt,ours.log,ours-status.txt,ip-xfrm-policy-us.txt} "$out"/*-sw*.txt \
    "$out"/*-us.txt "$out"/*-moved.txt "$out"/charon-*.log "$out"/pluto.log

ctl=$out/lsw/run/pluto.ctl
CLIENTS=(sw sw2 sw3)
declare -A ADDR=([sw]=$NAT_INSIDE_ADDR [sw2]=203.0.113.3 [sw3]=203.0.113.4) CERT=([sw]=gw-b [sw2]=carol) \
    USER=([sw]=alice [sw2]=bob [sw3]=carol) PASS=([sw]=wonderland [sw2]=builder [sw3]=hybrid-pw) CHARON=()
XAUTH_POOL=10.3.0.0/24
HYBRID_POOL=10.4.0.0/24
HYBRID_ID=@hybrid.example.org
LSW_NS=sw4 LSW_ADDR=203.0.113.5 GROUP_ID=@cisco-group GROUP_PSK='cisco group secret' CISCO_POOL=10.5.0.0/24
ours_pid=''

stamp() { echo "$(now) $*" >>"$out/timings.txt"; }
sw_env() { echo "STRONGSWAN_CONF=$out/$1/strongswan.conf"; }
swanctl_in() { local ns=$1; shift; env "$(sw_env "$ns")" swanctl "$@"; }

collect() {   # collect SUFFIX: every side's SAs now
    local ns
    for ns in "${CLIENTS[@]}"; do
        swanctl_in "$ns" --list-sas --raw >"$out/swanctl-list-sas-$ns$1.txt" 2>&1
        ip -n "$ns" -s xfrm state >"$out/ip-xfrm-state-stats-$ns$1.txt" 2>&1
    done
    ip -n $LSW_NS -s xfrm state >"$out/ip-xfrm-state-stats-$LSW_NS$1.txt" 2>&1
    ip -n us -s xfrm state >"$out/ip-xfrm-state-stats-us$1.txt" 2>&1
    ip -n us xfrm policy >"$out/ip-xfrm-policy-us$1.txt" 2>&1
}

finish() {   # finish OK | finish FAIL reason...
    trap '' INT TERM HUP
    local ns
    [ -z "$status_cmd" ] || ip netns exec us bash -c "$status_cmd" >"$out/ours-status.txt" 2>&1
    stamp "result: $*"
    if [ -n "$ours_pid" ]; then
        kill -TERM -- "-$ours_pid" 2>/dev/null
        for ((i = 0; i < 50; i++)); do alive "$ours_pid" || break; msleep 0.1; done
    fi
    for ns in "${CLIENTS[@]}"; do [ -n "${CHARON[$ns]:-}" ] && kill -TERM "${CHARON[$ns]}" 2>/dev/null; done
    [ -S "$ctl" ] && whack --shutdown >/dev/null 2>&1
    msleep 1
    remove_netns
    for ns in "${CLIENTS[@]}"; do rm -rf "/run/interop-$ns"; done
    echo "$*" >"$out/result"
    echo "$prog: $*  (results in $out)" >&2
    [ "$1" = OK ] && exit 0
    exit 1
}
trap 'finish FAIL interrupted' INT TERM HUP

esp_ok() {   # esp_ok FILE: every ESP SA (at least 2) counted packets and is ESP in UDP
    awk '/^src / { esp = 0 } /^\tproto esp/ { esp = 1; n++ } esp && /encap type espinudp/ { u++ }
        esp && /lifetime current:/ { getline; split($2, a, "("); if (a[1] + 0 > 0) c++ }
        END { exit !(n >= 2 && c == n && u == n) }' "$1"
}

# hybrid_client SWANCTL_DIR: use_xauth_client's connection (local-1 psk, local-2 xauth) made hybrid:
# XAUTH the only local round, with HYBRID_ID; the gateway by a certificate from the test PKI; Aggressive Mode
hybrid_client() {
    cp "$pki/root.crt.pem" "$pki/intermediate.crt.pem" "$1/x509ca/" &&
    sed -i -e '/^        local-1 {$/,/^        }$/d' \
        -e "s/^\(            xauth_id = .*\)$/\1\n            id = $HYBRID_ID/" \
        -e "/^        remote {$/,/^        }$/c\\        remote {\\n            auth = pubkey\\n            id = \"$gw_id\"\\n        }" \
        -e 's/^        version = 1$/        version = 1\n        aggressive = yes/' "$1/swanctl.conf"
}

# pluto as a Cisco-style client in LSW_NS (as libreswan-scenario.sh runs it: its own NSS database,
# run dir and the unpacked helpers bind-mounted in a private mount namespace)
whack() { ip netns exec $LSW_NS env LD_LIBRARY_PATH="$lsw/usr/lib/x86_64-linux-gnu" "$lsw/usr/libexec/ipsec/whack" \
    --ctlsocket "$ctl" "$@"; }
start_pluto() {
    rm -rf "$out/lsw"; mkdir -p "$out/lsw/nss" "$out/lsw/run" || return 1
    LD_LIBRARY_PATH=$lsw/usr/lib/x86_64-linux-gnu "$lsw/usr/bin/certutil" -N -d "sql:$out/lsw/nss" --empty-password \
        >/dev/null 2>&1 || return 1
    cat >"$out/lsw/ipsec.conf" <<EOC
config setup
    listen=$LSW_ADDR
    ikev1-policy=accept
conn cisco
    ikev2=no
    authby=secret
    aggressive=yes
    ike=aes128-sha2_256;modp2048
    esp=aes128-sha1
    left=$LSW_ADDR
    leftid=$GROUP_ID
    leftxauthclient=yes
    leftmodecfgclient=yes
    leftusername=dave
    modecfgpull=yes
    remote-peer-type=cisco
    right=$INTEROP_US_ADDR
    rightid=$INTEROP_US_ADDR
    pfs=no
    rightsubnet=$INTEROP_US_TS
    rightxauthserver=yes
    rightmodecfgserver=yes
    dpddelay=2
    dpdtimeout=60
    dpdaction=hold
    leftupdown=/bin/true
    # pluto pads IKEv1 messages to a multiple of 4 octets by default (ikepad=yes): its Aggressive
    # Mode request ends in 1-3 zero octets, which we take as padding
    auto=add
EOC
    printf '%s %s : PSK "%s"\n@dave : XAUTH "dave-pw"\n' "$GROUP_ID" "$INTEROP_US_ADDR" "$GROUP_PSK" \
        >"$out/lsw/ipsec.secrets" && chmod 600 "$out/lsw/ipsec.secrets" || return 1
    ip netns exec $LSW_NS env LD_LIBRARY_PATH="$lsw/usr/lib/x86_64-linux-gnu" unshare -m sh -c "mount --bind \
        '$lsw/usr/libexec' /usr/libexec && exec /usr/libexec/ipsec/pluto --config '$out/lsw/ipsec.conf' \
        --secretsfile '$out/lsw/ipsec.secrets' --nssdir '$out/lsw/nss' --rundir '$out/lsw/run' --nofork \
        --logfile '$out/pluto.log'" >"$out/lsw/pluto.stderr" 2>&1 &
    wait_socket "$ctl" 20 || return 1
    whack --listen >/dev/null 2>&1
    for ((i = 0; i < 50; i++)); do
        whack --status 2>/dev/null | grep -q '"cisco"' && return 0
        msleep 0.2
    done
    return 1
}

stamp start
make_nat_netns sw && add_nat_client sw2 "${ADDR[sw2]}" && add_nat_client sw3 "${ADDR[sw3]}" &&
    add_nat_client $LSW_NS $LSW_ADDR || finish FAIL "network set-up failed"
ip -n us -batch - <<US || finish FAIL "ping path set-up failed"
addr add $PING_US_ADDR/32 dev veth-us
route add $XAUTH_POOL via $INTEROP_SW_ADDR src $PING_US_ADDR
route add $HYBRID_POOL via $INTEROP_SW_ADDR src $PING_US_ADDR
route add $CISCO_POOL via $INTEROP_SW_ADDR src $PING_US_ADDR
US
gw_id=$(subject_dn "$pki/gw-a.crt.pem") || finish FAIL "cannot read gw-a's subject"
for ns in "${CLIENTS[@]}"; do
    dir=$out/$ns
    mkdir -p "/run/interop-$ns" && make_swanctl_dir "$dir/swanctl" || finish FAIL "cannot create $dir"
    write_strongswan_conf "$dir/strongswan.conf" "/run/interop-$ns/charon.vici" "$out/charon-$ns.log"
    write_swanctl_conf "$dir/swanctl/swanctl.conf" "${ADDR[$ns]}" "$INTEROP_US_ADDR" dynamic "$INTEROP_US_TS" \
        unused aes128-sha256-modp2048 aes128-sha1 none none
    if [ -n "${CERT[$ns]:-}" ]; then
        id=$(subject_dn "$pki/${CERT[$ns]}.crt.pem") &&
            use_certificates "$dir/swanctl" "$pki" "${CERT[$ns]}" "$id" "$gw_id" &&
            printf 'secrets {\n}\n' >>"$dir/swanctl/swanctl.conf"
    fi &&
        use_xauth_client "$dir/strongswan.conf" "$dir/swanctl/swanctl.conf" "${USER[$ns]}" "${PASS[$ns]}" \
            "$out/resolv-$ns.conf" &&
        { [ -n "${CERT[$ns]:-}" ] || hybrid_client "$dir/swanctl"; } &&
        sed -i 's/^        dpd_delay = 0$/        dpd_delay = 2s/' "$dir/swanctl/swanctl.conf" ||
        finish FAIL "cannot write $ns's strongSwan config"
    env "$(sw_env "$ns")" ip netns exec "$ns" "$CHARON_BIN" >"$out/charon-$ns.stderr" 2>&1 &
    CHARON[$ns]=$!
    wait_socket "/run/interop-$ns/charon.vici" 20 || finish FAIL "$ns: charon-systemd did not start"
    swanctl_in "$ns" --load-all --noprompt --file "$dir/swanctl/swanctl.conf" >"$out/swanctl-load-$ns.txt" 2>&1 ||
        finish FAIL "$ns: swanctl --load-all failed (see swanctl-load-$ns.txt)"
done
start_pluto || finish FAIL "pluto did not start with conn cisco (see pluto.log, lsw/pluto.stderr)"
stamp "clients loaded"

export INTEROP_OUT=$out INTEROP_PSK=unused INTEROP_IKE=aes128-sha256-modp2048 INTEROP_ESP=aes128-sha1
export INTEROP_PFS=none INTEROP_INITIATOR=sw INTEROP_LOCAL_ADDR=$INTEROP_US_ADDR INTEROP_REMOTE_ADDR=$INTEROP_SW_ADDR
export INTEROP_LOCAL_TS=$INTEROP_US_TS INTEROP_REMOTE_TS=$XAUTH_POOL INTEROP_READY_FILE=$ready_file INTEROP_NETNS=us
export INTEROP_PKI=$pki INTEROP_CERT_US=gw-a INTEROP_SW_ID=%any INTEROP_REMOTE_ANY=1 INTEROP_NAT=sw
export INTEROP_POOL=$XAUTH_POOL INTEROP_HYBRID_POOL=$HYBRID_POOL INTEROP_HYBRID_ID=$HYBRID_ID
export INTEROP_GROUP_ID=$GROUP_ID INTEROP_GROUP_PSK=$GROUP_PSK INTEROP_CISCO_POOL=$CISCO_POOL
rm -f "$ready_file"
ip netns exec us setsid bash -c "$ours_cmd" >"$out/ours.log" 2>&1 </dev/null &
ours_pid=$!
for ((i = 0; i < 900; i++)); do
    [ -e "$ready_file" ] && break
    alive "$ours_pid" || finish FAIL "our side exited before it was ready (see ours.log)"
    msleep 0.1
done
[ -e "$ready_file" ] || finish FAIL "our side was not ready within 90 s"
stamp "ours ready"

for ns in "${CLIENTS[@]}"; do
    swanctl_in "$ns" --initiate --child net --ike interop --timeout "$timeout_s" >"$out/swanctl-initiate-$ns.txt" 2>&1 &
done
whack --name cisco --initiate --asynchronous >"$out/lsw/initiate.txt" 2>&1
declare -A VIP=()
t_end=$(( ${EPOCHREALTIME%.*} + timeout_s ))
for ns in "${CLIENTS[@]}"; do
    while :; do
        sas=$(swanctl_in "$ns" --list-sas --raw 2>/dev/null)
        [[ $sas == *"child-sas {net-"*"state=INSTALLED"* ]] && break
        [ "${EPOCHREALTIME%.*}" -lt "$t_end" ] || { collect ''; finish FAIL "$ns: no CHILD_SA within ${timeout_s}s (see charon-$ns.log)"; }
        msleep 0.5
    done
    VIP[$ns]=$(grep -o 'local-vips=\[[0-9.]*' <<<"$sas" | head -n1 | cut -d[ -f2)
    echo "${VIP[$ns]}" >"$out/vip-$ns.txt"
    [ -n "${VIP[$ns]}" ] && ip -n "$ns" addr add "${VIP[$ns]}/32" dev lo || finish FAIL "$ns got no virtual IP"
done
# pluto: its outbound policy leaves from the address Mode-Config gave it ("src 10.5.0.1/32 dst ...")
while :; do
    VIP[$LSW_NS]=$(ip -n $LSW_NS xfrm policy 2>/dev/null | grep -o "^src ${CISCO_POOL%.0/24}\.[0-9]*" | cut -d' ' -f2)
    [ -n "${VIP[$LSW_NS]}" ] && [ "$(ip -n $LSW_NS xfrm state | grep -c 'proto esp')" -ge 2 ] && break
    [ "${EPOCHREALTIME%.*}" -lt "$t_end" ] || { collect ''; finish FAIL "$LSW_NS: no address and ESP SAs within ${timeout_s}s (see pluto.log)"; }
    msleep 0.5
done
echo "${VIP[$LSW_NS]}" >"$out/vip-$LSW_NS.txt"
ip -n $LSW_NS addr add "${VIP[$LSW_NS]}/32" dev lo || finish FAIL "cannot put pluto's address on lo"
stamp "CHILD_SAs installed: ${VIP[*]}"
[ "$(printf '%s\n' "${VIP[@]}" | sort -u | wc -l)" = "${#VIP[@]}" ] || finish FAIL "virtual IPs not distinct: ${VIP[*]}"

for ns in "${CLIENTS[@]}" $LSW_NS; do
    ip netns exec "$ns" ping -c 3 -i 0.3 -W 2 -I "${VIP[$ns]}" "$PING_US_ADDR" >"$out/ping-$ns.txt" 2>&1
done
collect ''
stamp "pinged"
for ns in "${CLIENTS[@]}" $LSW_NS; do
    grep -q ' 3 received' "$out/ping-$ns.txt" || finish FAIL "$ns: ping through the tunnel failed (see ping-$ns.txt)"
done
for side in us "${CLIENTS[@]}" $LSW_NS; do
    esp_ok "$out/ip-xfrm-state-stats-$side.txt" ||
        finish FAIL "$side: not every ESP SA is ESP in UDP with packets (see ip-xfrm-state-stats-$side.txt)"
done

# a new mapping for every client: the kernel drops a masqueraded connection whose address goes
ip netns exec nat iptables-legacy -t nat -R POSTROUTING 1 -o veth-npub -p udp -j MASQUERADE --to-ports 41000-41999 &&
    ip -n nat addr del "$INTEROP_SW_ADDR/24" dev veth-npub && ip -n nat addr add "$INTEROP_SW_ADDR/24" dev veth-npub ||
    finish FAIL "cannot change the NAT's mappings"
stamp "NAT mappings changed"
for ns in "${CLIENTS[@]}" $LSW_NS; do
    ip netns exec "$ns" ping -c 3 -i 0.5 -W 1 -w "$timeout_s" -I "${VIP[$ns]}" "$PING_US_ADDR" \
        >"$out/ping-$ns-moved.txt" 2>&1
    stamp "$ns pinged after the change"
done
collect -moved
for ns in "${CLIENTS[@]}" $LSW_NS; do
    grep -q ' 3 received' "$out/ping-$ns-moved.txt" ||
        finish FAIL "$ns: no 3 replies after the NAT mapping changed (see ping-$ns-moved.txt)"
done
finish OK
