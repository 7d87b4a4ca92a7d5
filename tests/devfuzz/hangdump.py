#!/usr/bin/env python3
"""Device fuzzer helper: what a hung run was doing, through tern's QMP socket: the hart's
registers and the guest's progress variables (operation number and the probe flag, read
from guest memory at the addresses the ELF's symbol table gives). Usage:
hangdump.py QMP_SOCKET ELF NM"""
import json
import socket
import subprocess
import sys

sock_path, elf, nm = sys.argv[1:4]
syms = {}
try:
    for line in subprocess.run([nm, elf], capture_output=True, text=True, timeout=10).stdout.splitlines():
        parts = line.split()
        if len(parts) == 3:
            syms[parts[2]] = int(parts[0], 16)
except (OSError, subprocess.SubprocessError):
    pass

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
try:
    s.connect(sock_path)
    f = s.makefile("rw")
    f.readline()                                   # the greeting

    def cmd(line):
        f.write(json.dumps({"execute": "human-monitor-command", "arguments": {"command-line": line}}) + "\n")
        f.flush()
        while True:
            r = json.loads(f.readline())
            if "return" in r or "error" in r:
                return r.get("return", r.get("error"))

    f.write(json.dumps({"execute": "qmp_capabilities"}) + "\n")
    f.flush()
    f.readline()
    print(cmd("info registers"))
    for name in ("iter", "probe_active", "probe_resume", "n_access", "n_traps", "n_probes"):
        if name in syms:
            print(name, cmd("xp/1gx 0x%x" % syms[name]).strip())
except (OSError, ValueError) as e:
    print("QMP: no answer (%s): the monitor is blocked too" % e)
