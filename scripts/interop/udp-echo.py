#!/usr/bin/python3
"""udp-echo.py - UDP datagrams between two fixed ports and back, as L2TP's (UDP 1701 both ends) are.

usage: udp-echo.py serve ADDR PORT                  echoes every datagram to where it came from until
                                                    SIGTERM; prints "listening" once bound, then
                                                    "echoed N" and each sender at the end
       udp-echo.py send SRC PORT DST COUNT          COUNT datagrams from SRC:PORT to DST:PORT, one
                                                    every 0.3 s, each waited for up to 2 s; prints
                                                    "COUNT packets transmitted, R received" as ping does

A transport-mode policy for udp/1701 both ways catches exactly these: the sender binds the port too.
"""
import signal
import socket
import sys
import time


def stop(*_):
    raise KeyboardInterrupt


def serve(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    print("listening", flush=True)
    echoed = 0
    senders = set()
    signal.signal(signal.SIGTERM, stop)
    try:
        while True:
            data, peer = s.recvfrom(2048)
            s.sendto(data, peer)
            echoed += 1
            senders.add("%s:%d" % peer)
    except KeyboardInterrupt:
        pass
    print("echoed %d from %s" % (echoed, " ".join(sorted(senders)) or "nobody"), flush=True)


def send(src, port, dst, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, port))
    s.settimeout(2)
    received = 0
    for i in range(count):
        payload = b"udp-echo %d" % i
        s.sendto(payload, (dst, port))
        try:
            while True:
                data, peer = s.recvfrom(2048)
                if data == payload:
                    received += 1
                    print("reply %d from %s:%d" % (i, peer[0], peer[1]), flush=True)
                    break
        except socket.timeout:
            print("no reply %d" % i, flush=True)
        time.sleep(0.3)
    print("%d packets transmitted, %d received" % (count, received), flush=True)
    return 0 if received == count else 1


def main(argv):
    if len(argv) == 4 and argv[1] == "serve":
        serve(argv[2], int(argv[3]))
        return 0
    if len(argv) == 6 and argv[1] == "send":
        return send(argv[2], int(argv[3]), argv[4], int(argv[5]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
