#!/usr/bin/env bash
# pfkey-suite.sh OUT CLASSPATH - the PF_KEY suite (dev.isakmpd.pfkey.lab.PfKeyLabSuite); runs INSIDE
# the kernel lab (scripts/lab/run-in-uml.sh -- scripts/lab/pfkey-suite.sh ...). Sets up a veth pair
# with source address 10.1.0.1 and a route to 10.2.0.0/16 over it, so that a datagram
# 10.1.0.1 -> 10.2.0.1 hits the suite's tunnel policy (lo would not do: it has disable_xfrm=1).
# 198.51.100.1 and a route to 198.51.100.2 let the kernel send what the outbound SA encapsulates
# (counters).
set -eu
[ "${LAB_IN_UML:-}" = 1 ] || { echo "pfkey-suite.sh: runs inside the kernel lab only" >&2; exit 2; }
out=$1 cp=$2
mkdir -p "$out"
ip -batch - <<NET
link add pfk0 type veth peer name pfk1
link set pfk0 up
link set pfk1 up
addr add 10.1.0.1/32 dev pfk0
route add 10.2.0.0/16 dev pfk0 src 10.1.0.1
addr add 198.51.100.1/32 dev pfk0
route add 198.51.100.2/32 dev pfk0
NET
ip xfrm state flush; ip xfrm policy flush
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djna.tmpdir="$out" -cp "$cp" dev.isakmpd.pfkey.lab.PfKeyLabSuite "$out"
