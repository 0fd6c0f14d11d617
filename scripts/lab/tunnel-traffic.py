#!/usr/bin/env python3
"""UDP traffic over N host-to-host tunnels, for scripts/bench-ha-newae.sh (inside the kernel lab):
from LOCAL.x.y to REMOTE.x.y port 9 (x.y = pair number i as i >> 8, i & 255), round-robin over
the N pairs at PPS packets/s in all. Prints "ready" once its N sockets are set up, sends while
the file GO exists (and until SIGTERM), then prints what it sent.

    tunnel-traffic.py LOCAL-PREFIX REMOTE-PREFIX N PPS GO     # e.g. 10.1 10.2 1000 3000 /tmp/go
"""
import os
import resource
import signal
import socket
import sys
import time

local, remote, n, pps, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
sent = errors = 0
start = time.monotonic()


def report(*_):
    elapsed = time.monotonic() - start
    print(f"{local} -> {remote}: {sent} packets over {n} pairs in {elapsed:.1f} s, {sent / elapsed:.0f}/s"
          f" (asked {pps}/s), {errors} send errors", flush=True)
    sys.exit(0)


signal.signal(signal.SIGTERM, report)
resource.setrlimit(resource.RLIMIT_NOFILE, (n + 64, n + 64))
# the other side's packets to port 9 land here and are never read: no ICMP port unreachable back
sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sink.bind(("0.0.0.0", 9))
socks = []
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((f"{local}.{i >> 8}.{i & 255}", 0))
    s.connect((f"{remote}.{i >> 8}.{i & 255}", 9))
    s.setblocking(False)
    socks.append(s)
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.1)
start = time.monotonic()
payload = bytes(64)
while os.path.exists(go):
    for s in socks:
        try:
            s.send(payload)
            sent += 1
        except OSError:
            errors += 1
        if (sent + errors) % 50 == 0:
            ahead = start + (sent + errors) / pps - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
report()
