#!/usr/bin/env python3
"""The stop primitive under load: Linux on -smp 4 runs parallel jobs with disk I/O while
a QMP client sends N stop/cont pairs (10,000 by default), stopping the machine for 2 s
half-way; the jobs end when the pairs are done. Nothing may hang, the guest must finish its work, and a program in the guest that
watches CLOCK_MONOTONIC must see no jump near the 2 s the machine stood still.

usage: stress.py TERN GUEST_DIR EXTRA_CPIO DISK_IMG TMPDIR [PAIRS] [ACCEL]
"""
import json, os, pty, re, select, socket, subprocess, sys, time

failures = 0


def check(cond, what):
    global failures
    print(("ok: " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        failures += 1


class Console:
    def __init__(self, master, proc):
        self.m = master
        self.proc = proc
        self.buf = b""

    def pump(self, timeout):
        r, _, _ = select.select([self.m], [], [], timeout)
        if r:
            try:
                self.buf += os.read(self.m, 65536)
            except OSError:
                pass

    def expect(self, pattern, timeout):
        rx = re.compile(pattern.encode())
        end = time.time() + timeout
        while True:
            mm = rx.search(self.buf)
            if mm:
                out = self.buf[:mm.end()]
                self.buf = self.buf[mm.end():]
                return out.decode(errors="replace")
            if time.time() > end or self.proc.poll() is not None:
                sys.stdout.write(self.buf.decode(errors="replace")[-3000:])
                raise SystemExit("console: timed out waiting for %r" % pattern)
            self.pump(0.5)

    def send(self, line):
        for ch in (line + "\r").encode():
            os.write(self.m, bytes([ch]))
            time.sleep(0.002)


class QMP:
    def __init__(self, path, console):
        self.s = socket.socket(socket.AF_UNIX)
        end = time.time() + 10
        while True:
            try:
                self.s.connect(path)
                break
            except OSError:
                if time.time() > end:
                    raise
                time.sleep(0.05)
        self.f = self.s.makefile("rwb")
        self.console = console
        json.loads(self.f.readline())
        self.cmd("qmp_capabilities")

    def cmd(self, name, args=None):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.f.write(json.dumps(msg).encode() + b"\n")
        self.f.flush()
        while True:
            r = json.loads(self.f.readline())
            if "event" not in r:
                return r


def main():
    tern, guest, extra, disk, tmp = sys.argv[1:6]
    pairs = int(sys.argv[6]) if len(sys.argv) > 6 else 10000
    accel = sys.argv[7] if len(sys.argv) > 7 else "jit"
    initrd = os.path.join(tmp, "initrd")
    with open(initrd, "wb") as out:
        for part in (os.path.join(guest, "initramfs.cpio.gz"), extra):
            out.write(open(part, "rb").read())
    qmp_path = os.path.join(tmp, "stress-qmp.sock")
    cmd = [tern, "-M", "virt", "-m", "256M", "-smp", "4", "-accel", accel, "-nographic",
           "-kernel", os.path.join(guest, "Image"), "-initrd", initrd, "-append", "console=ttyS0",
           "-drive", "file=%s,format=raw,if=virtio" % disk, "-serial", "stdio", "-monitor", "none",
           "-qmp", "unix:%s,server=on,wait=off" % qmp_path]
    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    con = Console(master, proc)
    try:
        q = QMP(qmp_path, con)
        con.expect(r"tern guest ready", 300)
        con.expect(r"/ # ", 60)
        check(True, "Linux on -smp 4 reached its shell")
        # the work: a time watcher, three disk writers, a CPU job; all end when the
        # watcher ends, once the pairs are done (or after 300 s of guest time)
        con.send("mount /dev/vda /mnt && (/timejump 300 /tmp/done > /tmp/tj; touch /tmp/stop) & "
                 "for i in 1 2 3; do (n=0; while [ ! -e /tmp/stop ]; do dd if=/dev/zero of=/mnt/f$i bs=64k "
                 "count=64 2>/dev/null; sync; md5sum /mnt/f$i >/dev/null; rm /mnt/f$i; n=$((n+1)); done; "
                 "echo writer$i $n > /tmp/w$i) & done; (while [ ! -e /tmp/stop ]; do ls -R / >/dev/null; done) & "
                 "sleep 1; echo JOBS-STARTED")
        con.expect(r"\nJOBS-STARTED", 60)
        t0 = time.time()
        for i in range(pairs):
            r1 = q.cmd("stop")
            r2 = q.cmd("cont")
            if r1 != {"return": {}} or r2 != {"return": {}}:
                check(False, "stop/cont pair %d: %s %s" % (i, r1, r2))
                break
            if i % 1000 == 999:
                st = q.cmd("query-status")["return"]["status"]
                if st != "running":
                    check(False, "after pair %d the status is %s" % (i + 1, st))
                    break
                con.pump(0)          # keep the console drained
            if i == pairs // 2:
                q.cmd("stop")
                time.sleep(2.0)
                q.cmd("cont")
        took = time.time() - t0
        check(True, "%d stop/cont pairs in %.1f s (%.0f us a pair), and one 2 s stop" %
              (pairs, took, took / max(pairs, 1) * 1e6))
        time.sleep(1.0)              # the load a moment longer after the last pair
        con.send("touch /tmp/done; wait; cat /tmp/tj /tmp/w1 /tmp/w2 /tmp/w3; echo STRESS-DONE")
        out = con.expect(r"\nSTRESS-DONE", 600)
        mm = re.search(r"largest step (\d+) us", out)
        if not mm:
            print(out[-2000:])
        step = int(mm.group(1)) if mm else -1
        check(mm is not None, "the guest finished its work: %s" % " / ".join(
            l.strip() for l in out.splitlines() if l.startswith(("timejump", "writer"))))
        check(0 <= step < 1000000, "no time jump across the 2 s stop: largest step %.3f s (a 2 s jump would show; host scheduling makes the rest)" % (step / 1e6))
        check(all(re.search(r"writer%d [1-9]" % i, out) for i in (1, 2, 3)), "every writer wrote to the disk")
        con.expect(r"/ # ", 30)
        con.send("umount /mnt; poweroff")
        check(proc.wait(timeout=60) == 0, "powered off, tern exit 0")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    print("%d failures" % failures)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
