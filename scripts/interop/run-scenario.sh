#!/usr/bin/env bash
# run-scenario.sh - one IKEv1 interop scenario between "our side" and a real
# strongSwan (Debian charon-systemd 5.9.x), run INSIDE the kernel lab
# (scripts/lab/run-in-uml.sh; use scripts/interop/in-lab.sh from the host).
#
# usage: run-scenario.sh --out DIR --psk PSK --ike PROPOSAL --esp PROPOSAL
#                        --pfs GROUP|none --initiator us|sw --ours-cmd 'COMMAND'
#                        [--ours-ready-file F] [--timeout S] [--ready-delay S]
#                        [--no-pcap] [--ours-status-cmd 'COMMAND'] [--ping] [--ipv6]
#
#   --out DIR           results (created; must be on the host file system, e.g.
#                       under /tmp or target/, not /run or /dev/shm)
#   --psk PSK           pre-shared key (any bytes; given to strongSwan in hex)
#   --ike PROPOSAL      strongSwan IKE proposal, e.g. aes128-sha256-modp2048
#   --esp PROPOSAL      strongSwan ESP proposal without DH group, e.g. aes128-sha1
#   --pfs GROUP|none    Quick Mode PFS group (e.g. modp2048), appended to the
#                       ESP proposal as aes128-sha1-modp2048; none = no PFS
#   --initiator us|sw   who starts Main Mode.  us: strongSwan only responds
#                       (start_action = none).  sw: once our side is ready the
#                       harness runs "swanctl --initiate --child net".
#   --ours-cmd CMD      our side, run by "bash -c CMD" in namespace "us" in the
#                       background (own session), cwd = caller's cwd, output to
#                       DIR/ours.log; killed at the end (SIGTERM, 5 s, SIGKILL)
#   --ours-ready-file F wait until F exists before going on (else a fixed delay)
#   --timeout S         limit for the negotiation, counted once our side is ready
#                       (default 45)
#   --ready-timeout S   limit for our side to create its ready file (default 90:
#                       a JVM starts in 10-20 s in the lab, slower on a busy host)
#   --ready-delay S     the fixed delay when no ready file is given (default 2)
#   --no-pcap           do not run tcpdump
#   --ours-status-cmd C our side's SA table: "bash -c C" in namespace "us" when
#                       the results are collected (while both sides still hold
#                       their SAs), stdout to DIR/ours-status.txt
#   --ping              end-to-end data path: 10.1.0.1 (us) and 10.2.0.1 (sw) on the
#                       veths with routes between the selectors; with --initiator us,
#                       once our side is ready a ping 10.1.0.1 -> 10.2.0.1 must trigger
#                       the negotiation (our side sees it as a kernel ACQUIRE; strongSwan
#                       only responds); with --initiator sw strongSwan initiates as
#                       without --ping; after the CHILD_SA is
#                       up "ping -c 3" must get 3 replies and every ESP SA on both
#                       sides must count packets (ip -s xfrm state).  Our side gets
#                       INTEROP_PING=1.  Extra files: ping-trigger.txt, ping.txt,
#                       ip-xfrm-state-stats-us.txt, ip-xfrm-state-stats-sw.txt,
#                       ip-xfrm-policy-us.txt
#   --ah                AH alone (RFC 4302): --esp names the AH integrity proposal (e.g.
#                       sha256); strongSwan's child gets ah_proposals, our side
#                       INTEROP_PROTO=ah; the checks look at the AH SAs instead of ESP.
#   --compress          IPComp (RFC 3173, deflate) beside ESP or AH: strongSwan's child gets
#                       ipcomp = yes (our side must set compress = true itself); the ping
#                       check sends compressible echo requests (ping -s 1000 -p 00) and
#                       the IPComp SAs (proto comp) on both sides must count packets too.
#   --ping-size N       with --ping-for: N data bytes per echo request (ping -s; default 56),
#                       e.g. to reach a kilobyte lifetime within the long ping
#   --transport         transport mode (both sides): the selectors are the two endpoints,
#                       and with --ping the ping goes 198.51.100.1 -> 198.51.100.2 directly
#                       (no extra addresses or routes).  Our side gets INTEROP_MODE=transport
#                       and INTEROP_LOCAL_TS/INTEROP_REMOTE_TS = the endpoints as /32.
#   --ipv6              the same over IPv6: us 2001:db8::1, sw 2001:db8::2 (/64), selectors
#                       2001:db8:1::/48 <-> 2001:db8:2::/48; --ping goes 2001:db8:1::1 ->
#                       2001:db8:2::1 (not with --stream-for)
#   --pki DIR           certificates instead of the PSK (a PKI made by scripts/make-test-pki.sh):
#                       strongSwan signs with DIR/SW.key.pem and sends DIR/SW.crt.pem, trusts
#                       DIR/root.crt.pem (intermediate.crt.pem goes to its x509ca too, so it sends
#                       the chain) and expects our ID to be US's subject DN; our side gets
#                       INTEROP_PKI=DIR INTEROP_CERT_US=US INTEROP_SW_ID=<SW's subject DN>
#   --cert-sw SW --cert-us US   the end entities of --pki (default gw-b and gw-a)
#   --sw-id ID --us-id ID  with --pki: the ID strongSwan presents (and our side gets as
#                       INTEROP_SW_ID), and the one it expects from us, instead of the subject
#                       DNs (an ID that is not in the certificate, for refusal checks)
#   --aggressive        phase 1 in Aggressive Mode (strongSwan: aggressive = yes, and it accepts
#                       PSK Aggressive Mode as responder); our side gets INTEROP_AGGRESSIVE=1
#   --ours-remote-any   our side accepts the peer as remote = "any" (a road-warrior policy
#                       chosen by the certificate ID, not the address); needs --initiator sw
#                       and --pki; our side gets INTEROP_REMOTE_ANY=1
#   --ping-again-after S  with --ping: wait S seconds after the first ping check (our
#                       side is meant to have rekeyed on the kernel's soft EXPIRE and
#                       dropped the old SAs on the hard one by then), ping again; every
#                       ESP SA our side holds must be new (no SPI of the first check)
#                       and count packets.  Extra files: ping-again.txt,
#                       ip-xfrm-state-stats-us-again.txt, ip-xfrm-state-stats-sw-again.txt
#   --nat               strongSwan behind a masquerading NAT (netns "nat", iptables-legacy,
#                       UDP source ports rewritten to 40000-40999): sw 203.0.113.2 -> nat
#                       203.0.113.1 | 198.51.100.2 -> us 198.51.100.1; our side sees strongSwan as
#                       198.51.100.2 as usual.  Needs --initiator sw; with --ping no trigger ping
#                       (strongSwan initiates), and every ESP SA on both sides must be ESP in UDP
#                       ("encap type espinudp" in ip -s xfrm state).  Our side gets INTEROP_NAT=sw.
#   --nat-us            the same with our side behind the NAT (us 203.0.113.2 = INTEROP_LOCAL_ADDR,
#                       seen by strongSwan as 198.51.100.1, whose remote id becomes 203.0.113.2).
#                       Needs --initiator us.  Our side gets INTEROP_NAT=us.
#   --l2tp              L2TP/IPsec style (with --transport --nat --ping): both ends' selectors
#                       [udp/1701]; strongSwan's are its own address behind the NAT, ours are
#                       remote = "any" (INTEROP_REMOTE_ANY=1, INTEROP_REMOTE_TS=0.0.0.0/0), which
#                       the daemon narrows to the NAT's address.  The "ping" is udp-echo.py: 3
#                       datagrams from strongSwan's 203.0.113.2:1701 to our 198.51.100.1:1701 and
#                       back (ping.txt, l2tp-echo-us.txt); the counter and ESP-in-UDP checks apply.
#   --fragmentation V   strongSwan's IKE fragmentation (swanctl "fragmentation = V": yes, accept or
#                       force; default no)
#   --drop-ip-fragments both namespaces drop IPv4 fragments (iptables-legacy -t raw PREROUTING -f), so that an IKE
#                       message longer than the veths' 1500-byte MTU gets through only in IKE fragments.
#                       Extra file: ip-fragments-dropped.txt (the rules' counters, us then sw)
#   --xauth USER:PASSWORD  strongSwan as a road warrior (use_xauth_client in lib.sh): Main or
#                       Aggressive Mode with the PSK, then XAUTH as USER with PASSWORD, and a
#                       virtual IP pulled by Mode-Config (vips = 0.0.0.0) as its selector; our
#                       side's remote selector is the pool XAUTH_POOL (10.3.0.0/24).  Needs
#                       --initiator sw.  With --ping the ping goes from strongSwan's virtual IP
#                       (put on its lo) to 10.1.0.1.  Our side gets INTEROP_REMOTE_ANY=1,
#                       INTEROP_XAUTH_USER, INTEROP_POOL.  Extra files: vip.txt (its virtual IP),
#                       resolv.conf (strongSwan's resolve plugin writes the DNS servers there and
#                       removes them at the end: see charon.log).  With --ipv6 (no NAT) strongSwan
#                       asks for an IPv6 virtual IP (vips = ::) from the pool 2001:db8:3::/112.
#   --xauth-gateway USER:PASSWORD  strongSwan as an IKEv1 XAUTH gateway (use_xauth_gateway in lib.sh:
#                       the PSK, then XAUTH of USER with PASSWORD, Mode-Config from its pool
#                       XAUTH_POOL with DNS 10.2.0.53) and our side its client, whose selector is
#                       the pool's first address XAUTH_FIRST (what strongSwan leases first; with
#                       --ipv6, no NAT, pool 2001:db8:3::/112 and DNS 2001:db8:2::53).  Needs
#                       --initiator us.  With --ping the ping goes from that address, which our
#                       side must have put on its lo, to 10.2.0.1.  Our side gets
#                       INTEROP_XAUTH_USER and INTEROP_LOCAL_TS=XAUTH_FIRST/32.  Extra files:
#                       vip.txt (the virtual IP strongSwan gave), ip-addr-lo-us.txt
#   --ping-for S        with --ping: after the first check, ping every 0.2 s for S seconds
#                       (across rekeys); no more than 4 replies in a row may be missing
#                       (1 s), also at the end.  Extra files: ping-long.txt,
#                       ip-xfrm-state-stats-us-long.txt, ip-xfrm-state-stats-sw-long.txt
#   --stream-for S      with --ping (tunnel mode): after the first check, numbered UDP datagrams
#                       10.1.0.1 -> 10.2.0.1 and back, 200 per second each way for S seconds
#                       (udp-seq.py), across rekeys; not one may be lost or duplicated.  Extra
#                       files: stream-us-sw.txt, stream-sw-us.txt (the receivers' counts),
#                       ip-xfrm-state-stats-us-stream.txt, ip-xfrm-state-stats-sw-stream.txt
#   --sw-rekey-at 'T..' with --stream-for: "swanctl --rekey --child net" T seconds into the
#                       stream, for each T (strongSwan starts those Quick Modes); output
#                       appended to swanctl-rekey.txt
#
# Topology (all inside the lab guest; nothing touches the host network):
#   netns "us": veth-us 198.51.100.1/24  <-- veth -->  netns "sw": veth-sw 198.51.100.2/24
#   Both sides use UDP 500 (4500 for NAT-T) in their own namespace.
#   Traffic selectors: us 10.1.0.0/16 <-> sw 10.2.0.0/16 (tunnel mode; not
#   configured on any interface).
#
# strongSwan side: swanctl connection "interop", child "net", version = 1,
# PSK Main Mode, IDs = addresses.  Generated files: DIR/sw/strongswan.conf,
# DIR/sw/swanctl/swanctl.conf.  vici socket /run/interop-sw/charon.vici
# (guest-private /run).
#
# Environment given to --ours-cmd (so it can write its own config):
#   INTEROP_OUT INTEROP_PSK INTEROP_IKE INTEROP_ESP INTEROP_PFS INTEROP_INITIATOR
#   INTEROP_LOCAL_ADDR=198.51.100.1 INTEROP_REMOTE_ADDR=198.51.100.2
#   INTEROP_LOCAL_TS=10.1.0.0/16 INTEROP_REMOTE_TS=10.2.0.0/16
#   INTEROP_READY_FILE (empty if none) INTEROP_NETNS=us
#
# Written to DIR (always, also on failure):
#   result                    "OK" or "FAIL <reason>"
#   swanctl-list-sas.txt      swanctl --list-sas --raw (vici raw format)
#   swanctl-list-sas-pretty.txt  swanctl --list-sas
#   ip-xfrm-state.txt         ip -n sw xfrm state (kernel SAs: SPIs, algorithms, keys)
#   ip-xfrm-policy.txt        ip -n sw xfrm policy
#   charon.log                strongSwan's file log (ike 2, cfg 2, knl 2, chd 2, enc 1, net 1)
#   charon.stderr             charon-systemd's own stdout/stderr
#   swanctl-load.txt          output of swanctl --load-all
#   swanctl-initiate.txt      output of swanctl --initiate (--initiator sw only)
#   ours.log                  stdout/stderr of --ours-cmd
#   ours-status.txt           stdout of --ours-status-cmd, if given
#   capture.pcap              tcpdump on veth-sw (IKE/NAT-T/ESP) unless --no-pcap
#   timings.txt               guest uptime stamps of the phases
#
# Exit status: 0 CHILD_SA installed on the strongSwan side; 1 scenario failed
# (see DIR/result); 2 usage or set-up error ("FAIL setup: ..." in DIR/result
# when DIR is known).
# Environment knobs: CHARON_LOG_IKE (default 2; 4 logs the IKE keys so that
# decode-capture.sh can decrypt the capture), CHARON_LOG_ENC, CHARON_LOG_NET,
# CHARON_BIN (default /usr/sbin/charon-systemd).
set -u
prog=run-scenario
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"

usage() {
    if [ "${1:-2}" = 0 ]; then exec 3>&1; else exec 3>&2; fi
    sed -n '2,/^set -u/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&3
    exit "${1:-2}"
}
pki='' cert_sw=gw-b cert_us=gw-a aggressive=0 remote_any=0 nat=0 sw_id_given='' us_id_given='' transport=0 xauth=''
xauth_gateway='' l2tp=0
ah=0 compress=0 fragmentation=no drop_ip_fragments=0
ping_size=56 stream_for=0 sw_rekey_at=''
out='' psk='' ike='' esp='' pfs='' initiator='' ours_cmd='' ready_file='' timeout_s=45 ready_timeout_s=90 ready_delay=2 pcap=1 status_cmd='' ping=0 ping_again=0 ping_for=0
while [ $# -gt 0 ]; do
    case $1 in
        --out) out=${2:-}; shift 2 ;;
        --psk) psk=${2:-}; shift 2 ;;
        --ike) ike=${2:-}; shift 2 ;;
        --esp) esp=${2:-}; shift 2 ;;
        --pfs) pfs=${2:-}; shift 2 ;;
        --initiator) initiator=${2:-}; shift 2 ;;
        --ours-cmd) ours_cmd=${2:-}; shift 2 ;;
        --ours-ready-file) ready_file=${2:-}; shift 2 ;;
        --timeout) timeout_s=${2:-}; shift 2 ;;
        --ready-timeout) ready_timeout_s=${2:-}; shift 2 ;;
        --ready-delay) ready_delay=${2:-}; shift 2 ;;
        --no-pcap) pcap=0; shift ;;
        --ours-status-cmd) status_cmd=${2:-}; shift 2 ;;
        --ping) ping=1; shift ;;
        --pki) pki=${2:-}; shift 2 ;;
        --aggressive) aggressive=1; shift ;;
        --ours-remote-any) remote_any=1; shift ;;
        --nat) nat=sw; shift ;;
        --nat-us) nat=us; shift ;;
        --cert-sw) cert_sw=${2:-}; shift 2 ;;
        --cert-us) cert_us=${2:-}; shift 2 ;;
        --sw-id) sw_id_given=${2:-}; shift 2 ;;
        --us-id) us_id_given=${2:-}; shift 2 ;;
        --ipv6) ipv6=1; use_ipv6; shift ;;
        --transport) transport=1; shift ;;
        --l2tp) l2tp=1; shift ;;
        --ah) ah=1; shift ;;
        --compress) compress=1; shift ;;
        --ping-again-after) ping_again=${2:-}; shift 2 ;;
        --ping-for) ping_for=${2:-}; shift 2 ;;
        --ping-size) ping_size=${2:-}; shift 2 ;;
        --stream-for) stream_for=${2:-}; shift 2 ;;
        --sw-rekey-at) sw_rekey_at=${2:-}; shift 2 ;;
        --fragmentation) fragmentation=${2:-}; shift 2 ;;
        --drop-ip-fragments) drop_ip_fragments=1; shift ;;
        --xauth) xauth=${2:-}; shift 2 ;;
        --xauth-gateway) xauth_gateway=${2:-}; shift 2 ;;
        -h|--help) usage 0 ;;
        *) echo "$prog: unknown argument: $1" >&2; usage ;;
    esac || usage
done
for v in out psk ike esp pfs initiator ours_cmd; do
    [ -n "${!v}" ] || { echo "$prog: --${v//_/-} is required" >&2; usage; }
done
case $initiator in us|sw) ;; *) echo "$prog: --initiator must be us or sw" >&2; exit 2 ;; esac
[ "$remote_any" = 1 ] && { [ "$initiator" = sw ] && [ -n "$pki" ] ||
    { echo "$prog: --ours-remote-any needs --initiator sw and --pki" >&2; exit 2; }; }
# udp-seq.py speaks IPv4 only
[ "${ipv6:-0}" = 1 ] && [ "$stream_for" != 0 ] && { echo "$prog: --stream-for is IPv4 only" >&2; exit 2; }
[ "$nat" != 0 ] && { [ "$initiator" = "$nat" ] && [ "${ipv6:-0}" = 0 ] ||
    { echo "$prog: the side behind the NAT must initiate (--nat: sw, --nat-us: us), over IPv4" >&2; exit 2; }; }
# addresses of the side behind the NAT, and next hops (the NAT's public address is the inside side's usual one)
sw_local=$INTEROP_SW_ADDR us_local=$INTEROP_US_ADDR sw_next_hop=$INTEROP_SW_ADDR us_next_hop=$INTEROP_US_ADDR
[ "$nat" = sw ] && sw_local=$NAT_INSIDE_ADDR us_next_hop=$NAT_INSIDE_GW
[ "$nat" = us ] && us_local=$NAT_INSIDE_ADDR sw_next_hop=$NAT_INSIDE_GW
XAUTH_POOL=10.3.0.0/24 xauth_vips=0.0.0.0
[ "${ipv6:-0}" = 1 ] && XAUTH_POOL=2001:db8:3::/112 xauth_vips=::
if [ -n "$xauth" ]; then   # the road warrior's selector is its address from our pool
    [ "$initiator" = sw ] && [ -z "$pki" ] && [ "$transport" = 0 ] &&
        [ "$ping_again" = 0 ] && [ "$ping_for" = 0 ] && [[ $xauth == ?*:?* ]] ||
        { echo "$prog: --xauth USER:PASSWORD needs --initiator sw, a PSK, tunnel mode, no --ping-again-after/--ping-for" >&2; exit 2; }
    INTEROP_SW_TS=$XAUTH_POOL remote_any=1
fi
XAUTH_FIRST=10.3.0.1 XAUTH_SW_DNS=10.2.0.53
[ "${ipv6:-0}" = 1 ] && XAUTH_FIRST=2001:db8:3::1 XAUTH_SW_DNS=2001:db8:2::53
if [ -n "$xauth_gateway" ]; then   # our client's selector is the address strongSwan's pool leases first
    [ "$initiator" = us ] && [ -z "$pki" ] && [ "$transport" = 0 ] && [ -z "$xauth" ] &&
        [[ $xauth_gateway == ?*:?* ]] ||
        { echo "$prog: --xauth-gateway USER:PASSWORD needs --initiator us, a PSK, tunnel mode, no --xauth" >&2; exit 2; }
    INTEROP_US_TS=$XAUTH_POOL   # strongSwan's route back to the virtual IPs
fi
if [ "$transport" = 1 ]; then   # host-to-host: the endpoints are the selectors and the ping's ends
    INTEROP_US_TS=$INTEROP_US_ADDR/32 INTEROP_SW_TS=$INTEROP_SW_ADDR/32
    PING_US_ADDR=$INTEROP_US_ADDR PING_SW_ADDR=$INTEROP_SW_ADDR
fi
if [ "$l2tp" = 1 ]; then   # strongSwan's selector is its own address, which the NAT hides
    [ "$transport" = 1 ] && [ "$nat" = sw ] && [ "$ping" = 1 ] ||
        { echo "$prog: --l2tp needs --transport --nat --ping" >&2; exit 2; }
    INTEROP_SW_TS=$sw_local/32
fi
[[ $timeout_s =~ ^[0-9]+$ ]] || { echo "$prog: --timeout wants whole seconds" >&2; exit 2; }
[[ $ready_timeout_s =~ ^[0-9]+$ ]] || { echo "$prog: --ready-timeout wants whole seconds" >&2; exit 2; }
[[ $ping_again =~ ^[0-9]+$ ]] || { echo "$prog: --ping-again-after wants whole seconds" >&2; exit 2; }
[[ $ping_for =~ ^[0-9]+$ ]] || { echo "$prog: --ping-for wants whole seconds" >&2; exit 2; }
[[ $ping_size =~ ^[0-9]+$ ]] || { echo "$prog: --ping-size wants a byte count" >&2; exit 2; }
[[ $stream_for =~ ^[0-9]+$ && $sw_rekey_at =~ ^[0-9\ ]*$ ]] ||
    { echo "$prog: --stream-for and --sw-rekey-at want whole seconds" >&2; exit 2; }
case $fragmentation in yes|accept|force|no) ;; *) echo "$prog: --fragmentation wants yes, accept, force or no" >&2; exit 2 ;; esac
[[ $ike =~ ^[a-z0-9_-]+$ && $esp =~ ^[a-z0-9_-]+$ && $pfs =~ ^[a-z0-9_]+$ ]] ||
    { echo "$prog: proposals/groups look wrong: ike=$ike esp=$esp pfs=$pfs" >&2; exit 2; }
setup_error() {   # also leaves DIR/result, so callers always find one
    echo "$prog: $*" >&2
    mkdir -p "$out" 2>/dev/null && echo "FAIL setup: $*" >"$out/result"
    exit 2
}
[ "${LAB_IN_UML:-0}" = 1 ] || setup_error "must run inside the kernel lab (scripts/interop/in-lab.sh ...): it creates network namespaces and needs ESP/XFRM in the kernel"
[ "$(id -u)" = 0 ] || setup_error "must run as root"
for c in ip swanctl "$CHARON_BIN"; do
    command -v "$c" >/dev/null || setup_error "$c not found (run scripts/install-deps.sh on the host)"
done
[ "$pcap" = 1 ] && ! command -v tcpdump >/dev/null && { echo "$prog: no tcpdump, not capturing" >&2; pcap=0; }

mkdir -p "$out" || exit 2
out=$(cd "$out" && pwd)
case $out in /run/*|/var/run/*|/dev/*|/proc/*|/sys/*)
    echo "$prog: --out $out is guest-private; use a host directory" >&2; exit 2 ;; esac
rm -rf "$out/sw"
rm -f "$out"/{ping-again.txt,ip-xfrm-state-stats-us-again.txt,ip-xfrm-state-stats-sw-again.txt}
rm -f "$out"/{stream-us-sw.txt,stream-sw-us.txt,stream-us-sw-sent.txt,stream-sw-us-sent.txt,swanctl-rekey.txt,ip-xfrm-state-stats-us-stream.txt,ip-xfrm-state-stats-sw-stream.txt}
rm -f "$out"/{ping-long.txt,ip-xfrm-state-stats-us-long.txt,ip-xfrm-state-stats-sw-long.txt}
rm -f "$out/ip-fragments-dropped.txt"
rm -f "$out"/{resolv.conf,vip.txt,ip-addr-lo-us.txt,l2tp-echo-us.txt}
rm -f "$out"/{ping-trigger.txt,ping.txt,ip-xfrm-state-stats-us.txt,ip-xfrm-state-stats-sw.txt,ip-xfrm-policy-us.txt}
rm -f "$out"/{result,swanctl-list-sas.txt,swanctl-list-sas-pretty.txt,ip-xfrm-state.txt,ip-xfrm-policy.txt} \
      "$out"/{charon.log,charon.stderr,swanctl-load.txt,swanctl-initiate.txt,ours.log,ours-status.txt,capture.pcap,tcpdump.log,timings.txt}

RUN=/run/interop-sw
VICI=$RUN/charon.vici
SWDIR=$out/sw
export STRONGSWAN_CONF=$SWDIR/strongswan.conf     # for charon-systemd and swanctl
SWANCTL=(swanctl)   # finds the vici socket through STRONGSWAN_CONF (swanctl.socket)

stamp() { echo "$(now) $*" >>"$out/timings.txt"; }
say() { echo "$prog: $*" >&2; }
charon_pid='' ours_pid='' tcpdump_pid='' init_pid='' result=''

kill_wait() {   # kill_wait PID GRACE_SECONDS [group]: TERM, wait, KILL
    local pid=$1 grace=$2 grp=${3:-} i
    [ -n "$pid" ] || return 0
    kill -TERM ${grp:+-- -$pid} "$pid" 2>/dev/null
    for ((i = 0; i < grace * 10; i++)); do
        alive "$pid" || break
        msleep 0.1
    done
    kill -KILL ${grp:+-- -$pid} "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
}

collect() {
    "${SWANCTL[@]}" --list-sas --raw >"$out/swanctl-list-sas.txt" 2>&1
    "${SWANCTL[@]}" --list-sas >"$out/swanctl-list-sas-pretty.txt" 2>&1
    ip -n sw xfrm state >"$out/ip-xfrm-state.txt" 2>&1
    ip -n sw xfrm policy >"$out/ip-xfrm-policy.txt" 2>&1
    [ -z "$status_cmd" ] || ip netns exec us bash -c "$status_cmd" >"$out/ours-status.txt" 2>&1
    if [ "$drop_ip_fragments" = 1 ]; then
        for ns in us sw; do ip netns exec $ns iptables-legacy -t raw -L PREROUTING -v -n -x; done \
            >"$out/ip-fragments-dropped.txt" 2>&1
    fi
}

finish() {   # finish OK | finish FAIL reason...
    trap '' INT TERM HUP
    result="$*"
    [ -n "$charon_pid" ] && [ ! -s "$out/swanctl-list-sas.txt" ] && collect
    stamp "result: $result"
    [ -n "$init_pid" ] && kill_wait "$init_pid" 1
    kill_wait "$ours_pid" 5 group
    kill_wait "$charon_pid" 5
    [ -n "$tcpdump_pid" ] && { msleep 0.3; kill_wait "$tcpdump_pid" 2; }
    remove_netns   # and whatever our side left behind in its namespace
    rm -rf "$RUN"
    stamp "cleaned up"
    echo "$result" >"$out/result"
    say "$result  (results in $out)"
    [ "$1" = OK ] && exit 0
    exit 1
}
trap 'finish FAIL interrupted' INT TERM HUP

# stream_both_ways: --stream-for; sets stream_failure and returns 1 on a loss or duplicate
stream_both_ways() {
    local seq=$HERE/udp-seq.py rx_sw rx_us tx_us tx_sw t0 t i dir sent got dup
    ip netns exec sw /usr/bin/python3 "$seq" recv $PING_SW_ADDR 5001 >"$out/stream-us-sw.txt" 2>&1 & rx_sw=$!
    ip netns exec us /usr/bin/python3 "$seq" recv $PING_US_ADDR 5001 >"$out/stream-sw-us.txt" 2>&1 & rx_us=$!
    for ((i = 0; i < 100; i++)); do
        grep -q listening "$out/stream-us-sw.txt" && grep -q listening "$out/stream-sw-us.txt" && break
        msleep 0.1
    done
    stamp "streaming for ${stream_for}s, 200/s each way"
    ip netns exec us /usr/bin/python3 "$seq" send $PING_US_ADDR $PING_SW_ADDR 5001 200 "$stream_for" >"$out/stream-us-sw-sent.txt" 2>&1 &
    tx_us=$!
    ip netns exec sw /usr/bin/python3 "$seq" send $PING_SW_ADDR $PING_US_ADDR 5001 200 "$stream_for" >"$out/stream-sw-us-sent.txt" 2>&1 &
    tx_sw=$!
    t0=${EPOCHREALTIME/./}
    for t in $sw_rekey_at; do
        i=$(( (t0 + t * 1000000 - ${EPOCHREALTIME/./}) / 1000 ))   # ms to wait
        [ "$i" -gt 0 ] && msleep "$(( i / 1000 )).$(printf %03d $(( i % 1000 )))"
        stamp "swanctl --rekey --child net"
        "${SWANCTL[@]}" --rekey --child net >>"$out/swanctl-rekey.txt" 2>&1
    done
    wait "$tx_us" "$tx_sw"
    msleep 1   # the last datagrams in flight
    kill -TERM "$rx_sw" "$rx_us"; wait "$rx_sw" "$rx_us"
    stamp "stream done"
    ip -n us -s xfrm state >"$out/ip-xfrm-state-stats-us-stream.txt" 2>&1
    ip -n sw -s xfrm state >"$out/ip-xfrm-state-stats-sw-stream.txt" 2>&1
    collect
    for dir in us-sw sw-us; do
        sent=$(awk '/^sent / { print $2 }' "$out/stream-$dir-sent.txt")
        read -r _ got _ dup _ < <(grep '^received ' "$out/stream-$dir.txt")
        [ -n "$sent" ] && [ -n "$got" ] || { stream_failure="stream $dir did not run (see stream-$dir*.txt)"; return 1; }
        echo "sent $sent lost $(( sent - got ))" >>"$out/stream-$dir.txt"
        [ "$got" = "$sent" ] && [ "$dup" = 0 ] ||
            { stream_failure="stream $dir: $(( sent - got )) of $sent datagrams lost, $dup duplicated (see stream-$dir.txt)"; return 1; }
    done
}

stamp "start"
# ------------------------------------------------------------------ network
if [ "$nat" != 0 ]; then
    make_nat_netns "$nat" || finish FAIL "network set-up with the NAT failed"
else
    make_netns || finish FAIL "network set-up failed"
fi
if [ "$ping" = 1 ] && [ "$transport" = 0 ]; then
    make_ping_path || finish FAIL "network set-up for --ping failed"
fi
if [ "$drop_ip_fragments" = 1 ]; then
    # raw PREROUTING: INPUT sees datagrams only after the kernel has put their fragments together
    modprobe iptable_raw || finish FAIL "cannot load iptable_raw"   # the lab does not autoload it
    for ns in us sw; do
        ip netns exec $ns iptables-legacy -t raw -A PREROUTING -f -j DROP ||
            finish FAIL "cannot make $ns drop IP fragments"
    done
fi
stamp "netns ready"

# ------------------------------------------------------------------ strongSwan
mkdir -p "$RUN" "$SWDIR" && make_swanctl_dir "$SWDIR/swanctl" || finish FAIL "cannot create $SWDIR"
start_action=none
write_strongswan_conf "$STRONGSWAN_CONF" "$VICI" "$out/charon.log"
write_swanctl_conf "$SWDIR/swanctl/swanctl.conf" "$sw_local" "$INTEROP_US_ADDR" \
    "$INTEROP_SW_TS" "$INTEROP_US_TS" "$psk" "$ike" "$esp" "$pfs" "$start_action"
# behind the NAT our side still says who it is: its own address
[ "$nat" = us ] && sed -i -e "s/^\( *id = \)$INTEROP_US_ADDR\$/\1$NAT_INSIDE_ADDR/" \
    -e "s/^\( *id-remote = \)$INTEROP_US_ADDR\$/\1$NAT_INSIDE_ADDR/" "$SWDIR/swanctl/swanctl.conf"
[ "$transport" = 1 ] && sed -i 's/^                mode = tunnel$/                mode = transport/' "$SWDIR/swanctl/swanctl.conf"
[ "$ah" = 1 ] && sed -i 's/^                esp_proposals = /                ah_proposals = /' "$SWDIR/swanctl/swanctl.conf"
[ "$compress" = 1 ] && sed -i 's/^                mode = \(.*\)$/                mode = \1\n                ipcomp = yes/' \
    "$SWDIR/swanctl/swanctl.conf"
sed -i "s/^        fragmentation = no\$/        fragmentation = $fragmentation/" "$SWDIR/swanctl/swanctl.conf"
[ "$l2tp" = 1 ] && sed -i 's/^\(                \(local\|remote\)_ts = .*\)$/\1[udp\/1701]/' "$SWDIR/swanctl/swanctl.conf"
sw_id='' us_id=''
if [ "$aggressive" = 1 ]; then
    sed -i 's/^        version = 1$/        version = 1\n        aggressive = yes/' "$SWDIR/swanctl/swanctl.conf"
    sed -i 's/^    port = 500$/    port = 500\n    i_dont_care_about_security_and_use_aggressive_mode_psk = yes/' "$STRONGSWAN_CONF"
fi
if [ -n "$xauth" ]; then
    use_xauth_client "$STRONGSWAN_CONF" "$SWDIR/swanctl/swanctl.conf" "${xauth%%:*}" "${xauth#*:}" "$out/resolv.conf" \
        "$xauth_vips" ||
        finish FAIL "cannot make strongSwan an XAUTH client"
fi
if [ -n "$xauth_gateway" ]; then
    use_xauth_gateway "$STRONGSWAN_CONF" "$SWDIR/swanctl/swanctl.conf" "${xauth_gateway%%:*}" "${xauth_gateway#*:}" \
        "$XAUTH_POOL" "$XAUTH_SW_DNS" || finish FAIL "cannot make strongSwan an XAUTH gateway"
fi
if [ -n "$pki" ]; then
    sw_id=$(subject_dn "$pki/$cert_sw.crt.pem") && us_id=$(subject_dn "$pki/$cert_us.crt.pem") ||
        finish FAIL "cannot read the subjects of $cert_sw/$cert_us in $pki"
    sw_id=${sw_id_given:-$sw_id} us_id=${us_id_given:-$us_id}
    use_certificates "$SWDIR/swanctl" "$pki" "$cert_sw" "$sw_id" "$us_id" ||
        finish FAIL "cannot set up strongSwan's certificates from $pki"
fi

if [ "$pcap" = 1 ]; then
    ip netns exec sw tcpdump -i veth-sw -n -U -Z root -w "$out/capture.pcap" \
        'udp port 500 or udp port 4500 or esp' >"$out/tcpdump.log" 2>&1 &
    tcpdump_pid=$!
fi
ip netns exec sw "$CHARON_BIN" >"$out/charon.stderr" 2>&1 &
charon_pid=$!
wait_socket "$VICI" 20 || finish FAIL "charon-systemd did not open its vici socket within 20 s (see charon.stderr)"
stamp "charon vici up"
"${SWANCTL[@]}" --load-all --noprompt --file "$SWDIR/swanctl/swanctl.conf" >"$out/swanctl-load.txt" 2>&1 ||
    finish FAIL "swanctl --load-all failed (see swanctl-load.txt)"
grep -q "loaded connection 'interop'" "$out/swanctl-load.txt" ||
    finish FAIL "connection not loaded (see swanctl-load.txt)"
stamp "swanctl loaded"
if [ -n "$tcpdump_pid" ]; then   # tcpdump must be capturing before the first packet
    for ((i = 0; i < 100; i++)); do
        grep -q 'listening on' "$out/tcpdump.log" 2>/dev/null && break
        alive "$tcpdump_pid" || break
        msleep 0.1
    done
    grep -q 'listening on' "$out/tcpdump.log" || say "warning: tcpdump not ready (see tcpdump.log)"
fi

# ------------------------------------------------------------------ our side
export INTEROP_OUT=$out INTEROP_PSK=$psk INTEROP_IKE=$ike INTEROP_ESP=$esp INTEROP_PFS=$pfs
export INTEROP_INITIATOR=$initiator INTEROP_LOCAL_ADDR=$us_local INTEROP_REMOTE_ADDR=$INTEROP_SW_ADDR
export INTEROP_LOCAL_TS=$INTEROP_US_TS INTEROP_REMOTE_TS=$INTEROP_SW_TS INTEROP_READY_FILE=$ready_file INTEROP_NETNS=us
export INTEROP_PING=$ping INTEROP_PKI=$pki INTEROP_CERT_US=$cert_us INTEROP_SW_ID=$sw_id
export INTEROP_AGGRESSIVE=$aggressive INTEROP_REMOTE_ANY=$remote_any INTEROP_NAT=$nat
export INTEROP_XAUTH_USER=${xauth%%:*} INTEROP_POOL=$XAUTH_POOL
[ -n "$xauth_gateway" ] && export INTEROP_XAUTH_USER=${xauth_gateway%%:*} INTEROP_LOCAL_TS=$XAUTH_FIRST/$PING_HOST_PREFIX
export INTEROP_MODE=$([ "$transport" = 1 ] && echo transport || echo tunnel)
export INTEROP_PROTO=$([ "$ah" = 1 ] && echo ah || echo esp)
[ "$l2tp" = 1 ] && export INTEROP_REMOTE_ANY=1 INTEROP_REMOTE_TS=0.0.0.0/0
[ -n "$ready_file" ] && rm -f "$ready_file"
t_deadline=$(( ${EPOCHREALTIME%.*} + ready_timeout_s ))
# setsid: own process group (ip execs setsid, which does not fork since it is
# not a group leader), so the whole tree of our side is killed at the end.
# Not under STRONGSWAN_CONF of the sw side.
env -u STRONGSWAN_CONF ip netns exec us setsid bash -c "$ours_cmd" >"$out/ours.log" 2>&1 </dev/null &
ours_pid=$!
stamp "ours started (pid $ours_pid)"

if [ -n "$ready_file" ]; then
    while [ ! -e "$ready_file" ]; do
        alive "$ours_pid" || { wait "$ours_pid"; finish FAIL "our side exited (status $?) before creating $ready_file (see ours.log)"; }
        [ "${EPOCHREALTIME%.*}" -lt "$t_deadline" ] || finish FAIL "our side did not create $ready_file within ${ready_timeout_s}s"
        msleep 0.2
    done
else
    msleep "$ready_delay"
fi
stamp "ours ready"
t_deadline=$(( ${EPOCHREALTIME%.*} + timeout_s ))

if [ "$ping" = 1 ] && [ "$initiator" = us ] && [ -z "$xauth_gateway" ]; then
    # the first packet hits our side's policy and is dropped while the kernel ACQUIREs an SA
    ip netns exec us ping -c 1 -W 1 -I $PING_US_ADDR $PING_SW_ADDR >"$out/ping-trigger.txt" 2>&1
    stamp "trigger ping sent"
elif [ "$initiator" = sw ]; then
    "${SWANCTL[@]}" --initiate --child net --ike interop --timeout "$timeout_s" >"$out/swanctl-initiate.txt" 2>&1 &
    init_pid=$!
    stamp "swanctl --initiate started"
fi

# ------------------------------------------------------------------ wait for CHILD_SA
# raw output: "list-sa event {interop {... state=ESTABLISHED ... child-sas {net-1 {... state=INSTALLED ...}}}}"
established=0 init_rc=''
while :; do
    sas=$("${SWANCTL[@]}" --list-sas --raw 2>/dev/null)
    if [[ $sas == *"state=ESTABLISHED"* && $sas == *"child-sas {net-"*"state=INSTALLED"* ]]; then
        established=1; break
    fi
    alive "$ours_pid" || { wait "$ours_pid"; rc=$?; ours_pid=''; collect; finish FAIL "our side exited (status $rc) before the CHILD_SA was installed (see ours.log)"; }
    alive "$charon_pid" || { wait "$charon_pid"; rc=$?; charon_pid=''; finish FAIL "charon-systemd died (status $rc, see charon.stderr)"; }
    if [ -n "$init_pid" ] && [ -z "$init_rc" ] && ! alive "$init_pid"; then
        wait "$init_pid"; init_rc=$?; init_pid=''
        # non-zero: the initiation failed; one more poll, then give up
        [ "$init_rc" != 0 ] && { msleep 0.5; sas=$("${SWANCTL[@]}" --list-sas --raw 2>/dev/null)
            [[ $sas == *"child-sas {net-"*"state=INSTALLED"* ]] && { established=1; break; }
            collect; finish FAIL "swanctl --initiate failed (status $init_rc, see swanctl-initiate.txt, charon.log)"; }
    fi
    if [ "${EPOCHREALTIME%.*}" -ge "$t_deadline" ]; then
        collect
        ike_state=$(grep -o 'state=[A-Z_]*' <<<"$sas" | head -n1)
        finish FAIL "timeout: no CHILD_SA installed within ${timeout_s}s (IKE_SA ${ike_state:-state=none}; see charon.log)"
    fi
    msleep 0.5
done
stamp "CHILD_SA installed"
# Let the last Quick Mode message reach our side before taking it down.
msleep 1
[ -n "$init_pid" ] && { wait "$init_pid"; init_pid=''; }
collect
grep -q "proto $INTEROP_PROTO" "$out/ip-xfrm-state.txt" ||
    finish FAIL "CHILD_SA reported but no $INTEROP_PROTO SA in ip xfrm state"
# "PROTO PACKETS" for each SA of an ip -s xfrm state dump ("lifetime current:" is followed by
# "  N(bytes), M(packets)"); the kernel's IPIP helper of IPComp shows as proto 4
sa_packets() {
    awk '/^src / { p = "" } /^\tproto / { p = $2 } /lifetime current:/ { getline; split($2, a, "("); if (p != "") print p, a[1] + 0 }' "$1"
}
ping_data=()
[ "$compress" = 1 ] && ping_data=(-s 1000 -p 00)   # deflate shrinks it; the kernel sends smaller ones uncompressed
if [ "$ping" = 1 ] && [ -n "$xauth" ]; then
    # raw: "... local-vips=[10.3.0.1] ..." (or an IPv6 address); the ping leaves from that address
    vip=$(grep -o 'local-vips=\[[0-9a-f.:]*' "$out/swanctl-list-sas.txt" | head -n1 | cut -d[ -f2)
    echo "$vip" >"$out/vip.txt"
    [ -n "$vip" ] && ip -n sw addr add "$vip/$PING_HOST_PREFIX" dev lo ${INTEROP_ADDR_FLAGS:-} ||
        finish FAIL "strongSwan got no virtual IP (see swanctl-list-sas.txt)"
    ip netns exec sw ping -c 3 -i 0.3 -W 2 -I "$vip" $PING_US_ADDR >"$out/ping.txt" 2>&1
    ping_rc=$?
elif [ "$ping" = 1 ] && [ -n "$xauth_gateway" ]; then
    # raw: "... remote-vips=[10.3.0.1] ..." (or IPv6); our daemon must have put that address on its lo
    vip=$(grep -o 'remote-vips=\[[0-9a-f.:]*' "$out/swanctl-list-sas.txt" | head -n1 | cut -d[ -f2)
    echo "$vip" >"$out/vip.txt"
    ip -n us addr show dev lo >"$out/ip-addr-lo-us.txt" 2>&1
    [ -n "$vip" ] || finish FAIL "strongSwan gave our side no virtual IP (see swanctl-list-sas.txt)"
    grep -Eq "inet6? $vip/$PING_HOST_PREFIX " "$out/ip-addr-lo-us.txt" ||
        finish FAIL "our side did not put its virtual IP $vip on lo (see ip-addr-lo-us.txt)"
    ip netns exec us ping -c 3 -i 0.3 -W 2 -I "$vip" $PING_SW_ADDR >"$out/ping.txt" 2>&1
    ping_rc=$?
elif [ "$ping" = 1 ] && [ "$l2tp" = 1 ]; then
    ip netns exec us /usr/bin/python3 "$HERE/udp-echo.py" serve $INTEROP_US_ADDR 1701 >"$out/l2tp-echo-us.txt" 2>&1 &
    echo_pid=$!
    for ((i = 0; i < 50; i++)); do grep -q listening "$out/l2tp-echo-us.txt" && break; msleep 0.1; done
    ip netns exec sw /usr/bin/python3 "$HERE/udp-echo.py" send $sw_local 1701 $INTEROP_US_ADDR 3 >"$out/ping.txt" 2>&1
    ping_rc=$?
    kill -TERM "$echo_pid"; wait "$echo_pid"
elif [ "$ping" = 1 ]; then
    ip netns exec us ping -c 3 -i 0.3 -W 2 "${ping_data[@]}" -I $PING_US_ADDR $PING_SW_ADDR >"$out/ping.txt" 2>&1
    ping_rc=$?
fi
if [ "$ping" = 1 ]; then
    stamp "ping done ($ping_rc)"
    ip -n us -s xfrm state >"$out/ip-xfrm-state-stats-us.txt" 2>&1
    ip -n sw -s xfrm state >"$out/ip-xfrm-state-stats-sw.txt" 2>&1
    ip -n us xfrm policy >"$out/ip-xfrm-policy-us.txt" 2>&1
    [ "$ping_rc" = 0 ] && grep -q ' 3 received' "$out/ping.txt" ||
        finish FAIL "ping through the tunnel failed (see ping.txt)"
    for side in us sw; do
        # every SA of the negotiated protocols (ESP or AH, and IPComp) must have counted packets
        for proto in $INTEROP_PROTO $([ "$compress" = 1 ] && echo comp); do
            counts=$(sa_packets "$out/ip-xfrm-state-stats-$side.txt" | awk -v p="$proto" '$1 == p')
            sas=$(grep -c . <<<"$counts")
            counted=$(awk '$2 > 0' <<<"$counts" | grep -c .)
            [ "$sas" -ge 2 ] && [ "$counted" = "$sas" ] ||
                finish FAIL "$proto packet counters on $side: $counted of $sas SAs counted packets (see ip-xfrm-state-stats-$side.txt)"
        done
        sas=$(grep -c "proto $INTEROP_PROTO" "$out/ip-xfrm-state-stats-$side.txt")
        if [ "$nat" != 0 ]; then
            encapsulated=$(grep -c 'encap type espinudp' "$out/ip-xfrm-state-stats-$side.txt")
            [ "$encapsulated" = "$sas" ] ||
                finish FAIL "ESP in UDP on $side: $encapsulated of $sas SAs (see ip-xfrm-state-stats-$side.txt)"
        fi
    done
fi
if [ "$ping" = 1 ] && [ "$ping_for" -gt 0 ]; then
    stamp "pinging for ${ping_for}s"
    ip netns exec us ping -i 0.2 -s "$ping_size" -w "$ping_for" -W 1 -I $PING_US_ADDR $PING_SW_ADDR \
        >"$out/ping-long.txt" 2>&1
    stamp "long ping done"
    ip -n us -s xfrm state >"$out/ip-xfrm-state-stats-us-long.txt" 2>&1
    ip -n sw -s xfrm state >"$out/ip-xfrm-state-stats-sw-long.txt" 2>&1
    collect
    gap=$(ping_gap "$out/ping-long.txt")
    replies=$(grep -c 'bytes from.*icmp_seq=' "$out/ping-long.txt")
    [ "$replies" -gt 0 ] || finish FAIL "no reply during the long ping (see ping-long.txt)"
    [ "$gap" -le 4 ] || finish FAIL "$gap replies in a row missing during the long ping (see ping-long.txt)"
fi
if [ "$ping" = 1 ] && [ "$stream_for" -gt 0 ]; then
    stream_both_ways || finish FAIL "$stream_failure"
fi
if [ "$ping" = 1 ] && [ "$ping_again" -gt 0 ]; then
    first_spis=$(grep -o 'spi 0x[0-9a-f]*' "$out/ip-xfrm-state-stats-us.txt" | sort -u)
    stamp "waiting ${ping_again}s before pinging again"
    msleep "$ping_again"
    # The SAs rekey every ~27 s: a rekey that falls between the ping and the listing removes the
    # SAs that counted it (strongSwan drops its old outbound SA at once). Such a try is repeated.
    for try in 1 2 3; do
        ip netns exec us ping -c 3 -i 0.3 -W 2 -I $PING_US_ADDR $PING_SW_ADDR >"$out/ping-again.txt" 2>&1
        ping_rc=$?
        stamp "second ping done ($ping_rc, try $try)"
        ip -n us -s xfrm state >"$out/ip-xfrm-state-stats-us-again.txt" 2>&1
        ip -n sw -s xfrm state >"$out/ip-xfrm-state-stats-sw-again.txt" 2>&1
        uncounted=''
        for side in us sw; do
            counted=$(awk '/lifetime current:/ { getline; split($2, a, "("); if (a[1] + 0 > 0) n++ } END { print n + 0 }' \
                "$out/ip-xfrm-state-stats-$side-again.txt")
            [ "$counted" -ge 2 ] || { uncounted="only $counted ESP SAs on $side"; break; }
        done
        [ -z "$uncounted" ] && break
        msleep 2
    done
    collect
    [ "$ping_rc" = 0 ] && grep -q ' 3 received' "$out/ping-again.txt" ||
        finish FAIL "second ping failed (see ping-again.txt)"
    again_spis=$(grep -o 'spi 0x[0-9a-f]*' "$out/ip-xfrm-state-stats-us-again.txt" | sort -u)
    [ -n "$again_spis" ] || finish FAIL "no ESP SAs on our side at the second ping"
    old=$(comm -12 <(echo "$first_spis") <(echo "$again_spis"))
    [ -z "$old" ] || finish FAIL "our side still holds the first SAs ($old) after ${ping_again}s (see ip-xfrm-state-stats-us-again.txt)"
    [ -z "$uncounted" ] ||
        finish FAIL "after the rekey $uncounted counted packets, $try tries (see ip-xfrm-state-stats-*-again.txt)"
fi
finish OK
