#!/usr/bin/env bash
# capture-libreswan.sh - capture real IKEv1 messages between libreswan 4.10 (pluto, initiator) and strongSwan
# 5.9.8 (charon-systemd, responder) for the wire-format test vectors (issue 3). Run as root on the host.
#
# libreswan conflicts with the installed strongSwan packages, so it is unpacked, not installed:
#   cd LSW && apt-get download libreswan libldns3 libevent-pthreads-2.1-7 libnss3-tools && for d in *.deb; do
#   dpkg -x $d root; done
# pluto runs in network namespace "wirels" (198.51.100.102 on a veth pair; pluto binds interface addresses),
# charon on the host side (198.51.100.101, port 500). Main Mode PSK, Quick Mode tunnel with PFS (modp2048), then
# a Delete. charon logs the IKE keys (ike = 4) so tshark can decrypt. Output: OUT/capture.pcap, OUT/*.log.
#
# usage: capture-libreswan.sh LSW-DIR [OUT]
set -u
lsw=${1:?usage: capture-libreswan.sh LSW-DIR [OUT]}
out=${2:-/tmp/wire-vectors-lsw}
rm -rf "$out"; mkdir -p "$out/nss" "$out/run" "$out/gw/swanctl"
export LD_LIBRARY_PATH=$lsw/root/usr/lib/x86_64-linux-gnu
ip netns del wirels 2>/dev/null
ip link del wv0 2>/dev/null
ip netns add wirels
ip link add wv0 type veth peer name wv1
ip link set wv1 netns wirels
ip addr add 198.51.100.101/24 dev wv0; ip link set wv0 up
ip netns exec wirels ip addr add 198.51.100.102/24 dev wv1
ip netns exec wirels ip link set wv1 up; ip netns exec wirels ip link set lo up
cleanup() { ip netns del wirels 2>/dev/null; ip link del wv0 2>/dev/null; }
trap cleanup EXIT

$lsw/root/usr/bin/certutil -N -d sql:$out/nss --empty-password
cat >$out/ipsec.conf <<EOC
config setup
    plutodebug=none
    listen=198.51.100.102
    ikev1-policy=accept
conn c
    ikev2=no
    authby=secret
    left=198.51.100.102
    leftsubnet=10.2.0.0/16
    right=198.51.100.101
    rightsubnet=10.1.0.0/16
    ike=aes128-sha2_256;modp2048
    esp=aes128-sha1;modp2048
    pfs=yes
    leftupdown=/bin/true
    auto=add
EOC
echo '198.51.100.102 198.51.100.101 : PSK "libreswan-interop-psk"' >$out/ipsec.secrets
chmod 600 $out/ipsec.secrets

cat >$out/gw/strongswan.conf <<EOC
charon-systemd {
    port = 500
    port_nat_t = 4500
    install_routes = no
    retransmit_tries = 2
    journal { default = -1 }
    filelog { charon { path = $out/gw.log
        default = 1
        ike = 4
        cfg = 2
    } }
    load_modular = no
    load = random nonce openssl aes sha1 sha2 md5 hmac gmp kdf drbg pem pkcs1 x509 pubkey kernel-netlink socket-default vici
    plugins { vici { socket = unix://$out/gw.vici } }
}
swanctl { socket = unix://$out/gw.vici
    load = random nonce openssl pem pkcs1 x509 pubkey }
EOC
cat >$out/gw/swanctl/swanctl.conf <<EOC
connections { c {
    version = 1
    local_addrs = 198.51.100.101
    remote_addrs = 198.51.100.102
    proposals = aes128-sha256-modp2048
    local { auth = psk
        id = 198.51.100.101 }
    remote { auth = psk
        id = 198.51.100.102 }
    children { net { local_ts = 10.1.0.0/16
        remote_ts = 10.2.0.0/16
        esp_proposals = aes128-sha1-modp2048 } }
} }
secrets { ike-c { id-1 = 198.51.100.101
    id-2 = 198.51.100.102
    secret = "libreswan-interop-psk" } }
EOC

tcpdump -i wv0 -U -w $out/capture.pcap 'udp and (port 500 or port 4500)' 2>$out/tcpdump.log &
td=$!
STRONGSWAN_CONF=$out/gw/strongswan.conf /usr/sbin/charon-systemd >$out/gw.stderr 2>&1 &
charon=$!
for i in $(seq 50); do [ -S $out/gw.vici ] && break; sleep 0.1; done
(cd $out/gw/swanctl && STRONGSWAN_CONF=$out/gw/strongswan.conf swanctl --load-all --noprompt --file $out/gw/swanctl/swanctl.conf) >$out/gw.load 2>&1
# pluto runs its helper /usr/libexec/ipsec/addconn: give it the unpacked one in a private mount namespace
ip netns exec wirels unshare -m sh -c "mount --bind $lsw/root/usr/libexec /usr/libexec && exec \
    /usr/libexec/ipsec/pluto --config $out/ipsec.conf --secretsfile $out/ipsec.secrets --nssdir $out/nss \
    --rundir $out/run --nofork --logfile $out/pluto.log" >$out/pluto.stderr 2>&1 &
pluto=$!
for i in $(seq 50); do [ -S $out/run/pluto.ctl ] && break; sleep 0.1; done
whack() { ip netns exec wirels $lsw/root/usr/libexec/ipsec/whack --ctlsocket $out/run/pluto.ctl "$@"; }
whack --listen >/dev/null 2>&1
whack --name c --initiate --asynchronous >$out/initiate.txt 2>&1
sleep 4
whack --name c --terminate >$out/terminate.txt 2>&1
sleep 1
whack --shutdown >/dev/null 2>&1
sleep 1
kill $charon $pluto 2>/dev/null; wait $charon $pluto 2>/dev/null
kill $td; wait $td 2>/dev/null
tshark -n -r $out/capture.pcap 2>/dev/null
