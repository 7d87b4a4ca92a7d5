#!/usr/bin/env python3
"""Device fuzzer helper: connect to tern's chardev sockets (server=on,wait=off), send the
virtio consoles random input in random-sized bursts and read whatever they write, until
tern closes them. Usage: feeder.py SEED SOCKET..."""
import random
import select
import socket
import sys
import time

rng = random.Random(int(sys.argv[1]))
socks = []
deadline = time.time() + 20
for path in sys.argv[2:]:
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
                s.send(bytes(rng.getrandbits(8) for _ in range(rng.choice((1, 7, 64, 300)))))
            except OSError:
                pass
    time.sleep(0.002)
