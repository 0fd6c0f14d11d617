#!/usr/bin/env bash
# libreswan-scenario.sh - one interop scenario against libreswan's pluto (IKEv1); runs INSIDE the
# kernel lab (scripts/lab/run-in-uml.sh -- ...), where pluto installs real ESP SAs.
#
# usage: libreswan-scenario.sh --out DIR --lsw DIR --psk PSK --initiator us|lsw --ours-cmd CMD
#                              --ours-ready-file F --ours-status-cmd CMD [--timeout S] [--pki DIR]
#   --lsw DIR   libreswan 4.10 unpacked (dpkg -x) under DIR: libreswan conflicts with the installed
#               strongSwan packages, so scripts/install-deps.sh unpacks it instead of installing it
#   --ours-cmd  our daemon, started in namespace "us" (198.51.100.1) with the INTEROP_* variables of
#               run-scenario.sh; pluto runs in "sw" (198.51.100.2). Proposals are fixed:
#               Main Mode aes128-sha256-modp2048, Quick Mode aes128-sha1 with PFS modp2048 (libreswan
#               refuses MODP-1024 and ECP groups for PFS).
#   --pki DIR   RSA certificates instead of the PSK (scripts/make-test-pki.sh): pluto gets gw-b's
#               certificate and key through pk12util, the root and intermediate CAs through
#               certutil, and expects our ID to be gw-a's subject DN; our side gets INTEROP_PKI etc.
#               as in run-scenario.sh (--psk is then ignored)
#   --ping-for S  traffic through the tunnel (our side needs a real kernel back-end; it gets
#               INTEROP_PING=1): run-scenario.sh's --ping data path, then once both sides hold the
#               pair "ping -c 3" must get its replies (ping.txt, ip-xfrm-state-stats-{us,sw}.txt),
#               then a ping every 0.2 s for S seconds may miss no more than 4 replies in a row, also
#               at the end (ping-long.txt, ip-xfrm-state-stats-{us,sw}-long.txt)
# Results in DIR: result (OK | FAIL reason), pluto.log, ours.log, ours-status.txt,
# ip-xfrm-state.txt (pluto's namespace), whack-status.txt.
set -u
prog=libreswan-scenario
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"

out='' lsw='' psk='' initiator='' ours_cmd='' ready_file='' status_cmd='' timeout_s=60 pki= ping_for=0
while [ $# -gt 0 ]; do
    case $1 in
        --out) out=$2 ;; --lsw) lsw=$2 ;; --psk) psk=$2 ;; --initiator) initiator=$2 ;;
        --ours-cmd) ours_cmd=$2 ;; --ours-ready-file) ready_file=$2 ;; --ours-status-cmd) status_cmd=$2 ;;
        --timeout) timeout_s=$2 ;; --pki) pki=$2 ;; --ping-for) ping_for=$2 ;;
        *) echo "$prog: unknown argument $1" >&2; exit 2 ;;
    esac
    shift 2
done
for v in out lsw psk initiator ours_cmd ready_file status_cmd; do
    [ -n "${!v}" ] || { echo "$prog: --${v//_/-} is required" >&2; exit 2; }
done
[[ $ping_for =~ ^[0-9]+$ ]] || { echo "$prog: --ping-for wants whole seconds" >&2; exit 2; }
[ "${LAB_IN_UML:-0}" = 1 ] || { echo "$prog: must run inside the kernel lab" >&2; exit 2; }
[ -x "$lsw/usr/libexec/ipsec/pluto" ] || { echo "$prog: no pluto under $lsw (scripts/install-deps.sh)" >&2; exit 2; }
mkdir -p "$out" && out=$(cd "$out" && pwd)
rm -rf "$out/lsw"; rm -f "$out"/{result,pluto.log,ours.log,ours-status.txt,ip-xfrm-state.txt,whack-status.txt}
rm -f "$out"/{ping.txt,ping-long.txt,ip-xfrm-state-stats-us.txt,ip-xfrm-state-stats-sw.txt} \
      "$out"/{ip-xfrm-state-stats-us-long.txt,ip-xfrm-state-stats-sw-long.txt}
mkdir -p "$out/lsw/nss" "$out/lsw/run"
export LD_LIBRARY_PATH=$lsw/usr/lib/x86_64-linux-gnu
ctl=$out/lsw/run/pluto.ctl
whack() { ip netns exec sw "$lsw/usr/libexec/ipsec/whack" --ctlsocket "$ctl" "$@"; }
pluto_pid='' ours_pid=''

finish() {
    trap '' INT TERM HUP
    [ -S "$ctl" ] && whack --status >"$out/whack-status.txt" 2>&1
    ip -n sw xfrm state >"$out/ip-xfrm-state.txt" 2>&1
    [ -n "$ours_pid" ] && { kill -TERM -- "-$ours_pid" 2>/dev/null; msleep 3; kill -KILL -- "-$ours_pid" 2>/dev/null; }
    [ -S "$ctl" ] && whack --shutdown >/dev/null 2>&1
    remove_netns
    echo "$*" >"$out/result"
    echo "$prog: $*  (results in $out)" >&2
    [ "$1" = OK ]; exit $?
}
trap 'finish FAIL interrupted' INT TERM HUP

make_netns || finish FAIL "network set-up failed"
if [ "$ping_for" -gt 0 ]; then
    make_ping_path || finish FAIL "network set-up for --ping-for failed"
fi

# ------------------------------------------------------------------ pluto
"$lsw/usr/bin/certutil" -N -d "sql:$out/lsw/nss" --empty-password >/dev/null 2>&1 || finish FAIL "certutil -N failed"
auth="authby=secret" sw_id='' us_id=''
if [ -n "$pki" ]; then
    sw_id=$(subject_dn "$pki/gw-b.crt.pem") && us_id=$(subject_dn "$pki/gw-a.crt.pem") ||
        finish FAIL "cannot read the subjects in $pki"
    openssl pkcs12 -export -in "$pki/gw-b.crt.pem" -inkey "$pki/gw-b.key.pem" -name gw-b -passout pass: \
        -out "$out/lsw/gw-b.p12" 2>"$out/lsw/pki.log" &&
    "$lsw/usr/bin/pk12util" -i "$out/lsw/gw-b.p12" -d "sql:$out/lsw/nss" -W "" >>"$out/lsw/pki.log" 2>&1 &&
    "$lsw/usr/bin/certutil" -A -d "sql:$out/lsw/nss" -n root -t "CT,," -i "$pki/root.crt.pem" >>"$out/lsw/pki.log" 2>&1 &&
    "$lsw/usr/bin/certutil" -A -d "sql:$out/lsw/nss" -n intermediate -t ",," -i "$pki/intermediate.crt.pem" \
        >>"$out/lsw/pki.log" 2>&1 || finish FAIL "NSS database set-up failed (see lsw/pki.log)"
    auth="authby=rsasig
    leftcert=gw-b
    leftid=\"$sw_id\"
    leftsendcert=always
    sendca=all
    rightid=\"$us_id\"
    rightrsasigkey=%cert"
fi
cat >"$out/lsw/ipsec.conf" <<EOC
config setup
    listen=$INTEROP_SW_ADDR
    ikev1-policy=accept
conn interop
    ikev2=no
    $auth
    left=$INTEROP_SW_ADDR
    leftsubnet=$INTEROP_SW_TS
    right=$INTEROP_US_ADDR
    rightsubnet=$INTEROP_US_TS
    ike=aes128-sha2_256;modp2048
    esp=aes128-sha1;modp2048
    pfs=yes
    leftupdown=/bin/true
    auto=add
EOC
if [ -n "$pki" ]; then
    : >"$out/lsw/ipsec.secrets"   # pluto finds the key of leftcert in its NSS database
else
    printf '%s %s : PSK "%s"\n' "$INTEROP_SW_ADDR" "$INTEROP_US_ADDR" "$psk" >"$out/lsw/ipsec.secrets"
fi
chmod 600 "$out/lsw/ipsec.secrets"
# pluto runs its helper /usr/libexec/ipsec/addconn: show it the unpacked one in a private mount namespace
ip netns exec sw unshare -m sh -c "mount --bind '$lsw/usr/libexec' /usr/libexec && exec \
    /usr/libexec/ipsec/pluto --config '$out/lsw/ipsec.conf' --secretsfile '$out/lsw/ipsec.secrets' \
    --nssdir '$out/lsw/nss' --rundir '$out/lsw/run' --nofork --logfile '$out/pluto.log'" \
    >"$out/lsw/pluto.stderr" 2>&1 &
pluto_pid=$!
wait_socket "$ctl" 20 || finish FAIL "pluto did not open $ctl (see lsw/pluto.stderr)"
whack --listen >/dev/null 2>&1
for ((i = 0; i < 50; i++)); do
    whack --status 2>/dev/null | grep -q '"interop"' && break
    msleep 0.2
done
whack --status 2>/dev/null | grep -q '"interop"' || finish FAIL "pluto did not load conn interop (see pluto.log)"

# ------------------------------------------------------------------ our side
export INTEROP_OUT=$out INTEROP_PSK=$psk INTEROP_IKE=aes128-sha256-modp2048 INTEROP_ESP=aes128-sha1
export INTEROP_PFS=modp2048 INTEROP_INITIATOR=$initiator INTEROP_LOCAL_ADDR=$INTEROP_US_ADDR
export INTEROP_REMOTE_ADDR=$INTEROP_SW_ADDR INTEROP_LOCAL_TS=$INTEROP_US_TS INTEROP_REMOTE_TS=$INTEROP_SW_TS
export INTEROP_READY_FILE=$ready_file INTEROP_NETNS=us INTEROP_PING=$(( ping_for > 0 ))
export INTEROP_PKI=$pki INTEROP_CERT_US=gw-a INTEROP_SW_ID=$sw_id
rm -f "$ready_file"
deadline=$(( ${EPOCHREALTIME%.*} + timeout_s ))
ip netns exec us setsid bash -c "$ours_cmd" >"$out/ours.log" 2>&1 </dev/null &
ours_pid=$!
while [ ! -e "$ready_file" ]; do
    alive "$ours_pid" || finish FAIL "our side exited before it was ready (see ours.log)"
    [ "${EPOCHREALTIME%.*}" -lt "$deadline" ] || finish FAIL "our side not ready within ${timeout_s}s"
    msleep 0.2
done
[ "$initiator" = lsw ] && whack --name interop --initiate --asynchronous >"$out/lsw/initiate.txt" 2>&1

# ------------------------------------------------------------------ both sides hold the pair
while :; do
    ip netns exec us bash -c "$status_cmd" >"$out/ours-status.txt" 2>&1
    n_sw=$(ip -n sw xfrm state 2>/dev/null | grep -c 'proto esp')
    n_us=$(grep -c '^esp ' "$out/ours-status.txt")
    [ "$n_sw" -ge 2 ] && [ "$n_us" -ge 2 ] && break
    alive "$pluto_pid" || finish FAIL "pluto died (see pluto.log, lsw/pluto.stderr)"
    [ "${EPOCHREALTIME%.*}" -lt "$deadline" ] ||
        finish FAIL "timeout: pluto holds $n_sw ESP SAs, we hold $n_us (see pluto.log, ours.log)"
    msleep 0.5
done
if [ "$ping_for" -gt 0 ]; then
    ip netns exec us ping -c 3 -i 0.3 -W 2 -I $PING_US_ADDR $PING_SW_ADDR >"$out/ping.txt" 2>&1 ||
        finish FAIL "ping $PING_US_ADDR -> $PING_SW_ADDR through the tunnel failed (see ping.txt)"
    ip -n us -s xfrm state >"$out/ip-xfrm-state-stats-us.txt" 2>&1
    ip -n sw -s xfrm state >"$out/ip-xfrm-state-stats-sw.txt" 2>&1
    ip netns exec us ping -i 0.2 -w "$ping_for" -W 1 -I $PING_US_ADDR $PING_SW_ADDR >"$out/ping-long.txt" 2>&1
    ip -n us -s xfrm state >"$out/ip-xfrm-state-stats-us-long.txt" 2>&1
    ip -n sw -s xfrm state >"$out/ip-xfrm-state-stats-sw-long.txt" 2>&1
    gap=$(ping_gap "$out/ping-long.txt")
    grep -q 'bytes from.*icmp_seq=' "$out/ping-long.txt" || finish FAIL "no reply during the long ping (see ping-long.txt)"
    [ "$gap" -le 4 ] || finish FAIL "$gap replies in a row missing during the long ping (see ping-long.txt)"
fi
finish OK
