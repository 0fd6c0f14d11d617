#!/usr/bin/env bash
# install-deps.sh - install the Debian packages the kernel lab
# (scripts/lab/run-in-uml.sh) and the strongSwan interop harness
# (scripts/interop/) need.  Idempotent: installs exactly what is missing
# (apt-get update only when needed), prints what it did.
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
    tcpdump              # packet capture in the harness
    tshark               # decoding ISAKMP captures
)

check_only=0
case ${1:-} in
    --check) check_only=1 ;;
    -h|--help) sed -n '2,/^set -u/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    '') ;;
    *) echo "$prog: unknown argument $1" >&2; exit 2 ;;
esac

installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]; }

missing=()
for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then
    echo "$prog: all ${#PACKAGES[@]} packages already installed: ${PACKAGES[*]}"
    exit 0
fi
echo "$prog: missing: ${missing[*]}"
[ "$check_only" = 1 ] && exit 1
[ "$(id -u)" = 0 ] || { echo "$prog: must run as root to install them" >&2; exit 1; }
command -v apt-get >/dev/null || { echo "$prog: apt-get not found (Debian/Ubuntu only)" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive
# wireshark-common (pulled in by tshark) asks whether non-root users may
# capture; answer "no" in advance so nothing ever waits for a terminal.
echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections

# apt-get update once, and only if some missing package has no install candidate
# (fresh containers ship without package lists).
need_update=0
for p in "${missing[@]}"; do
    cand=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/{print $2}')
    if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then need_update=1; break; fi
done
if [ "$need_update" = 1 ]; then
    echo "$prog: running apt-get update"
    apt-get update -q || { echo "$prog: apt-get update failed" >&2; exit 1; }
fi

echo "$prog: running apt-get install -y --no-install-recommends ${missing[*]}"
apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" </dev/null ||
    { echo "$prog: apt-get install failed" >&2; exit 1; }

still=()
for p in "${missing[@]}"; do installed "$p" || still+=("$p"); done
[ ${#still[@]} -eq 0 ] || { echo "$prog: still missing after install: ${still[*]}" >&2; exit 1; }
echo "$prog: installed: ${missing[*]}"
