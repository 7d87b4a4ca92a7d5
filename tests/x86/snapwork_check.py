#!/usr/bin/env python3
"""
Exact continuation of tests/x86/snapwork.elf under -M microvm -accel kvm, for a shell
test to run: an uninterrupted run is the reference; then
  across:  a run saved with `migrate file:` after --at lines, ended, and started again in
           a new process with -incoming, must print the same lines (the two outputs put
           together) and leave the same disk;
  inplace: a run saved with `savevm` after --at lines and returned to with `loadvm`
           three times (each a few lines later) must end with the reference's lines
           from the save on, and the same disk.
Each SCENARIO is a mode with options joined by '+': smp2 (two vCPUs), disk (each round
also goes through virtio-blk, level-triggered interrupts). Scenarios with the same
disk setting share one reference run, on one vCPU (the output does not depend on the
vCPU count; each run costs seconds where VM exits are dear).
Exit status 0: passed, 1: failed (with the reason), 77: no KVM here.
usage: snapwork_check.py TERN SNAPWORK.ELF SCENARIO... [--at N]
   e.g. snapwork_check.py build/tern snapwork.elf across across+disk inplace+smp2
"""
import argparse, json, os, shutil, socket, subprocess, sys, tempfile, time

SECTOR = 512
DISK_SIZE = 64 * SECTOR


class Qmp:
    def __init__(self, path):
        for _ in range(400):
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(path)
                break
            except OSError:
                self.s.close()
                time.sleep(0.025)
        else:
            raise RuntimeError("no QMP socket at " + path)
        self.buf = b""
        self.reply()                     # the greeting
        self.cmd("qmp_capabilities")

    def reply(self):
        while True:
            while b"\n" not in self.buf:
                data = self.s.recv(65536)
                if not data:
                    raise RuntimeError("QMP closed")
                self.buf += data
            line, self.buf = self.buf.split(b"\n", 1)
            if line.strip():
                r = json.loads(line)
                if "event" not in r:
                    return r

    def cmd(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.s.sendall((json.dumps(msg) + "\n").encode())
        r = self.reply()
        if "error" in r:
            raise RuntimeError("%s: %s" % (name, r["error"].get("desc")))
        return r["return"]

    def hmp(self, line):
        out = self.cmd("human-monitor-command", **{"command-line": line})
        if out.strip():
            raise RuntimeError("%s: %s" % (line, out.strip()))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tern")
    ap.add_argument("elf")
    ap.add_argument("scenarios", nargs="+")
    ap.add_argument("--at", type=int, default=6)
    a = ap.parse_args()
    refs = {}
    for spec in a.scenarios:
        mode, *opts = spec.split("+")
        if mode not in ("across", "inplace") or any(o not in ("smp2", "disk") for o in opts):
            ap.error("bad scenario '%s'" % spec)
        sc = argparse.Namespace(tern=a.tern, elf=a.elf, at=a.at, mode=mode,
                                smp=2 if "smp2" in opts else 1, disk="disk" in opts)
        tmp = tempfile.mkdtemp()
        try:
            rc = check(sc, tmp, refs)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        if rc:
            return rc
    return 0


def check(a, tmp, refs):
    procs = []

    def start(name, extra, smp=a.smp):
        out, qs = os.path.join(tmp, name + ".txt"), os.path.join(tmp, name + ".sock")
        args = [a.tern, "-M", "microvm", "-accel", "kvm", "-m", "64M", "-smp", str(smp), "-nographic",
                "-monitor", "none", "-serial", "file:" + out, "-kernel", a.elf,
                "-qmp", "unix:%s,server=on,wait=off" % qs, "-snapshot-dir", os.path.join(tmp, "snaps")]
        if a.disk:
            args += ["-drive", "file=%s,format=raw,if=virtio" % os.path.join(tmp, name + ".img"),
                     "-global", "virtio-mmio.force-legacy=false"]
            with open(os.path.join(tmp, name + ".img"), "wb") as f:
                f.write(bytes(DISK_SIZE))
        p = subprocess.Popen(args + extra, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
        procs.append(p)
        return p, out

    def lines(path):
        try:
            with open(path, "rb") as f:
                return f.read().count(b"\n")
        except OSError:
            return 0

    def wait_lines(p, path, n, what):
        end = time.time() + 120
        while lines(path) < n:
            if p.poll() is not None or time.time() > end:
                raise RuntimeError("%s: %d lines, waited for %d (%s)" % (
                    what, lines(path), n, "exited %d" % p.returncode if p.poll() is not None else "timed out"))
            time.sleep(0.005)

    def finish(p, what):
        try:
            rc = p.wait(timeout=120)
        except subprocess.TimeoutExpired:
            p.kill()
            raise RuntimeError(what + ": did not finish")
        msg = p.stdout.read().decode(errors="replace").strip()
        if rc != 0:
            raise RuntimeError("%s: exit %d: %s" % (what, rc, msg))

    def read(path):
        with open(path, "rb") as f:
            return f.read()

    try:
        # one reference per disk setting: the output does not depend on the vCPU count
        key = a.disk
        if key not in refs:
            ref, ref_out = start("ref", [], smp=1)
            finish(ref, "the uninterrupted run")
            want = read(ref_out)
            if not want.rstrip().endswith(b"done, disk written" if a.disk else b"done"):
                raise RuntimeError("the uninterrupted run did not finish: " + want.decode()[-200:])
            refs[key] = (want, read(os.path.join(tmp, "ref.img")) if a.disk else b"")
        want, want_disk = refs[key]
        if a.mode == "across":
            p, out = start("a", [])
            q = Qmp(os.path.join(tmp, "a.sock"))
            wait_lines(p, out, a.at, "the first run")
            q.hmp("migrate file:" + os.path.join(tmp, "x.snap"))
            q.cmd("quit")
            p.wait(timeout=60)
            got = read(out)
            p2, out2 = start("b", ["-incoming", "file:" + os.path.join(tmp, "x.snap")])
            # start() wrote a fresh b.img: the restore must bring the disk back itself
            finish(p2, "the restored run")
            got += read(out2)
            got_disk = read(os.path.join(tmp, "b.img")) if a.disk else b""
            how = "saved after line %d, restored in a new process" % a.at
        else:
            p, out = start("c", [])
            q = Qmp(os.path.join(tmp, "c.sock"))
            wait_lines(p, out, a.at, "the run")
            q.cmd("stop")                    # so the output is where the save is
            at_save = read(out)
            q.hmp("savevm s1")
            q.cmd("cont")
            for k in range(3):
                wait_lines(p, out, at_save.count(b"\n") + 3 + 2 * k, "the run")
                q.hmp("loadvm s1")
            finish(p, "the run")
            whole = read(out)
            # from the last return on, the output goes on from the save: the file ends
            # with the reference's lines after the save
            tail = want[len(at_save):] if want.startswith(at_save) else None
            if tail is None:
                raise RuntimeError("before the save the run printed what the reference did not")
            got = at_save + whole[len(whole) - len(tail):] if len(whole) >= len(tail) else whole
            got_disk = read(os.path.join(tmp, "c.img")) if a.disk else b""
            how = "saved after line %d, returned to three times in place" % a.at
        if got != want:
            g, w = got.decode(errors="replace").split("\n"), want.decode(errors="replace").split("\n")
            i = next((i for i in range(min(len(g), len(w))) if g[i] != w[i]), min(len(g), len(w)))
            raise RuntimeError("%s: line %d is '%s', an uninterrupted run's '%s'" % (
                how, i + 1, g[i] if i < len(g) else "(none)", w[i] if i < len(w) else "(none)"))
        if got_disk != want_disk:
            raise RuntimeError(how + ": the disk differs from an uninterrupted run's")
        print("ok: snapwork %s%s%s: the same %d lines%s" % (
            how, " -smp %d" % a.smp if a.smp > 1 else "", " with virtio-blk" if a.disk else "",
            want.count(b"\n"), " and disk" if a.disk else ""))
        return 0
    except (RuntimeError, OSError, ValueError) as e:
        print("FAIL: %s" % e)
        return 1
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()


if __name__ == "__main__":
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        print("no usable /dev/kvm on this host")
        sys.exit(77)
    sys.exit(main())
