#!/usr/bin/env python3
"""Snapshot files that lie, with valid checksums (tests/shell/snapshot-fuzz.sh, make
fuzz-snapshots).

A machine with every kind of device (virtio-blk, -net on user networking, -gpu, -input,
-rng, -console, bochs-display, on PCI and virtio-mmio) runs the bare-metal guest and is
saved. Then, again and again, one section of the file is changed at random (bytes
flipped, words set to extreme values, cut short or lengthened) and every checksum is
made right again, so the parsers behind them see the lie; tern starts from it and runs
a moment. It must either refuse with one line and exit status 2, or run; never crash,
hang, or trip ASan or UBSan. A failing file is kept and named.

usage: fuzz_snap.py TERN GUEST_ELF TMPDIR [ITERATIONS] [SEED]
"""
import os, random, signal, struct, subprocess, sys, time

tern, elf, tmp = sys.argv[1:4]
iters = int(sys.argv[4]) if len(sys.argv) > 4 else 100
seed = int(sys.argv[5]) if len(sys.argv) > 5 else int(time.time())
rng = random.Random(seed)
print("fuzz_snap: %d files, seed %d" % (iters, seed), flush=True)

disk = os.path.join(tmp, "disk.img")
with open(disk, "wb") as f:
    f.truncate(1 << 20)
MACHINE = [tern, "-M", "virt", "-bios", "none", "-nographic", "-display", "none", "-kernel", elf,
           "-monitor", "none", "-snapshot",
           "-drive", "file=%s,format=raw,if=none,id=d0" % disk, "-device", "virtio-blk-pci,drive=d0",
           "-netdev", "user,id=n0,restrict=on", "-device", "virtio-net-pci,netdev=n0",
           "-device", "virtio-gpu-pci", "-device", "virtio-keyboard-pci", "-device", "virtio-rng-device",
           "-device", "virtio-serial-device", "-chardev", "null,id=c0", "-device", "virtconsole,chardev=c0",
           "-device", "bochs-display"]

# the good snapshot: saved a little way into the run
good = os.path.join(tmp, "good.snap")
sock = os.path.join(tmp, "m.sock")
cmd = [a if a != "none" or MACHINE[i - 1] != "-monitor" else "unix:%s,server=on,wait=off" % sock
       for i, a in enumerate(MACHINE)]
p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
import socket
for _ in range(400):
    try:
        s = socket.socket(socket.AF_UNIX)
        s.connect(sock)
        break
    except OSError:
        time.sleep(0.05)
else:
    raise SystemExit("FAIL: no monitor")
time.sleep(0.2)
s.sendall(b"migrate file:%s\nquit\n" % good.encode())
p.wait(60)
data = open(good, "rb").read()
if data[:8] != b"TERNSNAP":
    raise SystemExit("FAIL: no snapshot was saved (%r)" % p.stderr.read())

# CRC-32C, for making the checksums right again
TAB = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    TAB.append(c)
def crc32c(b):
    c = 0xFFFFFFFF
    for x in b:
        c = (c >> 8) ^ TAB[(c ^ x) & 0xFF]
    return c ^ 0xFFFFFFFF

meta_off, meta_len = struct.unpack_from("<QQ", data, 32)
head, ram, meta = data[:4096], data[4096:meta_off], data[meta_off:]
sections = []
pos = 0
while pos < len(meta):
    tag, ver, nlen = struct.unpack_from("<III", meta, pos)
    name = meta[pos + 12:pos + 12 + nlen]
    blen, = struct.unpack_from("<Q", meta, pos + 12 + nlen)
    body = meta[pos + 12 + nlen + 12:pos + 12 + nlen + 12 + blen]
    sections.append([tag, ver, name, bytearray(body)])
    pos += 12 + nlen + 12 + blen
print("fuzz_snap: %d sections, %d bytes of state" % (len(sections), len(meta)), flush=True)

def build(secs):
    m = b""
    for tag, ver, name, body in secs:
        body = bytes(body)
        m += struct.pack("<III", tag, ver, len(name)) + name + struct.pack("<QI", len(body), crc32c(body)) + body
    h = bytearray(head)
    struct.pack_into("<I", h, 20, crc32c(m))
    struct.pack_into("<QQQ", h, 24, len(h) + len(ram) + len(m), meta_off, len(m))
    struct.pack_into("<I", h, 12, 0)
    struct.pack_into("<I", h, 12, crc32c(bytes(h)))
    return bytes(h) + ram + m

def mutate(body):
    b = bytearray(body)
    kind = rng.randrange(5)
    if kind == 0 and b:                       # flip a few bits
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
    elif kind == 1 and len(b) >= 4:           # an extreme word
        at = rng.randrange(len(b) - 3)
        struct.pack_into("<I", b, at, rng.choice([0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFF, 0x10000,
                                                   rng.getrandbits(32)]))
    elif kind == 2 and len(b) >= 8:           # an extreme 64-bit value
        at = rng.randrange(len(b) - 7)
        struct.pack_into("<Q", b, at, rng.choice([0, 0xFFFFFFFFFFFFFFFF, 0x8000000000000000,
                                                   0x80000000, rng.getrandbits(64)]))
    elif kind == 3 and b:                     # cut short
        del b[rng.randrange(len(b)):]
    else:                                     # longer
        at = rng.randrange(len(b) + 1)
        b[at:at] = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 16)))
    return b

bad = os.path.join(tmp, "bad.snap")
for n in os.listdir(tmp):                     # the disk copy, found beside the snapshot
    if n.startswith("good.snap.") and n.endswith(".disk0"):
        os.link(os.path.join(tmp, n), os.path.join(tmp, "bad.snap" + n[len("good.snap"):]))
ran = refused = 0
for it in range(iters):
    secs = [[t, v, nm, bytearray(b)] for t, v, nm, b in sections]
    k = rng.randrange(len(secs))
    secs[k][3] = mutate(secs[k][3])
    with open(bad, "wb") as f:
        f.write(build(secs))
    q = subprocess.Popen(MACHINE + ["-incoming", "file:" + bad], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        q.wait(0.4)
    except subprocess.TimeoutExpired:
        q.send_signal(signal.SIGTERM)
        try:
            q.wait(20)
        except subprocess.TimeoutExpired:
            q.kill()
            q.wait()
            keep = os.path.join(tmp, "hang-%d.snap" % it)
            os.rename(bad, keep)
            raise SystemExit("FAIL: tern did not end on SIGTERM (section %r, seed %d, iteration %d)" % (secs[k][2], seed, it))
    err = q.stderr.read().decode(errors="replace")
    what = "%.4s %s" % (struct.pack("<I", secs[k][0]).decode(), secs[k][2].decode())
    lines = [l for l in err.strip().split("\n") if l]
    sanitizer = "Sanitizer" in err or "runtime error:" in err
    if q.returncode == 2 and len(lines) == 1 and lines[0].startswith("tern: ") and not sanitizer:
        refused += 1
    elif q.returncode in (0, -signal.SIGTERM, 128 + signal.SIGTERM, 1, 3) and not sanitizer and not lines:
        ran += 1                              # ran (exit 1 or 3: the guest's own failure, a trap)
    else:
        keep = os.path.join(tmp, "crash-%d.snap" % it)
        os.rename(bad, keep)
        sys.stdout.write(err[-3000:])
        raise SystemExit("FAIL: section %s changed: exit status %d (seed %d, iteration %d)"
                         % (what, q.returncode, seed, it))
print("fuzz_snap: %d refused with one line, %d ran; no crash" % (refused, ran))
print("PASS")
