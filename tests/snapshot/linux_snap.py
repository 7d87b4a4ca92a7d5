#!/usr/bin/env python3
"""Snapshots of Linux (tests/shell/snapshot-linux.sh).

chain: the test guest boots through CYCLES processes: each one starts from the snapshot
the one before saved (-incoming file:), runs for a random few tens of milliseconds
(mostly under jit, sometimes interp), saves with QMP's migrate and quits. The boot must
reach the shell and run commands.

disk: Linux on -smp 2 writes blocks of its disk in a loop; the machine is saved in the
middle, the first run goes on (cont after migrate) to the end and prints the disk's
checksum; a new process restored from the snapshot must print the same and leave the
image file with the same bytes, though the first run wrote past the save point.

usage: linux_snap.py TERN GUEST_DIR TMPDIR chain|disk [CYCLES] [SEED]
"""
import atexit, hashlib, os, random, re, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest-kit"))
from ptyconsole import Console
from display_lib import QMP

tern, guest, tmp, mode = sys.argv[1:5]
kernel = os.path.join(guest, "Image")
initrd = os.path.join(guest, "initramfs.cpio.gz")

consoles = []

@atexit.register
def kill_left():
    for c in consoles:          # a failed check ends the script: no tern may outlive it
        c.kill()

def console(cmd):
    c = Console(cmd, echo=False)
    consoles.append(c)
    return c

def base_cmd(qmp, smp=1, accel="jit", extra=()):
    return [tern, "-M", "virt", "-m", "256M", "-smp", str(smp), "-nographic", "-accel", accel,
            "-kernel", kernel, "-initrd", initrd, "-append", "console=ttyS0",
            "-qmp", "unix:%s,server=on,wait=off" % qmp] + list(extra)

def migrate(q, path):
    r = q.cmd("migrate", uri="file:" + path)
    if "error" in r:
        raise SystemExit("FAIL: migrate: %s" % r["error"])
    st = q.cmd("query-status")["return"]["status"]
    if st != "postmigrate":
        raise SystemExit("FAIL: after migrate the state is %s, not postmigrate" % st)

def chain(cycles, seed):
    rng = random.Random(seed)
    print("chain: %d cycles, seed %d" % (cycles, seed), flush=True)
    text = b""
    snap = None
    accels = {}
    for i in range(cycles):
        qs = os.path.join(tmp, "q%d.sock" % i)
        accel = "interp" if rng.random() < 0.2 else "jit"
        accels[accel] = accels.get(accel, 0) + 1
        extra = ["-incoming", "file:" + snap] if snap else []
        con = console(base_cmd(qs, accel=accel, extra=extra))
        q = QMP(qs)
        time.sleep(rng.uniform(0.01, 0.06) * (4 if accel == "interp" else 1))
        new = os.path.join(tmp, "chain%d" % (i % 2))
        migrate(q, new)
        q.cmd("quit")
        con.wait_exit(30)
        try:
            while True:
                d = os.read(con.master, 65536)
                if not d:
                    break
                text += d
        except OSError:
            pass
        q.sock.close()
        if os.path.exists(qs):
            os.unlink(qs)
        snap = new
    print("chain: %d bytes of console output over %d processes (%s)" % (len(text), cycles, accels), flush=True)
    # the last one runs the boot to its end
    qs = os.path.join(tmp, "qlast.sock")
    con = console(base_cmd(qs, extra=["-incoming", "file:" + snap]))
    con.seen = text
    con.expect(r"tern guest ready", 300)
    con.expect(r"/ # ", 60)
    con.send("echo $((6*7)) ok; cat /proc/uptime")
    con.expect(r"42 ok", 30)
    con.expect(r"/ # ", 30)
    con.send("poweroff")
    if con.wait_exit(60) != 0:
        raise SystemExit("FAIL: tern did not exit 0 at poweroff")
    print("chain: the boot reached the shell across %d save/restore cycles" % cycles)

def disk():
    img = os.path.join(tmp, "disk.img")
    with open(img, "wb") as f:
        f.truncate(4 << 20)
    drive = ["-drive", "file=%s,format=raw,if=none,id=d0" % img, "-device", "virtio-blk-pci,drive=d0"]
    qs = os.path.join(tmp, "d1.sock")
    con = console(base_cmd(qs, smp=2, extra=drive))
    q = QMP(qs)
    con.expect(r"tern guest ready", 300)
    con.expect(r"/ # ", 60)
    con.send("grep -c ^processor /proc/cpuinfo")
    con.expect(r"\n2\r*\n", 30)
    con.expect(r"/ # ", 30)
    # blocks written one by one, on both harts, then the disk's checksum
    con.send("for i in $(seq 1 400); do echo \"block $i $((i*i))\" | dd of=/dev/vda bs=512 seek=$i "
             "conv=fsync 2>/dev/null & [ $((i%2)) = 0 ] && wait; done; wait; sync; "
             "echo SUM $(md5sum </dev/vda) END")
    con.expect(r"END\r*\n", 10)            # the echo of the command line
    time.sleep(1.0)
    snap = os.path.join(tmp, "disk.snap")
    migrate(q, snap)
    q.cmd("cont")
    out1 = con.expect(r"SUM [0-9a-f]+ +-? *END", 300).decode(errors="replace")
    sum1 = re.search(r"SUM ([0-9a-f]+)", out1).group(1)
    con.expect(r"/ # ", 30)
    if "block" in out1:
        raise SystemExit("FAIL: unexpected output: %s" % out1)
    con.send("poweroff")
    con.wait_exit(60)
    host1 = hashlib.sha256(open(img, "rb").read()).hexdigest()
    print("disk: uninterrupted run: guest md5 %s, image sha256 %s" % (sum1, host1[:16]), flush=True)
    if hashlib.md5(open(img, "rb").read()).hexdigest() != sum1:
        raise SystemExit("FAIL: the guest's checksum does not match the image")
    # the restore, into the same image file (which now holds the writes after the save)
    qs = os.path.join(tmp, "d2.sock")
    con = console(base_cmd(qs, smp=2, extra=drive + ["-incoming", "file:" + snap]))
    out2 = con.expect(r"SUM [0-9a-f]+ +-? *END", 300).decode(errors="replace")
    sum2 = re.search(r"SUM ([0-9a-f]+)", out2).group(1)
    con.expect(r"/ # ", 30)
    con.send("poweroff")
    con.wait_exit(60)
    host2 = hashlib.sha256(open(img, "rb").read()).hexdigest()
    print("disk: restored run: guest md5 %s, image sha256 %s" % (sum2, host2[:16]))
    if sum1 != sum2 or host1 != host2:
        raise SystemExit("FAIL: the restored run's disk differs from the uninterrupted run's")

if mode == "chain":
    chain(int(sys.argv[5]) if len(sys.argv) > 5 else 100,
          int(sys.argv[6]) if len(sys.argv) > 6 else int(time.time()))
else:
    disk()
print("PASS")
