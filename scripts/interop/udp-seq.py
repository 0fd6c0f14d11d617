#!/usr/bin/python3
"""udp-seq.py - a stream of numbered UDP datagrams, and its receiver, for loss counts through a tunnel.

usage: udp-seq.py send SRC DST PORT RATE SECONDS   numbered datagrams 0..N-1 from SRC to DST:PORT,
                                                   RATE per second on a fixed schedule; prints "sent N"
                                                   (a SIGTERM ends it early: N is what it sent)
       udp-seq.py recv ADDR PORT                   counts what arrives until SIGTERM, then prints
                                                   "received D duplicated U highest H" and the gaps

Each datagram carries its sequence number (8 bytes, big-endian) and 56 bytes of padding.  The
sender keeps to its schedule by the monotonic clock, so a slow moment is made up for, not dropped.
lost = sent - received (the receiver cannot know the sender's count).
"""
import signal
import socket
import struct
import sys
import time

PAD = bytes(56)


def send(src, dst, port, rate, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    n = int(rate * seconds)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    start = time.monotonic()
    sent = 0
    while sent < n and not stop:
        delay = start + sent / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
            continue
        s.sendto(struct.pack(">Q", sent) + PAD, (dst, port))
        sent += 1
    print(f"sent {sent}", flush=True)


def recv(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.bind((addr, port))
    seen = set()
    dups = 0
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    s.settimeout(0.2)
    print("listening", flush=True)
    while not stop:
        try:
            data = s.recv(2048)
        except socket.timeout:
            continue
        except InterruptedError:
            continue
        if len(data) < 8:
            continue
        seq = struct.unpack(">Q", data[:8])[0]
        if seq in seen:
            dups += 1
        else:
            seen.add(seq)
    highest = max(seen) if seen else -1
    gaps, start = [], None
    for i in range(highest + 1):
        if i not in seen and start is None:
            start = i
        elif i in seen and start is not None:
            gaps.append(f"{start}-{i - 1}")
            start = None
    print(f"received {len(seen)} duplicated {dups} highest {highest}", flush=True)
    print("gaps " + (" ".join(gaps) if gaps else "none"), flush=True)


if __name__ == "__main__":
    a = sys.argv[1:]
    if len(a) == 6 and a[0] == "send":
        send(a[1], a[2], int(a[3]), float(a[4]), float(a[5]))
    elif len(a) == 3 and a[0] == "recv":
        recv(a[1], int(a[2]))
    else:
        sys.exit(__doc__)
