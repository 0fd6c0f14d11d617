#!/usr/bin/python3
"""ha-crash-check.py - the checks of one crash at a worst moment (ha-crash-phase.sh), as result lines.

usage: ha-crash-check.py DIR PREFIX SURVIVOR PEER-ADDRESS NEW-IN-SPI TUNNEL...

Reads, in DIR: PREFIX + "xfrm-state-peer.txt" and PREFIX + "xfrm-state-SURVIVOR.txt" (ip -s xfrm
state), PREFIX + "swanctl-list-sas.txt" (swanctl --list-sas --raw) and the streams' files
(PREFIX + TUNNEL-sent-/stream-DIRECTION.txt, udp-seq.py).  With a second listing of both kernels
(the same names with "-2" before ".txt", taken a moment later), an SA counts as missing only if it is
missing in both: the survivor retires a rekeyed pair with a Delete, and one listing may fall between
its removal on one side and on the other; a black hole stays.  Prints key=value lines, each key
prefixed with PREFIX:
  TUNNEL-longest-gap-DIRECTION   the most consecutive datagrams lost (a lost tail included)
  TUNNEL-longest-gap-ms-DIRECTION the same in ms at 200 datagrams/s
  sas-peer, sas-survivor         how many ESP SAs each kernel holds
  peer-sas-missing-on-survivor   SPIs the peer holds and the survivor does not ("none"): the peer's
                                 outbound ones are black holes, its inbound ones never get traffic
  survivor-outbound-missing-on-peer  the survivor's outbound SAs the peer lacks: black holes
  survivor-inbound-missing-on-peer   its inbound ones the peer lacks: harmless (strongSwan removes
                                 the outbound SA of a rekeyed CHILD_SA at once; ours retires later)
  newest-pair                    the rekeyed tunnel's new pair, our inbound/outbound SPI (hex), as
                                 NEW-IN-SPI and the peer's child SA with that outbound SPI give it
  newest-packets-peer-out, newest-packets-survivor-in, newest-packets-survivor-out,
  newest-packets-peer-in         the kernels' packet counters on that pair
"""
import os
import re
import sys

RATE = 200
SOURCES = {}


def states(path):
    """ip -s xfrm state: {spi: packets} of its ESP SAs; each one's source address goes into SOURCES."""
    out, spi, src = {}, None, None
    with open(path) as f:
        for line in f:
            m = re.match(r"src (\S+) dst", line)
            if m:
                src = m.group(1)
                continue
            m = re.match(r"\s+proto esp spi 0x([0-9a-f]+)", line)
            if m:
                spi = m.group(1)
                out[spi] = 0
                SOURCES[spi] = src
                continue
            m = re.match(r"\s+\d+\(bytes\), (\d+)\(packets\)", line)
            if m and spi is not None:
                out[spi] = int(m.group(1))
                spi = None
    return out


def longest_gap(sent_file, stream_file):
    sent = highest = 0
    gaps = []
    with open(sent_file) as f:
        for line in f:
            if line.startswith("sent "):
                sent = int(line.split()[1])
    with open(stream_file) as f:
        for line in f:
            if line.startswith("received "):
                highest = int(line.split()[5])
            elif line.startswith("gaps ") and line.split()[1] != "none":
                gaps = [tuple(map(int, g.split("-"))) for g in line.split()[1:]]
    longest = max([b - a + 1 for a, b in gaps] + [sent - 1 - highest, 0])
    return longest


def main(d, prefix, survivor, peer_address, new_in, tunnels):
    p = f"{d}/{prefix}"
    lines = []
    for t in tunnels:
        for direction in ("peer-inside", "inside-peer"):
            n = longest_gap(f"{p}{t}-sent-{direction}.txt", f"{p}{t}-stream-{direction}.txt")
            lines.append(f"{t}-longest-gap-{direction}={n}")
            lines.append(f"{t}-longest-gap-ms-{direction}={n * 1000 // RATE}")
    peer = states(f"{p}xfrm-state-peer.txt")
    sv = states(f"{p}xfrm-state-{survivor}.txt")
    lines.append(f"sas-peer={len(peer)}")
    lines.append(f"sas-survivor={len(sv)}")
    missing, lacking = set(peer) - set(sv), set(sv) - set(peer)
    if os.path.exists(f"{p}xfrm-state-peer-2.txt"):
        peer2 = states(f"{p}xfrm-state-peer-2.txt")
        sv2 = states(f"{p}xfrm-state-{survivor}-2.txt")
        missing &= set(peer2) - set(sv2)
        lacking &= set(sv2) - set(peer2)
    lines.append("peer-sas-missing-on-survivor=" + (",".join(sorted(missing)) or "none"))
    out = sorted(s for s in lacking if SOURCES[s] != peer_address)
    lines.append("survivor-outbound-missing-on-peer=" + (",".join(out) or "none"))
    lines.append("survivor-inbound-missing-on-peer=" + (",".join(sorted(lacking - set(out))) or "none"))
    with open(f"{p}swanctl-list-sas.txt") as f:
        pairs = re.findall(r"spi-in=([0-9a-f]+) spi-out=([0-9a-f]+)", f.read())
    new_in = new_in.lower().removeprefix("0x")
    new_out = next((i for i, o in pairs if o == new_in), None)
    lines.append(f"newest-pair={new_in}/{new_out or 'none'}")
    lines.append(f"newest-packets-peer-out={peer.get(new_in, 'none')}")
    lines.append(f"newest-packets-survivor-in={sv.get(new_in, 'none')}")
    lines.append(f"newest-packets-survivor-out={sv.get(new_out, 'none')}")
    lines.append(f"newest-packets-peer-in={peer.get(new_out, 'none')}")
    for line in lines:
        print(prefix + line)


if __name__ == "__main__":
    if len(sys.argv) < 7:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6:])
