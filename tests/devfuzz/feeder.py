#!/usr/bin/env python3
"""Device fuzzer helper: connect to tern's chardev sockets (server=on,wait=off), send the
virtio consoles random input in random-sized bursts and read whatever they write, until
tern closes them. A socket given as net:PATH is a -netdev stream server: it gets frames
in QEMU's framing (a 4-byte big-endian length, then the frame), of every size from empty
to over the limit, some with a length that lies. Usage: feeder.py SEED [net:]SOCKET..."""
import random
import select
import socket
import sys
import time

rng = random.Random(int(sys.argv[1]))
socks = []
nets = set()
deadline = time.time() + 20


def net_burst():
    """One frame, or garbage where the length should be."""
    if rng.random() < 0.05:
        return bytes(rng.getrandbits(8) for _ in range(rng.choice((1, 3, 9))))
    n = rng.choice((0, 1, 13, 14, 42, 60, 64, 590, 1514, 1518, 9014, 65536, 65537, 70000))
    body = bytes(rng.getrandbits(8) for _ in range(min(n, 2048)))
    if n > len(body):
        body += bytes(n - len(body))
    if len(body) >= 14 and rng.random() < 0.7:
        dst = b"\xff" * 6 if rng.random() < 0.5 else bytes.fromhex("525400123457")
        body = dst + bytes.fromhex("525500000001") + rng.choice((b"\x08\x00", b"\x08\x06", b"\x86\xdd")) + body[14:]
    said = n if rng.random() < 0.9 else rng.getrandbits(32)
    return said.to_bytes(4, "big") + body


for arg in sys.argv[2:]:
    net = arg.startswith("net:")
    path = arg[4:] if net else arg
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            break
        except OSError:
            s.close()
            if time.time() > deadline:
                sys.exit(0)
            time.sleep(0.02)
    s.setblocking(False)
    socks.append(s)
    if net:
        nets.add(s)
while socks:
    r, w, _ = select.select(socks, socks, [], 0.1)
    for s in r:
        try:
            data = s.recv(1 << 16)
        except BlockingIOError:
            continue
        except OSError:
            data = b""
        if not data:
            socks.remove(s)
            s.close()
    for s in w:
        if s in socks and rng.random() < 0.3:
            try:
                if s in nets:
                    s.send(net_burst())
                else:
                    s.send(bytes(rng.getrandbits(8) for _ in range(rng.choice((1, 7, 64, 300)))))
            except OSError:
                pass
    time.sleep(0.002)
