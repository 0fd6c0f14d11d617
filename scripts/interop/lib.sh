# lib.sh - shared helpers of the interop harness (sourced, not executed).
# Generates strongswan.conf / swanctl.conf for one charon-systemd instance and
# starts/stops it.  Used by run-scenario.sh (strongSwan side, namespace "sw"),
# libreswan-scenario.sh (pluto in "sw"), two-daemons-scenario.sh (our daemon in both)
# and charon-peer.sh (stand-in for our daemon, namespace "us").

INTEROP_US_ADDR=198.51.100.1
INTEROP_SW_ADDR=198.51.100.2
INTEROP_US_TS=10.1.0.0/16
INTEROP_SW_TS=10.2.0.0/16
INTEROP_PREFIX=24
INTEROP_ADDR_FLAGS=''
# use_ipv6: the same topology with IPv6 documentation addresses (RFC 3849); nodad, so that the
# addresses are usable at once instead of "tentative" for the duplicate address detection.
use_ipv6() {
    INTEROP_US_ADDR=2001:db8::1
    INTEROP_SW_ADDR=2001:db8::2
    INTEROP_US_TS=2001:db8:1::/48
    INTEROP_SW_TS=2001:db8:2::/48
    INTEROP_PREFIX=64
    INTEROP_ADDR_FLAGS=nodad
    PING_US_ADDR=2001:db8:1::1
    PING_SW_ADDR=2001:db8:2::1
    PING_HOST_PREFIX=128
}
# --ping: host addresses inside the selectors, on the veths, for the end-to-end data path
PING_US_ADDR=10.1.0.1
PING_SW_ADDR=10.2.0.1
PING_HOST_PREFIX=32
CHARON_BIN=${CHARON_BIN:-/usr/sbin/charon-systemd}

# now: seconds since boot with 2 decimals (no exec)
now() { local u _; read -r u _ </proc/uptime; echo "$u"; }
# hexpsk PSK: 0x<hex> form of PSK, safe for any bytes in swanctl.conf
hexpsk() { printf '0x%s' "$(printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n')"; }
# msleep: sleep without exec (bash builtin read with timeout)
msleep() { read -r -t "$1" _ <>"${INTEROP_SLEEP_FIFO:-/dev/ptmx}" 2>/dev/null || true; }

# alive PID: process exists and is not a zombie (kill -0 succeeds on zombies)
alive() { local st; [ -r "/proc/$1/stat" ] && read -r _ _ st _ <"/proc/$1/stat" 2>/dev/null && [ "$st" != Z ]; }

# make_ping_path: the --ping data path, PING_US_ADDR and PING_SW_ADDR on the veths with routes
# between the selectors through the peer's address (or, behind a NAT, through the next hop the
# caller sets in sw_next_hop / us_next_hop)
make_ping_path() {
    ip -n us -batch - <<US && ip -n sw -batch - <<SW
addr add $PING_US_ADDR/$PING_HOST_PREFIX dev veth-us $INTEROP_ADDR_FLAGS
route add $INTEROP_SW_TS via ${sw_next_hop:-$INTEROP_SW_ADDR} src $PING_US_ADDR
US
addr add $PING_SW_ADDR/$PING_HOST_PREFIX dev veth-sw $INTEROP_ADDR_FLAGS
route add $INTEROP_US_TS via ${us_next_hop:-$INTEROP_US_ADDR} src $PING_SW_ADDR
SW
}

# ping_gap FILE: the most replies in a row that a ping's output FILE lacks, also at its end
# (replies carry icmp_seq=N; the longest run of sequence numbers without one is the gap)
ping_gap() {
    awk -F'icmp_seq=' '/bytes from/ && /icmp_seq=/ { split($2, a, " "); n = a[1] + 0
            if (n - last - 1 > worst) worst = n - last - 1; last = n }
        /packets transmitted/ { sent = $1 + 0 }
        END { if (sent - last > worst) worst = sent - last; print worst + 0 }' "$1"
}

# make_netns: namespaces "us" and "sw" (fresh), joined by veth-us/veth-sw with the addresses above.
# (ip -batch: every exec costs 0.1-0.5 s in the lab)
make_netns() {
    remove_netns
    ip -batch - <<NET && ip -n us -batch - <<US && ip -n sw -batch - <<SW
netns add us
netns add sw
link add veth-us netns us type veth peer name veth-sw netns sw
NET
addr add $INTEROP_US_ADDR/$INTEROP_PREFIX dev veth-us $INTEROP_ADDR_FLAGS
link set lo up
link set veth-us up
US
addr add $INTEROP_SW_ADDR/$INTEROP_PREFIX dev veth-sw $INTEROP_ADDR_FLAGS
link set lo up
link set veth-sw up
SW
}

# --nat / --nat-us: one side sits behind a masquerading NAT in netns "nat". The NAT's public address
# is the inside side's usual one (what the other side is configured with); inside, the side has
# NAT_INSIDE_ADDR and routes everything through NAT_INSIDE_GW.
NAT_INSIDE_GW=203.0.113.1
NAT_INSIDE_ADDR=203.0.113.2
NAT_PORTS=40000-40999

# make_nat_netns INSIDE: "us" and "sw" joined through "nat", INSIDE (sw or us) behind it; the NAT
# masquerades with iptables-legacy and rewrites UDP source ports to NAT_PORTS.
make_nat_netns() {
    local in=$1 out pub outaddr
    if [ "$in" = sw ]; then
        out=us pub=$INTEROP_SW_ADDR outaddr=$INTEROP_US_ADDR
    else
        out=sw pub=$INTEROP_US_ADDR outaddr=$INTEROP_SW_ADDR
    fi
    remove_netns
    modprobe -a iptable_nat xt_MASQUERADE || return 1
    ip -batch - <<NET && ip -n $out -batch - <<OUT && ip -n nat -batch - <<NAT && ip -n $in -batch - <<IN &&
netns add us
netns add nat
netns add sw
link add veth-$out netns $out type veth peer name veth-npub netns nat
link add veth-$in netns $in type veth peer name veth-npriv netns nat
NET
addr add $outaddr/24 dev veth-$out
link set lo up
link set veth-$out up
OUT
addr add $pub/24 dev veth-npub
addr add $NAT_INSIDE_GW/24 dev veth-npriv
link set lo up
link set veth-npub up
link set veth-npriv up
NAT
addr add $NAT_INSIDE_ADDR/24 dev veth-$in
link set lo up
link set veth-$in up
route add default via $NAT_INSIDE_GW
IN
    ip netns exec nat sysctl -q -w net.ipv4.ip_forward=1 &&
    ip netns exec nat iptables-legacy -t nat -A POSTROUTING -o veth-npub -p udp -j MASQUERADE --to-ports $NAT_PORTS &&
    ip netns exec nat iptables-legacy -t nat -A POSTROUTING -o veth-npub -j MASQUERADE
}

# add_nat_client NS ADDR: one more namespace behind the NAT of make_nat_netns sw, at ADDR in the
# inside /24 on its own veth (the NAT reaches it by a host route, and answers its ARP for the gateway
# address on that veth too)
add_nat_client() {
    local ns=$1 addr=$2
    ip netns add "$ns" && ip -n nat link add "veth-n$ns" type veth peer name "veth-$ns" netns "$ns" &&
    ip -n nat -batch - <<NAT && ip -n "$ns" -batch - <<IN
link set veth-n$ns up
route add $addr/32 dev veth-n$ns
NAT
addr add $addr/24 dev veth-$ns
link set lo up
link set veth-$ns up
route add default via $NAT_INSIDE_GW
IN
}

# remove_netns: kills whatever still runs in "us", "sw", "sw2" to "sw4" and "nat", then deletes the namespaces.
remove_netns() {
    local ns p
    for ns in us sw sw2 sw3 sw4 nat; do
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    done
    ip netns del us 2>/dev/null; ip netns del sw 2>/dev/null; ip netns del nat 2>/dev/null
    ip netns del sw2 2>/dev/null; ip netns del sw3 2>/dev/null; ip netns del sw4 2>/dev/null
}

# write_strongswan_conf FILE VICI_SOCKET LOGFILE
# Log levels: CHARON_LOG_IKE (default 2; 4 adds SKEYID*/keys, see
# docs/interop.md), CHARON_LOG_ENC (1; 2-3 dump payloads), CHARON_LOG_NET (1).
# One charon-systemd instance: own vici socket, file log, journal off, short
# retransmits (3 tries, 2 s base) so failures are fast, no routes (the
# traffic selectors are not configured on any interface).
write_strongswan_conf() {
    local file=$1 vici=$2 log=$3
    cat >"$file" <<CONF
# generated by scripts/interop/lib.sh
charon-systemd {
    # charon-systemd reads "charon-systemd.*" and falls back to "charon.*"
    port = 500
    port_nat_t = 4500
    retransmit_tries = 3
    retransmit_timeout = 2.0
    retransmit_base = 1.4
    block_threshold = 100
    cookie_threshold = 100
    install_routes = no
    install_virtual_ip = no
    # no systemd journal in the lab: log to a file only
    journal {
        default = -1
    }
    filelog {
        charon {
            path = $log
            time_format = %H:%M:%S
            ike_name = yes
            append = no
            flush_line = yes
            default = 1
            ike = ${CHARON_LOG_IKE:-2}
            cfg = 2
            knl = 2
            enc = ${CHARON_LOG_ENC:-1}
            net = ${CHARON_LOG_NET:-1}
            chd = 2
        }
    }
    load_modular = no
    load = random nonce openssl aes sha1 sha2 md5 hmac gmp kdf drbg xcbc pem pkcs1 pkcs8 x509 pubkey constraints revocation kernel-netlink socket-default vici
    plugins {
        vici {
            socket = unix://$vici
        }
        kernel-netlink {
            # the lab kernel answers quickly; nothing special needed
        }
    }
}
swanctl {
    socket = unix://$vici
    # only what PSK configs need (the compiled-in default list is noisy)
    load = random nonce openssl pem pkcs1 pkcs8 x509 pubkey
}
CONF
}

# write_swanctl_conf FILE LOCAL_ADDR REMOTE_ADDR LOCAL_TS REMOTE_TS PSK IKE ESP PFS START_ACTION
write_swanctl_conf() {
    local file=$1 laddr=$2 raddr=$3 lts=$4 rts=$5 psk=$6 ike=$7 esp=$8 pfs=$9 start=${10}
    local esp_prop=$esp
    [ "$pfs" != none ] && esp_prop="$esp-$pfs"
    cat >"$file" <<CONF
# generated by scripts/interop/lib.sh
connections {
    interop {
        version = 1
        local_addrs = $laddr
        remote_addrs = $raddr
        proposals = $ike
        # IKEv1: no reauthentication/rekeying during a short test
        rekey_time = 4h
        reauth_time = 0
        over_time = 10m
        dpd_delay = 0
        mobike = no
        fragmentation = no
        local {
            auth = psk
            id = $laddr
        }
        remote {
            auth = psk
            id = $raddr
        }
        children {
            net {
                mode = tunnel
                local_ts = $lts
                remote_ts = $rts
                esp_proposals = $esp_prop
                rekey_time = 1h
                life_time = 66m
                start_action = $start
                dpd_action = clear
            }
        }
    }
}
secrets {
    ike-interop {
        id-local = $laddr
        id-remote = $raddr
        secret = $(hexpsk "$psk")
    }
}
CONF
}

# subject_dn CERT: the subject as strongSwan writes IDs ("C=XX, O=Org, CN=name", DER order)
subject_dn() {
    openssl x509 -in "$1" -noout -subject -nameopt sep_comma_plus_space,sname,utf8 | sed 's/^subject=//'
}

# use_certificates SWANCTL_DIR PKI NAME OUR_ID PEER_ID: turn the generated PSK connection into
# auth = pubkey with NAME's certificate and key, the PKI's root and intermediate as CAs (and the
# intermediate's later CRL, which lists revoked and revoked-a), and the two subject DNs as IDs.
use_certificates() {
    local dir=$1 pki=$2 name=$3 our_id=$4 peer_id=$5
    cp "$pki/$name.crt.pem" "$dir/x509/" && cp "$pki/root.crt.pem" "$pki/intermediate.crt.pem" "$dir/x509ca/" &&
        cp "$pki/intermediate-2.crl.pem" "$dir/x509crl/" &&
        cp "$pki/$name.key.pem" "$dir/private/" && chmod 600 "$dir/private/$name.key.pem" || return 1
    sed -i -e "/local {/,/}/c\\        local {\\n            auth = pubkey\\n            certs = $name.crt.pem\\n            id = \"$our_id\"\\n        }" \
        -e "/remote {/,/}/c\\        remote {\\n            auth = pubkey\\n            id = \"$peer_id\"\\n        }" \
        -e '/^secrets {/,$d' "$dir/swanctl.conf"
}

# make_swanctl_dir DIR: swanctl --load-all --file DIR/swanctl.conf reads the
# credential subdirectories next to the file; create them (empty) to keep
# its output free of "opening directory failed" noise.
make_swanctl_dir() {
    mkdir -p "$1"/{x509,x509ca,x509ocsp,x509aa,x509ac,x509crl,pubkey,private,rsa,ecdsa,bliss,pkcs8,pkcs12}
}

# wait_socket PATH SECONDS: wait until a unix socket exists
wait_socket() {
    local p=$1 end i=0
    end=$(( ${2} * 10 ))
    while [ ! -S "$p" ]; do
        i=$((i + 1)); [ $i -gt $end ] && return 1
        msleep 0.1
    done
}

# use_xauth_client STRONGSWAN_CONF SWANCTL_CONF USER PASSWORD RESOLV_FILE [VIPS]: turn the generated
# PSK connection into a road warrior's: Main Mode with the PSK, then XAUTH as USER (swanctl local-1
# psk, local-2 xauth), vips = VIPS (default 0.0.0.0; :: asks for an IPv6 address; Mode-Config pull)
# and its virtual IP as its selector. charon loads xauth-generic (libcharon-extauth-plugins) and
# resolve (libcharon-extra-plugins) only here; resolve writes the DNS servers it is given to
# RESOLV_FILE, never to the host's /etc/resolv.conf.
use_xauth_client() {
    local conf=$1 swanctl=$2 user=$3 pass=$4 resolv=$5 vips=${6:-0.0.0.0}
    sed -i -e 's/^\(    load = random nonce openssl .* vici\)$/\1 xauth-generic resolve/' \
        -e "s|^    plugins {\$|    plugins {\\n        resolve {\\n            file = $resolv\\n        }|" "$conf" &&
    grep -q 'xauth-generic resolve$' "$conf" || return 1
    sed -i -e "s/^        version = 1\$/        version = 1\\n        vips = $vips/" \
        -e 's/^        local {$/        local-1 {/' \
        -e "s/^        remote {\$/        local-2 {\\n            auth = xauth\\n            xauth_id = $user\\n        }\\n        remote {/" \
        -e 's/^                local_ts = .*$/                local_ts = dynamic/' \
        -e "s/^secrets {\$/secrets {\\n    xauth-interop {\\n        id = $user\\n        secret = $(hexpsk "$pass")\\n    }/" \
        "$swanctl"
}

# use_xauth_gateway STRONGSWAN_CONF SWANCTL_CONF USER PASSWORD POOL DNS: turn the generated PSK
# connection into an IKEv1 XAUTH gateway's ("xauthpsk": swanctl remote-1 psk, remote-2 xauth with
# USER's PASSWORD; the client proposes XAUTHInitPreShared), leasing addresses from POOL with DNS by
# Mode-Config (the client pulls) and narrowing the client's selector to its virtual IP
# (remote_ts = dynamic). charon loads xauth-generic only here.
use_xauth_gateway() {
    local conf=$1 swanctl=$2 user=$3 pass=$4 pool=$5 dns=$6
    sed -i -e 's/^\(    load = random nonce openssl .* vici\)$/\1 xauth-generic/' "$conf" &&
    grep -q 'vici xauth-generic$' "$conf" || return 1
    sed -i -e 's/^        version = 1$/        version = 1\n        pools = rw/' \
        -e 's/^        remote {$/        remote-1 {/' \
        -e "s/^        children {\$/        remote-2 {\\n            auth = xauth\\n            xauth_id = $user\\n        }\\n        children {/" \
        -e 's/^                remote_ts = .*$/                remote_ts = dynamic/' \
        -e "s/^secrets {\$/secrets {\\n    xauth-interop {\\n        id = $user\\n        secret = $(hexpsk "$pass")\\n    }/" \
        "$swanctl" &&
    printf 'pools {\n    rw {\n        addrs = %s\n        dns = %s\n    }\n}\n' "$pool" "$dns" >>"$swanctl"
}
