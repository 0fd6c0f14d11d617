#!/usr/bin/env bash
# xfrm-suite.sh OUT CLASSPATH - the XFRM netlink suite (dev.isakmpd.xfrm.lab.XfrmLabSuite); runs
# INSIDE the kernel lab (scripts/lab/run-in-uml.sh -- scripts/lab/xfrm-suite.sh ...). Sets up a veth
# pair with source address 10.1.0.1 and a route to 10.2.0.0/16 over it, so that a datagram
# 10.1.0.1 -> 10.2.0.1 hits the suite's tunnel policy (lo would not do: it has disable_xfrm=1).
# 198.51.100.1 and a route to 198.51.100.2 let the kernel send what the outbound SA encapsulates
# (counters).
set -eu
[ "${LAB_IN_UML:-}" = 1 ] || { echo "xfrm-suite.sh: runs inside the kernel lab only" >&2; exit 2; }
out=$1 cp=$2
mkdir -p "$out"
ip -batch - <<NET
link add xfr0 type veth peer name xfr1
link set xfr0 up
link set xfr1 up
addr add 10.1.0.1/32 dev xfr0
route add 10.2.0.0/16 dev xfr0 src 10.1.0.1
addr add 198.51.100.1/32 dev xfr0
route add 198.51.100.2/32 dev xfr0
NET
ip xfrm state flush; ip xfrm policy flush
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djna.tmpdir="$out" -cp "$cp" dev.isakmpd.xfrm.lab.XfrmLabSuite "$out"
