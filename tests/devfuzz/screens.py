#!/usr/bin/env python3
"""Device fuzzer helper: while the hostile guest drives the display devices, take QMP
screendumps of each of them in turn (the refresh path reads whatever mode, scanout and
VRAM the guest left), alternating PPM and PNG, until tern goes away. The pictures go to
one file in the run directory, replaced each time. Usage: screens.py SOCKET FILE DEVICE..."""
import json
import socket
import sys
import time

path, shot, devices = sys.argv[1], sys.argv[2], sys.argv[3:]
deadline = time.time() + 20
while True:
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        break
    except OSError:
        s.close()
        if time.time() > deadline:
            sys.exit(0)
        time.sleep(0.05)
f = s.makefile("rwb", buffering=0)

def call(name, **args):
    f.write(json.dumps({"execute": name, "arguments": args}).encode() + b"\n")
    while True:
        line = f.readline()
        if not line:
            sys.exit(0)
        r = json.loads(line)
        if "return" in r or "error" in r:
            return r

try:
    f.readline()
    call("qmp_capabilities")
    n = 0
    while True:
        for d in devices:
            call("screendump", filename=shot, device=d, format="png" if n % 2 else "ppm")
            n += 1
        time.sleep(0.05)
except (OSError, ValueError):
    pass
