#!/usr/bin/env bash
# capture-strongswan.sh - capture real IKEv1 messages from two strongSwan 5.9.8 (charon-systemd) instances on the
# host loopback, for the wire-format test vectors in this directory (issue 3). Run as root on a host where
# nothing else uses UDP 500/4500/15500/14500. Needs charon-systemd, swanctl, openssl, tcpdump, tshark.
#
#   gw  127.0.0.1 ports 500/4500     responder: certificates (RSA), XAUTH server, mode-config pool, aggressive PSK
#   rw  127.0.0.2 ports 15500/14500  initiator
#
# Connections (rw initiates each, then terminates it so Deletes are sent):
#   cert  Main Mode, RSA certificates (CERT/CR/SIG, ID_DER_ASN1_DN), fragmentation forced with a small fragment size
#         (FRAGMENT payloads), encap=yes (NAT-D faked, float to 4500), XAUTH + mode-config (Transaction exchange:
#         ATTR), DPD (R-U-THERE notifies), Quick Mode tunnel (fails to install on a host kernel without ESP, after
#         QM1/QM2 went over the wire)
#   aggr  Aggressive Mode PSK, Quick Mode transport mode
# charon logs the IKE keys (ike = 4) so tshark can decrypt; decrypted payload chains are extracted by
# extract-vectors.sh. Output: OUT/capture.pcap, OUT/gw.log, OUT/rw.log.
set -u
out=${1:-/tmp/wire-vectors}
rm -rf "$out"; mkdir -p "$out"
cd "$out" || exit 1

# --- certificates (throw-away, generated for this capture)
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 -subj "/C=CH/O=isakmpd-java test/CN=Test CA" 2>/dev/null
for n in gw rw; do
    openssl req -newkey rsa:2048 -nodes -keyout $n.key -out $n.csr -subj "/C=CH/O=isakmpd-java test/CN=$n" 2>/dev/null
    openssl x509 -req -in $n.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out $n.crt -days 3650 2>/dev/null
done

conf() { # name port natport log
    mkdir -p $1/swanctl/{x509,x509ca,private}
    cp ca.crt $1/swanctl/x509ca/; cp $1.crt $1/swanctl/x509/; cp $1.key $1/swanctl/private/
    cat >$1/strongswan.conf <<EOC
charon-systemd {
    port = $2
    port_nat_t = $3
    fragment_size = 600
    retransmit_tries = 2
    install_routes = no
    install_virtual_ip = no
    i_dont_care_about_security_and_use_aggressive_mode_psk = yes
    journal { default = -1 }
    filelog { charon { path = $out/$1.log
        default = 1
        ike = 4
        cfg = 2
        enc = 2
        net = 2
    } }
    load_modular = no
    load = random nonce openssl aes sha1 sha2 md5 hmac gmp kdf drbg pem pkcs1 pkcs8 x509 pubkey kernel-netlink socket-default vici attr xauth-generic
    plugins { vici { socket = unix://$out/$1.vici } }
}
swanctl { socket = unix://$out/$1.vici
    load = random nonce openssl pem pkcs1 pkcs8 x509 pubkey }
EOC
}
conf gw 500 4500
conf rw 15500 14500
cat >gw/swanctl/swanctl.conf <<EOC
connections {
    cert {
        version = 1
        local_addrs = 127.0.0.1
        remote_addrs = 127.0.0.2
        proposals = aes128-sha256-modp2048
        fragmentation = force
        encap = yes
        dpd_delay = 1s
        pools = p
        local { auth = pubkey
            certs = gw.crt }
        remote { auth = pubkey }
        remote-xauth { auth = xauth }
        children { net { local_ts = 10.1.0.0/16
            remote_ts = 127.0.0.2/32, 10.3.0.0/28
            esp_proposals = aes128-sha1 } }
    }
    aggr {
        version = 1
        aggressive = yes
        local_addrs = 127.0.0.1
        remote_addrs = 127.0.0.2
        proposals = aes256-sha1-modp2048
        local { auth = psk
            id = gw@example.org }
        remote { auth = psk
            id = rw@example.org }
        children { tp { mode = transport
            esp_proposals = aes256-sha256-modp2048 } }
    }
}
pools { p { addrs = 10.3.0.0/28
    dns = 10.3.0.53, 10.3.0.54 } }
secrets {
    xauth-rw { id = alice
        secret = alice-password }
    ike-aggr { id-1 = gw@example.org
        id-2 = rw@example.org
        secret = aggressive-psk }
}
EOC
cat >rw/swanctl/swanctl.conf <<EOC
connections {
    cert {
        version = 1
        local_addrs = 127.0.0.2
        remote_addrs = 127.0.0.1
        remote_port = 500
        proposals = aes128-sha256-modp2048
        fragmentation = force
        encap = yes
        dpd_delay = 1s
        vips = 0.0.0.0
        local { auth = pubkey
            certs = rw.crt }
        local-xauth { auth = xauth
            xauth_id = alice }
        remote { auth = pubkey }
        children { net { remote_ts = 10.1.0.0/16
            esp_proposals = aes128-sha1 } }
    }
    aggr {
        version = 1
        aggressive = yes
        local_addrs = 127.0.0.2
        remote_addrs = 127.0.0.1
        remote_port = 500
        proposals = aes256-sha1-modp2048
        local { auth = psk
            id = rw@example.org }
        remote { auth = psk
            id = gw@example.org }
        children { tp { mode = transport
            esp_proposals = aes256-sha256-modp2048 } }
    }
}
secrets {
    xauth-rw { id = alice
        secret = alice-password }
    ike-aggr { id-1 = gw@example.org
        id-2 = rw@example.org
        secret = aggressive-psk }
}
EOC

tcpdump -i lo -U -w capture.pcap 'udp and (port 500 or port 4500 or port 15500 or port 14500)' 2>tcpdump.log &
td=$!
sleep 1
pids=()
for n in gw rw; do
    STRONGSWAN_CONF=$out/$n/strongswan.conf /usr/sbin/charon-systemd >$n.stderr 2>&1 &
    pids+=($!)
done
for n in gw rw; do
    for i in $(seq 50); do [ -S $out/$n.vici ] && break; sleep 0.1; done
    (cd $n/swanctl && STRONGSWAN_CONF=$out/$n/strongswan.conf swanctl --load-all --noprompt --file $out/$n/swanctl/swanctl.conf) >$n.load 2>&1
done
rwctl() { STRONGSWAN_CONF=$out/rw/strongswan.conf swanctl "$@"; }
rwctl --initiate --child net --ike cert --timeout 15 >initiate-cert.txt 2>&1
sleep 3   # DPD
rwctl --terminate --ike cert --timeout 5 >terminate-cert.txt 2>&1
rwctl --initiate --child tp --ike aggr --timeout 15 >initiate-aggr.txt 2>&1
rwctl --terminate --ike aggr --timeout 5 >terminate-aggr.txt 2>&1
sleep 1
kill "${pids[@]}"; wait "${pids[@]}" 2>/dev/null
kill $td; wait $td 2>/dev/null
tshark -n -r capture.pcap 2>/dev/null
