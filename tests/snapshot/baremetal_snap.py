#!/usr/bin/env python3
"""Snapshots of a bare-metal guest (tests/shell/snapshot-baremetal.sh).

The guest (tests/baremetal/snapwork.c) computes in rounds under a 2 ms machine timer and
prints one line per round. Checked:
  across   saved mid-run by `migrate file:` and restored in a new process with
           -incoming, under jit, interp and across the two: the registers the monitor
           shows right after the restore equal those at the save, and the output of the
           two processes together equals an uninterrupted run's.
  inplace  savevm, then loadvm three times in the same process (in-place returns that
           read back only the pages written since): each time the guest prints again
           exactly what it printed after the save; info snapshots, delvm, -loadvm,
           and QMP's snapshot-save/load/delete jobs with their events.
  bad      a truncated file, bit flips (header, state, RAM data, a RAM hole), a newer
           format version, another machine (-m, -smp, one more device), files that are
           not snapshots: each gets one line on stderr and exit status 2, and the disk
           image beside it is unchanged. A save that hits the file size limit reports an
           error, leaves no file behind, and the guest runs on.

usage: baremetal_snap.py TERN GUEST_ELF TMPDIR
"""
import atexit, hashlib, os, re, resource, socket, subprocess, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest-kit"))
from display_lib import QMP

tern, elf, tmp = sys.argv[1:4]
BASE = [tern, "-M", "virt", "-bios", "none", "-nographic", "-kernel", elf]

class HMP:
    def __init__(self, path):
        for _ in range(200):
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(path)
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise SystemExit("FAIL: no monitor at " + path)
        self.s.settimeout(60)
        self.buf = b""
        self._prompt()

    def _prompt(self):
        while b"(qemu) " not in self.buf:
            d = self.s.recv(65536)
            if not d:
                raise SystemExit("FAIL: the monitor closed")
            self.buf += d
        out, _, self.buf = self.buf.partition(b"(qemu) ")
        return out.decode(errors="replace").replace("\r", "")

    def cmd(self, line):
        self.s.sendall(line.encode() + b"\n")
        lines = self._prompt().split("\n")
        if lines and lines[0].strip() == line:
            lines = lines[1:]
        return "\n".join(lines)

started = []

@atexit.register
def kill_left():
    # a failed check ends the script: no tern may outlive it
    for p in started:
        if p.poll() is None:
            p.kill()
            p.wait()

def start(sock, accel="jit", extra=(), stdout=subprocess.PIPE):
    if os.path.exists(sock):
        os.unlink(sock)
    p = subprocess.Popen(BASE + ["-accel", accel, "-monitor", "unix:%s,server=on,wait=off" % sock] + list(extra),
                         stdout=stdout, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    started.append(p)
    return p, HMP(sock)

def read_until(p, pattern, timeout=120):
    """Read the guest's output until pattern (non-blocking pipe)."""
    os.set_blocking(p.stdout.fileno(), False)
    out = b""
    deadline = time.time() + timeout
    while not re.search(pattern.encode(), out):
        if time.time() > deadline or p.poll() is not None:
            raise SystemExit("FAIL: waiting for %r; got %r" % (pattern, out[-500:]))
        try:
            d = p.stdout.read()
        except BlockingIOError:
            d = None
        if d:
            out += d
        else:
            time.sleep(0.01)
    return out.decode()

def drain(p):
    os.set_blocking(p.stdout.fileno(), False)
    try:
        return (p.stdout.read() or b"").decode()
    except BlockingIOError:
        return ""

def quit(p, h):
    h.cmd("quit")
    p.wait(30)

def check(cond, what):
    if not cond:
        raise SystemExit("FAIL: " + what)

# ---- the uninterrupted run ----
p, h = start(os.path.join(tmp, "ref.sock"))
ref = read_until(p, r"done\n")
quit(p, h)
check(ref.count("round") == 40, "the reference run printed %d rounds" % ref.count("round"))

# ---- across processes ----
def across(a1, a2, delay):
    snap = os.path.join(tmp, "across.snap")
    p, h = start(os.path.join(tmp, "a1.sock"), a1, ["-S"])
    h.cmd("cont")
    time.sleep(delay)
    h.cmd("stop")
    regs1 = h.cmd("info registers -a")
    r = h.cmd("migrate file:" + snap)
    check(r.strip() == "", "migrate said %r" % r)
    out1 = drain(p)
    quit(p, h)
    out1 += drain(p)
    check(0 < out1.count("round") < 40, "%s: saved after %d rounds (not mid-run)" % (a1, out1.count("round")))
    p, h = start(os.path.join(tmp, "a2.sock"), a2, ["-S", "-incoming", "file:" + snap])
    regs2 = h.cmd("info registers -a")
    check(regs1 == regs2, "%s->%s: registers after the restore differ:\n%s\n----\n%s" % (a1, a2, regs1, regs2))
    h.cmd("cont")
    out2 = read_until(p, r"done\n")
    quit(p, h)
    check(out1 + out2 == ref, "%s->%s: output differs from the uninterrupted run:\n%s" % (a1, a2, out1 + out2))
    print("across %-6s -> %-6s: saved after %2d rounds, registers equal, output equal" % (a1, a2, out1.count("round")), flush=True)

across("jit", "jit", 0.15)
across("interp", "interp", 1.0)
across("jit", "interp", 0.15)
across("interp", "jit", 1.0)

# ---- in place: savevm / loadvm ----
sdir = os.path.join(tmp, "snaps")
p, h = start(os.path.join(tmp, "i.sock"), "jit", ["-S", "-snapshot-dir", sdir])
h.cmd("cont")
time.sleep(0.15)
h.cmd("stop")
before = drain(p)
r = h.cmd("savevm s1")
check(r.strip() == "", "savevm said %r" % r)
h.cmd("cont")
after = read_until(p, r"done\n")
check(0 < before.count("round") < 40, "savevm was not mid-run")
for i in range(3):
    r = h.cmd("loadvm s1")
    check(r.strip() == "", "loadvm said %r" % r)
    again = read_until(p, r"done\n")
    check(again == after, "loadvm %d: output after the return differs" % i)
    info = h.cmd("info migrate")
    m = re.search(r"(\d+) KiB read back \(pages written since", info)
    check(m and int(m.group(1)) > 0, "loadvm %d was not an in-place return: %s" % (i, info))
print("in place: savevm, 3 x loadvm: same output each time; %s KiB read back" % m.group(1), flush=True)
lst = h.cmd("info snapshots")
check(re.search(r"\bs1\b", lst) is not None, "info snapshots: %s" % lst)
check("does not exist" in h.cmd("loadvm nosuch"), "loadvm of a missing snapshot")
quit(p, h)
# -loadvm at start-up
p, h = start(os.path.join(tmp, "l.sock"), "interp", ["-loadvm", "s1", "-snapshot-dir", sdir])
out = read_until(p, r"done\n")
check(out == after, "-loadvm: output differs")
h.cmd("delvm s1")
check("no snapshot" in h.cmd("info snapshots"), "delvm left it listed")
check(not os.listdir(sdir), "delvm left files: %s" % os.listdir(sdir))
quit(p, h)
print("-loadvm, delvm, info snapshots: fine", flush=True)

# QMP jobs
qs = os.path.join(tmp, "qmp.sock")
p = subprocess.Popen(BASE + ["-qmp", "unix:%s,server=on,wait=off" % qs, "-snapshot-dir", sdir, "-S"],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
started.append(p)
q = QMP(qs)
q.cmd("cont")
time.sleep(0.1)
def job(name, jid, **args):
    r = q.cmd(name, **{"job-id": jid}, **args)
    check(r == {"return": {}}, "%s: %s" % (name, r))
    seen = []
    while True:
        e = q.recv()
        if e.get("event") == "JOB_STATUS_CHANGE" and e["data"]["id"] == jid:
            seen.append(e["data"]["status"])
            if seen[-1] == "concluded":
                break
    check(seen == ["running", "waiting", "pending", "concluded"], "%s events: %s" % (name, seen))
    jobs = q.cmd("query-jobs")["return"]
    j = [x for x in jobs if x["id"] == jid][0]
    check("error" not in j, "%s failed: %s" % (name, j))
    check(q.cmd("job-dismiss", id=jid) == {"return": {}}, "job-dismiss")
job("snapshot-save", "j1", tag="q1", vmstate="disk0", devices=["disk0"])
job("snapshot-load", "j2", tag="q1", vmstate="disk0", devices=["disk0"])
job("snapshot-delete", "j3", tag="q1", devices=["disk0"])
r = q.cmd("snapshot-load", **{"job-id": "j4", "tag": "q1", "vmstate": "d", "devices": []})
while True:
    e = q.recv()
    if e.get("event") == "JOB_STATUS_CHANGE" and e["data"]["status"] == "concluded":
        break
j = q.cmd("query-jobs")["return"][0]
check("does not exist" in j.get("error", ""), "loading a deleted snapshot: %s" % j)
mig = q.cmd("query-migrate")["return"]
check(mig.get("status") in ("completed", "failed"), "query-migrate: %s" % mig)
q.cmd("quit")
p.wait(30)
print("QMP snapshot-save/load/delete jobs, query-jobs, job-dismiss, query-migrate: fine", flush=True)

# ---- bad input ----
disk = os.path.join(tmp, "disk.img")
with open(disk, "wb") as f:
    f.write(bytes(range(256)) * 4096)
DRIVE = ["-drive", "file=%s,format=raw,if=none,id=d0" % disk, "-device", "virtio-blk-device,drive=d0"]
good = os.path.join(tmp, "good.snap")
p, h = start(os.path.join(tmp, "g.sock"), "jit", ["-S"] + DRIVE)
h.cmd("cont")
time.sleep(0.1)
check(h.cmd("migrate file:" + good).strip() == "", "migrate with a disk")
quit(p, h)
data = open(good, "rb").read()
disk_sum = hashlib.sha256(open(disk, "rb").read()).hexdigest()

def crc32c(b):
    global _tab
    try:
        _tab
    except NameError:
        _tab = []
        for i in range(256):
            c = i
            for _ in range(8):
                c = (c >> 1) ^ 0x82f63b78 if c & 1 else c >> 1
            _tab.append(c)
    c = 0xffffffff
    for x in b:
        c = (c >> 8) ^ _tab[(c ^ x) & 0xff]
    return c ^ 0xffffffff

def expect_refused(name, blob, extra=(), want=None):
    path = os.path.join(tmp, "bad.snap")
    if blob is not None:
        with open(path, "wb") as f:
            f.write(blob)
    # copies beside it: the disk copy the snapshot names must be found next to it
    for n in os.listdir(tmp):
        if n.startswith("good.snap.") and n.endswith(".disk0"):
            dst = os.path.join(tmp, "bad.snap" + n[len("good.snap"):])
            if not os.path.exists(dst):
                os.link(os.path.join(tmp, n), dst)
    r = subprocess.run(BASE + list(extra) + DRIVE + ["-incoming", "file:" + path], stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=60)
    err = r.stderr.decode().strip().split("\n") if r.stderr.strip() else []
    check(r.returncode == 2, "%s: exit status %d (stderr %r)" % (name, r.returncode, r.stderr))
    check(len(err) == 1 and err[0].startswith("tern: "), "%s: not one error line: %r" % (name, err))
    if want:
        check(re.search(want, err[0]) is not None, "%s: %r does not say %r" % (name, err[0], want))
    check(hashlib.sha256(open(disk, "rb").read()).hexdigest() == disk_sum, "%s: the disk image changed" % name)
    print("bad input %-24s exit 2: %s" % (name, err[0]), flush=True)

meta_off = int.from_bytes(data[32:40], "little")     # see docs/snapshots.md
ram_nonzero = next(i for i in range(4096, meta_off, 4096) if any(data[i:i + 4096]))
def flip(pos):
    b = bytearray(data)
    b[pos] ^= 0x10
    return bytes(b)
for cut in (100, 4096, len(data) // 2, len(data) - 1):
    expect_refused("truncated at %d" % cut, data[:cut], want="truncated|not a tern snapshot")
expect_refused("bit flip in the header", flip(20), want="damaged")
expect_refused("bit flip in the state", flip(meta_off + 40), want="damaged")
expect_refused("bit flip in the last byte", flip(len(data) - 1), want="damaged")
expect_refused("bit flip in RAM data", flip(ram_nonzero + 100), want="damaged: RAM")
expect_refused("bit flip in a RAM hole", flip(meta_off - 4096 * 3), want="damaged: RAM")
# with every disk in an overlay, RAM is checked alongside the guest: the same line
expect_refused("RAM flip, checked later", flip(ram_nonzero + 100), ["-snapshot"], want="damaged: RAM")
newer = bytearray(data[:4096])
newer[8:12] = (2).to_bytes(4, "little")
newer[12:16] = bytes(4)
newer[12:16] = crc32c(bytes(newer)).to_bytes(4, "little")
expect_refused("a newer format version", bytes(newer) + data[4096:], want="version 2")
expect_refused("another RAM size", None if False else data, ["-m", "256M"], want="-m 128M")
expect_refused("another -smp", data, ["-smp", "2"], want="-smp 1")
expect_refused("one more device", data, ["-device", "virtio-rng-device"], want="device")
expect_refused("a text file", b"hello, not a snapshot\n", want="not a tern snapshot")
expect_refused("an empty file", b"", want="not a tern snapshot")
r = subprocess.run(BASE + ["-incoming", "file:" + tmp], capture_output=True, timeout=60)
check(r.returncode == 2 and len(r.stderr.decode().strip().split("\n")) == 1, "a directory: %r" % r.stderr)
r = subprocess.run(BASE + ["-incoming", "tcp:127.0.0.1:4444"], capture_output=True, timeout=60)
check(r.returncode == 2 and b"file:" in r.stderr, "-incoming tcp: %r" % r.stderr)
check(open(good, "rb").read() == data, "a load changed the snapshot file")

# a save that runs out of room: the guest runs on, no file is left
full = os.path.join(tmp, "full")
os.mkdir(full)
def limit():
    resource.setrlimit(resource.RLIMIT_FSIZE, (8 << 20, 8 << 20))
sock = os.path.join(tmp, "f.sock")
# (interp: the translator's code buffer is a memory file the limit would refuse)
p = subprocess.Popen(BASE + ["-accel", "interp", "-monitor", "unix:%s,server=on,wait=off" % sock, "-S"], stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, preexec_fn=limit)
started.append(p)
h = HMP(sock)
h.cmd("cont")
time.sleep(0.1)
r = h.cmd("migrate file:" + os.path.join(full, "s"))
check("Error" in r and ("too large" in r or "No space" in r), "a save past the size limit said %r" % r)
check(os.listdir(full) == [], "a failed save left %s" % os.listdir(full))
check("running" in h.cmd("info status"), "the guest stopped after a failed save")
out = read_until(p, r"done\n")
quit(p, h)
print("a save past the file size limit: %s; nothing left behind, the guest ran on" % r.strip(), flush=True)
print("PASS")
