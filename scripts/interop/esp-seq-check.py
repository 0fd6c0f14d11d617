#!/usr/bin/python3
"""esp-seq-check.py - has any ESP (SPI, sequence number) pair been sent twice?  Issue 15, split brain.

usage: esp-seq-check.py PCAP INSIDE-CIDR

Reads a classic pcap file (tcpdump -w, Ethernet link type, any snap length of at least 42 bytes)
and decodes the ESP header of every IPv4 packet of protocol 50 itself: SPI = its first 4 bytes,
sequence number = the next 4 (RFC 4303 s2).  A (destination, SPI, sequence number) seen before is
one duplicate: under one key it repeats a nonce (AES-GCM's IV is the sequence number on Linux)
or at best a replay.  Not so a copy of the same IP packet with a lower TTL: a router forwarded it
(a gateway that had just lost the virtual address passed the peer's packets on to the other one).
Prints key=value lines:
  esp-packets-captured          ESP packets read
  esp-spis                      distinct (destination, SPI)
  esp-duplicate-spi-seq         ESP packets whose (destination, SPI, sequence number) came before
  esp-forwarded-copies          ESP packets that came before, the same bytes with a lower TTL
  outside-cleartext-from-inside IPv4 packets from INSIDE-CIDR that are not ESP: a gateway that
                                forwarded a tunnel's traffic in clear onto the outside
and, on stderr, the first duplicates with the times of both copies.
"""
import ipaddress
import struct
import sys

ETH_IPV4 = 0x0800
ETH_VLAN = 0x8100
PROTO_ESP = 50
SHOW = 10


def packets(path):
    """(seconds, frame bytes) of each record of a classic pcap file, in either byte order."""
    with open(path, "rb") as f:
        header = f.read(24)
        if len(header) < 24:
            raise ValueError(f"{path}: {len(header)} bytes, shorter than a pcap header")
        magic = header[:4]
        if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            order = "<"
        elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
            order = ">"
        else:
            raise ValueError(f"{path}: not a classic pcap file (magic {magic.hex()})")
        nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
        linktype = struct.unpack(order + "I", header[20:24])[0] & 0x0FFFFFFF
        if linktype != 1:
            raise ValueError(f"{path}: link type {linktype}, want 1 (Ethernet): capture on a bridge or veth")
        record = struct.Struct(order + "IIII")
        while True:
            h = f.read(16)
            if not h:
                return
            if len(h) < 16:
                raise ValueError(f"{path}: a record header cut short ({len(h)} of 16 bytes)")
            sec, frac, incl, _ = record.unpack(h)
            data = f.read(incl)
            if len(data) < incl:
                return  # the capture was stopped while writing its last record
            yield sec + frac / (1e9 if nano else 1e6), data


def forwarded(first, again):
    """Whether IPv4 packet {again} is {first} forwarded: the same bytes but for a lower TTL and its checksum."""
    def rest(p):
        return p[:8] + p[9:10] + p[12:]
    return len(first) == len(again) and again[8] < first[8] and rest(first) == rest(again)


def check(path, inside):
    seen = {}
    spis = set()
    esp = dups = copies = clear = 0
    for t, frame in packets(path):
        off = 12
        ethertype = struct.unpack_from(">H", frame, off)[0] if len(frame) >= 14 else 0
        if ethertype == ETH_VLAN and len(frame) >= 18:
            off += 4
            ethertype = struct.unpack_from(">H", frame, off)[0]
        ip = off + 2
        if ethertype != ETH_IPV4 or len(frame) < ip + 20 or frame[ip] >> 4 != 4:
            continue
        proto = frame[ip + 9]
        src = ipaddress.IPv4Address(frame[ip + 12:ip + 16])
        if proto != PROTO_ESP:
            clear += src in inside
            continue
        # a non-first fragment carries no ESP header
        if struct.unpack_from(">H", frame, ip + 6)[0] & 0x1FFF:
            continue
        esp_at = ip + (frame[ip] & 0x0F) * 4
        if len(frame) < esp_at + 8:
            raise ValueError(f"{path}: an ESP packet at {t:.6f} captured with {len(frame)} bytes, too few for its"
                             " header: capture with a snap length of at least 64")
        dst = ipaddress.IPv4Address(frame[ip + 16:ip + 20])
        spi, seq = struct.unpack_from(">II", frame, esp_at)
        esp += 1
        spis.add((dst, spi))
        key = (dst, spi, seq)
        packet = frame[ip:]
        if key not in seen:
            seen[key] = (t, packet)
        elif forwarded(seen[key][1], packet):
            copies += 1
        else:
            dups += 1
            if dups <= SHOW:
                print(f"duplicate: dst {dst} spi 0x{spi:08x} seq {seq} at {seen[key][0]:.6f} and {t:.6f}",
                      file=sys.stderr)
    print(f"esp-packets-captured={esp}")
    print(f"esp-spis={len(spis)}")
    print(f"esp-duplicate-spi-seq={dups}")
    print(f"esp-forwarded-copies={copies}")
    print(f"outside-cleartext-from-inside={clear}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    try:
        check(sys.argv[1], ipaddress.IPv4Network(sys.argv[2]))
    except (OSError, ValueError) as e:
        sys.exit(f"esp-seq-check: {e}")
