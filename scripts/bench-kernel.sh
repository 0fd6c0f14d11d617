#!/usr/bin/env bash
# Issue 12's kernel benchmark: install and delete PAIRS IPsec SA pairs (default 10000, each its own
# tunnel) through our XFRM and PF_KEY back-ends inside the kernel lab (User-Mode Linux), next to
# the same SAs added and deleted by `ip -batch` (iproute2's netlink, one process) in the same boot.
#
#   scripts/bench-kernel.sh [PAIRS]          # results: isakmpd-daemon/target/bench-kernel/result.txt
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-10000}
out=$PWD/isakmpd-daemon/target/bench-kernel
key() { printf -v "$1" '0x%02x%0*d' $(( $2 & 0xff )) "$3" 0; }
batch() { # batch add|delete FILE: the same SAs as KernelInstallBench, in ip -batch syntax
    local i o n ko ka no na
    for ((i = 0; i < pairs; i++)); do
        o=$(( 0x10000 + i )) n=$(( 0x20000 + i ))
        if [ "$1" = add ]; then
            key ka "$o" 38; key ko "$o" 30; key na "$n" 38; key no "$n" 30
            echo "xfrm state add src 198.51.100.1 dst 198.51.100.2 proto esp spi $o reqid $((i + 1)) mode tunnel" \
                "auth sha1 $ka enc aes $ko"
            echo "xfrm state add src 198.51.100.2 dst 198.51.100.1 proto esp spi $n reqid $((i + 1)) mode tunnel" \
                "auth sha1 $na enc aes $no"
        else
            echo "xfrm state delete src 198.51.100.1 dst 198.51.100.2 proto esp spi $o"
            echo "xfrm state delete src 198.51.100.2 dst 198.51.100.1 proto esp spi $n"
        fi
    done >"$2"
}
if [ "${LAB_IN_UML:-}" != 1 ]; then
    mvn -o -q -B -DskipTests package -pl isakmpd-daemon -am >&2   # test classes too (the bench's)
    mkdir -p "$out"
    # written here: forking in the single-CPU guest is slow
    batch add "$out/add.batch"; batch delete "$out/delete.batch"
    exec scripts/lab/run-in-uml.sh --timeout 1200 --mem 2G -- "$0" "$pairs"
fi

# inside the lab
cp="isakmpd-daemon/target/test-classes:isakmpd-daemon/target/isakmpd.jar:isakmpd-daemon/target/lib/*"
now() { date +%s.%N; }
rate() { awk -v n=$((2 * pairs)) -v a="$1" -v b="$2" 'BEGIN { printf "%.0f SAs/s (%.2f s)", n / (b - a), b - a }'; }
ip xfrm state flush
t0=$(now); ip -batch "$out/add.batch"; t1=$(now)
held=$(ip xfrm state count | awk '{ print $NF }')
t2=$(now); ip -batch "$out/delete.batch"; t3=$(now)
{
    echo "kernel lab: $(uname -r), $(nproc) CPU; $(java -version 2>&1 | head -1); $(date -u +%FT%TZ)"
    echo "ip -batch $((2 * pairs)) SAs (held $held): install $(rate "$t0" "$t1"), delete $(rate "$t2" "$t3")"
    for b in xfrm pfkey; do
        java -XX:+UseSerialGC -Djna.tmpdir="$out" -cp "$cp" dev.isakmpd.daemon.bench.KernelInstallBench "$b" "$pairs"
    done
} | tee "$out/result.txt"
