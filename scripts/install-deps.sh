#!/usr/bin/env bash
# install-deps.sh - install the Debian packages the kernel lab
# (scripts/lab/run-in-uml.sh) and the strongSwan interop harness
# (scripts/interop/) need.  Idempotent: installs exactly what is missing
# (apt-get update only when needed), prints what it did.
# libreswan 4.10 conflicts with the strongSwan packages, so it is unpacked
# (apt-get download + dpkg -x) into $LIBRESWAN_DIR instead of installed; the
# libraries it needs that strongSwan does not conflict with are installed.
#
# usage: install-deps.sh [--check]
#   --check   only report missing packages; exit 1 if any are missing
#
# Needs root for installing (CI runs as root).  Debian 12 (bookworm) packages.
# The UML guest has no file system of its own (its root is the host's /), so
# everything the guest runs - charon, swanctl, ip, tcpdump, java - must be
# installed on the host.  The JDK/Maven are not handled here.
set -u
prog=install-deps

PACKAGES=(
    user-mode-linux      # linux.uml + /usr/lib/uml/modules (af_key, esp4, xfrm_user, veth, ...)
    kmod                 # modprobe (runs in the guest)
    iproute2             # ip netns / ip xfrm
    iputils-ping         # connectivity checks
    util-linux           # setsid, setpriv, unshare, mount
    mount
    procps               # ps/pkill used by humans when debugging
    perl-base            # console relays of run-in-uml.sh
    charon-systemd       # strongSwan IKE daemon (charon-systemd binary)
    strongswan-swanctl   # swanctl + vici plugin
    libstrongswan-standard-plugins   # openssl plugin (ECP, GCM, ...)
    libcharon-extauth-plugins        # xauth-generic: strongSwan as XAUTH client (run-scenario.sh --xauth)
    libcharon-extra-plugins          # resolve: where that client writes the DNS servers it is given
    gcc libc6-dev        # builds scripts/lab/uml-xstate.c (UML on hosts with AMX)
    tcpdump              # packet capture in the harness
    iptables             # iptables-legacy: the masquerading NAT of run-scenario.sh --nat
    tshark               # decoding ISAKMP captures
    keepalived           # VRRP for the HA pair's failover lab (scripts/interop/ha-failover-scenario.sh)
    # libreswan's pluto (unpacked, see below) links against these
    libnss3 libnspr4 libcurl3-nss libunbound8 libcap-ng0 libaudit1 libevent-core-2.1-7 libldap-2.5-0
)
LIBRESWAN_DIR=${LIBRESWAN_DIR:-/opt/isakmpd-interop/libreswan-4.10}
LIBRESWAN_DEBS=(libreswan libldns3 libevent-pthreads-2.1-7 libnss3-tools)

check_only=0
case ${1:-} in
    --check) check_only=1 ;;
    -h|--help) sed -n '2,/^set -u/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    '') ;;
    *) echo "$prog: unknown argument $1" >&2; exit 2 ;;
esac

installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]; }
have_libreswan() { [ -x "$LIBRESWAN_DIR/usr/libexec/ipsec/pluto" ] && [ -x "$LIBRESWAN_DIR/usr/bin/certutil" ]; }

# apt-get update once, and only if one of these packages has no candidate (fresh containers
# ship without package lists).
update_if_needed() {
    local p cand
    for p in "$@"; do
        cand=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/{print $2}')
        if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then
            echo "$prog: running apt-get update"
            apt-get update -q || { echo "$prog: apt-get update failed" >&2; exit 1; }
            return
        fi
    done
}

missing=()
for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ] && have_libreswan; then
    echo "$prog: all ${#PACKAGES[@]} packages already installed, libreswan unpacked in $LIBRESWAN_DIR"
    exit 0
fi
[ ${#missing[@]} -eq 0 ] || echo "$prog: missing: ${missing[*]}"
have_libreswan || echo "$prog: missing: libreswan in $LIBRESWAN_DIR"
[ "$check_only" = 1 ] && exit 1
[ "$(id -u)" = 0 ] || { echo "$prog: must run as root to install them" >&2; exit 1; }
command -v apt-get >/dev/null || { echo "$prog: apt-get not found (Debian/Ubuntu only)" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ]; then
    # wireshark-common (pulled in by tshark) asks whether non-root users may
    # capture; answer "no" in advance so nothing ever waits for a terminal.
    echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections
    update_if_needed "${missing[@]}"
    echo "$prog: running apt-get install -y --no-install-recommends ${missing[*]}"
    apt-get install -y -q --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" </dev/null ||
        { echo "$prog: apt-get install failed" >&2; exit 1; }
    still=()
    for p in "${missing[@]}"; do installed "$p" || still+=("$p"); done
    [ ${#still[@]} -eq 0 ] || { echo "$prog: still missing after install: ${still[*]}" >&2; exit 1; }
    echo "$prog: installed: ${missing[*]}"
fi

if ! have_libreswan; then
    update_if_needed "${LIBRESWAN_DEBS[@]}"
    tmp=$(mktemp -d) && chmod 755 "$tmp" || exit 1   # apt downloads as user _apt
    (cd "$tmp" && apt-get download -q "${LIBRESWAN_DEBS[@]}") ||
        { echo "$prog: apt-get download ${LIBRESWAN_DEBS[*]} failed" >&2; rm -rf "$tmp"; exit 1; }
    mkdir -p "$LIBRESWAN_DIR"
    for d in "$tmp"/*.deb; do dpkg -x "$d" "$LIBRESWAN_DIR" || { rm -rf "$tmp"; exit 1; }; done
    rm -rf "$tmp"
    have_libreswan || { echo "$prog: no pluto in $LIBRESWAN_DIR after unpacking" >&2; exit 1; }
    echo "$prog: unpacked ${LIBRESWAN_DEBS[*]} into $LIBRESWAN_DIR"
fi
