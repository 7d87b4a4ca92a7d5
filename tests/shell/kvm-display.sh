#!/bin/bash
# VRAM dirty tracking under KVM: on -M microvm a bochs-display's VRAM BAR is a KVM memory
# slot with KVM_MEM_LOG_DIRTY_PAGES, and the SDL window redraws only the lines of the
# pages KVM_GET_DIRTY_LOG reports written. The x86-64 guest tests/x86/bochs.c sets
# 320x200x32, then (each step when the test says so over the serial port) draws picture
# A over the whole frame and picture B over part of it. After each, the window (ImageMagick
# import, under a private Xvfb) must show the picture the guest drew, and then equal a
# QMP screendump (a full refresh from VRAM) pixel for pixel.
# The window is watched before any screendump is taken: a screendump's full refresh
# makes the window redraw everything, so it would hide a page the dirty log missed.
# Skipped without a usable /dev/kvm, SDL or the X tools.
# timeout: 120
set -u
T=${TERN:?}
B=${BUILDDIR:?}
SRC=${SRCDIR:?}
. "${SRCDIR:?}/tests/shell/lib/kvm.bash"
kvm_host_or_skip
for tool in Xvfb xdotool import python3; do
    command -v $tool >/dev/null || { echo "$tool is not installed (scripts/install-deps installs it)"; exit 77; }
done
grep -q "define CONFIG_SDL 1" "$B/config.h" || { echo "tern was built without SDL (--disable-sdl)"; exit 77; }
elf=$B/tests/x86/bochs.elf
[ -f "$elf" ] || { echo "FAIL: $elf not built (make x86-guests)"; exit 1; }
kvm_caps_or_skip "$T" "$B/tests/x86/hello.elf"
tmp=$(mktemp -d)
. "$SRC/tests/shell/lib/xvfb.bash"
trap 'xvfb_stop; rm -rf "$tmp"' EXIT
xvfb_start || exit 1

TERN_SRC="$SRC" python3 - "$T" "$elf" "$tmp" <<'EOF'
import atexit, json, os, socket, subprocess, sys, threading, time

sys.path.insert(0, os.path.join(os.environ["TERN_SRC"], "tests", "guest-kit"))
from display_lib import QMP, parse_ppm
tern, elf, tmp = sys.argv[1:4]
W, H = 320, 200

def picture_a(x, y):
    return ((x * 7 + y) & 255) << 16 | ((y * 3) & 255) << 8 | ((x ^ y) & 255)

def rgb(pixels):
    return b"".join(bytes((v >> 16 & 255, v >> 8 & 255, v & 255)) for v in pixels)

# the pictures tests/x86/bochs.c draws, as (width, height, RGB bytes) like parse_ppm's
A = [picture_a(x, y) for y in range(H) for x in range(W)]
Bp = list(A)
for y in range(50, 100):
    Bp[y * W:(y + 1) * W] = [0xff8040] * W
for x, y in ((5, 10), (100, 120), (200, 150), (319, 199)):
    Bp[y * W + x] = 0xffffff
BLACK, PIC_A, PIC_B = (W, H, bytes(W * H * 3)), (W, H, rgb(A)), (W, H, rgb(Bp))


qsock = os.path.join(tmp, "qmp.sock")
cmd = [tern, "-M", "microvm", "-m", "256M", "-display", "sdl", "-device", "bochs-display",
       "-kernel", elf, "-serial", "stdio", "-qmp", "unix:%s,server=on,wait=off" % qsock]
print("[kvm-display] " + " ".join(cmd), flush=True)
p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
atexit.register(lambda: p.poll() is None and p.kill())
out, cond = [], threading.Condition()

def reader():
    for line in iter(p.stdout.readline, b""):
        with cond:
            out.append(line.decode(errors="replace").rstrip("\r\n"))
            cond.notify_all()
    with cond:
        out.append(None)                    # tern ended
        cond.notify_all()
threading.Thread(target=reader, daemon=True).start()

def die(msg):
    print("FAIL: " + msg)
    p.kill()
    p.wait()
    with cond:
        print("tern's output:\n" + "\n".join(l for l in out if l is not None))
    sys.exit(1)

def expect(text, timeout=30):
    deadline = time.time() + timeout
    with cond:
        while True:
            for l in out:
                if l is not None and text in l:
                    return l
            if None in out:
                die("tern ended (exit %s) before %r" % (p.wait(), text))
            left = deadline - time.time()
            if left <= 0:
                die("no %r from the guest in %d s" % (text, timeout))
            cond.wait(left)

def send():
    p.stdin.write(b"g")
    p.stdin.flush()

def x(*args):
    r = subprocess.run(list(args), capture_output=True, timeout=30)
    if r.returncode:
        die("%s failed: %s" % (" ".join(args), r.stderr.decode(errors="replace").strip()))
    return r.stdout

def window():
    return parse_ppm(x("import", "-window", win, "-depth", "8", "ppm:-"))

def dump(name):
    path = os.path.join(tmp, name)
    r = qmp.cmd("screendump", filename=path, format="ppm")
    if "error" in r:
        die("screendump: %s" % r["error"])
    with open(path, "rb") as f:
        return parse_ppm(f.read())

def differ(a, b):
    if a[:2] != b[:2]:
        return "%dx%d, not %dx%d" % (a[0], a[1], b[0], b[1])
    n = sum(1 for i in range(0, len(a[2]), 3) if a[2][i:i + 3] != b[2][i:i + 3])
    i = next(i for i in range(0, len(a[2]), 3) if a[2][i:i + 3] != b[2][i:i + 3])
    px = i // 3
    return "%d pixels differ, the first at (%d,%d): %s, not %s" % (n, px % a[0], px // a[0],
                                                                   a[2][i:i + 3].hex(), b[2][i:i + 3].hex())

def watch(want, timeout):
    """The window until it shows `want`, with no screendump meanwhile."""
    deadline = time.time() + timeout
    while True:
        got = window()
        if got == want or time.time() > deadline:
            return got
        time.sleep(0.2)

fails, dumps = 0, {}
expect("bochs: mode")
qmp = QMP(qsock)
try:
    win = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "^tern"],
                         capture_output=True, text=True, timeout=20).stdout.split()[0]
except (subprocess.TimeoutExpired, IndexError):
    die("xdotool found no window titled tern")
print("ok: xdotool found the window %s" % win, flush=True)
# the new mode, drawn whole (a mode change redraws everything), before the guest draws
got = watch(BLACK, 10)
if got != BLACK:
    die("the window never showed the new mode's black 320x200 frame: %s" % differ(got, BLACK))
print("ok: the window shows the new mode, black", flush=True)

for name, want, step in (("A", PIC_A, "the whole frame"), ("B", PIC_B, "rows 50-99 and 4 single pixels")):
    send()
    expect("bochs: " + name)
    t0 = time.time()
    got = watch(want, 5)
    if got == want:
        print("ok: %s (%s) reached the window in %.1f s, from the dirty log alone" % (name, step, time.time() - t0),
              flush=True)
    else:
        print("FAIL: %s (%s): the window after 5 s: %s" % (name, step, differ(got, want)), flush=True)
        fails += 1
    ref = dumps[name] = dump(name + ".ppm")
    if ref != want:
        print("FAIL: %s: the screendump is not what the guest drew: %s" % (name, differ(ref, want)), flush=True)
        fails += 1
    elif got != ref:
        print("FAIL: %s: the window differs from the screendump: %s" % (name, differ(got, ref)), flush=True)
        fails += 1
    else:
        print("ok: %s: the window equals the screendump pixel for pixel" % name, flush=True)

if dumps["A"] == dumps["B"]:
    print("FAIL: the screendumps of A and B are the same")
    fails += 1
send()
expect("bochs: done")
try:
    rc = p.wait(timeout=30)
except subprocess.TimeoutExpired:
    die("tern did not end after the guest finished")
if rc != 0:
    die("tern exited with %d" % rc)
print("ok: the guest finished, tern exited 0")
sys.exit(1 if fails else 0)
EOF
