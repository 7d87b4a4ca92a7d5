#!/usr/bin/env python3
"""The display tests, run as a user would: boot the test guest with a GPU, draw into it
from inside the guest (tests/guest-user/fbtest), and check what tern shows.

usage: display_test.py TERN GUEST_DIR FBTEST --gpu DEVICE [--accel A] [--sdl] [--outdir D]

Always:
  - fbcon's text: the guest clears the first VT and prints a marker on it; the marker,
    rendered here with the guest's own console font (fbtest font), must appear in a QMP
    screendump at a character cell;
  - a test pattern written to /dev/fb0 (fbtest pattern) must equal the screendump pixel
    for pixel; PNG and PPM screendumps must agree.
With --sdl (under an X server: tests/shell/display-sdl.sh starts Xvfb), also:
  - xdotool finds the window by its title, and the X server's picture of it (ImageMagick
    import) equals tern's screendump;
  - text typed into the window with xdotool reaches the shell on fbcon through
    virtio-keyboard, and the command it runs prints a marker on the serial console;
  - a pointer move over the window reaches the guest through virtio-tablet;
  - Ctrl-Alt-2 shows the monitor: the window then equals the monitor console's screendump.
"""
import argparse, atexit, gzip, json, os, re, shutil, socket, subprocess, sys, tempfile, time, zlib, struct
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptyconsole import Console
from display_lib import QMP, read_ppm

MARKER = "TERN-FBCON-42"

def read_png(path):
    """Just enough PNG (8-bit RGB, no interlace) to compare with a PPM."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype == 2 and interlace == 0, "unexpected PNG layout"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, out, prev, stride = zlib.decompress(idat), bytearray(), bytearray(w * 3), w * 3
    for y in range(h):
        ft, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - 3] if i >= 3 else 0
            b = prev[i]
            c = prev[i - 3] if i >= 3 else 0
            if ft == 1: line[i] = (line[i] + a) & 255
            elif ft == 2: line[i] = (line[i] + b) & 255
            elif ft == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out += line
        prev = line
    return w, h, bytes(out)

def pattern(x, y):
    return ((x ^ y) & 0xff, (x * 3) & 0xff, (y * 5 + (x >> 8)) & 0xff)

def expected_pattern(w, h):
    out = bytearray(w * h * 3)
    i = 0
    for y in range(h):
        for x in range(w):
            out[i:i + 3] = bytes(pattern(x, y))
            i += 3
    return bytes(out)

def find_text(img, glyphs, height):
    """Where the text, drawn from glyphs (rows of 8 bits each), sits on a character cell
    of the picture (lit = not black). Returns (col, row) or None."""
    w, h, px = img
    n = len(glyphs)
    def lit(x, y):
        i = (y * w + x) * 3
        return px[i] | px[i + 1] | px[i + 2] != 0
    for row in range(h // height):
        for col in range(w // 8 - n + 1):
            ok = True
            for k in range(n):
                for r in range(height):
                    bits = glyphs[k][r]
                    y = row * height + r
                    for b in range(8):
                        if lit((col + k) * 8 + b, y) != bool(bits & (0x80 >> b)):
                            ok = False
                            break
                    if not ok: break
                if not ok: break
            if ok:
                return col, row
    return None

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tern")
    ap.add_argument("guest")
    ap.add_argument("fbtest")
    ap.add_argument("--gpu", required=True)
    ap.add_argument("--accel")
    ap.add_argument("--sdl", action="store_true")
    ap.add_argument("--outdir")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--arg", action="append", default=[], help="one more argument for tern")
    ap.add_argument("--mouse", action="store_true",
                    help="with --sdl: a virtio-mouse instead of the tablet, fed while the window grabs")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp()
    atexit.register(shutil.rmtree, tmp, True)
    out = a.outdir or tmp

    # the kit's initramfs with fbtest added (the kernel unpacks both archives)
    os.mkdir(os.path.join(tmp, "root"))
    shutil.copy(a.fbtest, os.path.join(tmp, "root", "fbtest"))
    cpio = subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"], cwd=os.path.join(tmp, "root"),
                          input=b"fbtest\n", capture_output=True, check=True).stdout
    initrd = os.path.join(tmp, "initrd")
    with open(initrd, "wb") as f:
        with open(os.path.join(a.guest, "initramfs.cpio.gz"), "rb") as kit:
            shutil.copyfileobj(kit, f)
        f.write(gzip.compress(cpio))

    qsock = os.path.join(tmp, "qmp.sock")
    cmd = [a.tern, "-M", "virt", "-m", "512M", "-kernel", os.path.join(a.guest, "Image"), "-initrd", initrd,
           "-append", "console=ttyS0", "-device", a.gpu, "-qmp", "unix:%s,server=on,wait=off" % qsock]
    if a.accel:
        cmd += ["-accel", a.accel]
    cmd += a.arg
    if a.sdl:
        # -qmp takes the default monitor's place, as in QEMU: a monitor on a vc of its own
        cmd += ["-display", "sdl", "-serial", "stdio", "-chardev", "vc,id=mon0", "-mon", "chardev=mon0",
                "-name", "display-test",
                "-device", "virtio-keyboard-pci", "-device", "virtio-mouse-pci" if a.mouse else "virtio-tablet-pci"]
    else:
        cmd += ["-nographic", "-device", "virtio-keyboard-pci", "-device", "virtio-tablet-pci"]
    print("[display] " + " ".join(cmd), flush=True)
    con = Console(cmd)
    atexit.register(con.kill)
    expect, send = con.expect, con.send
    expect(r"tern guest ready", a.timeout)
    expect(r"/ # ", 60)
    qmp = QMP(qsock)
    fails = []

    def shell(command, until=r"/ # ", timeout=60):
        send(command)
        return expect(until, timeout).decode(errors="replace")

    def dump(name, fmt="ppm", device=None):
        path = os.path.join(out, name)
        args = {"filename": path, "format": fmt}
        if device:
            args["device"] = device
        r = qmp.cmd("screendump", **args)
        if "error" in r:
            raise SystemExit("screendump: %s" % r["error"])
        return read_ppm(path) if fmt == "ppm" else read_png(path)

    # --- fbcon's text
    shell("echo 0 > /sys/class/graphics/fbcon/cursor_blink; printf '\\033[2J\\033[H\\n\\n   %s\\n' > /dev/tty1" % MARKER)
    text = shell("/fbtest font %s" % MARKER)
    m = re.search(r"fbtest: font 8x(\d+)", text)
    if not m:
        raise SystemExit("fbtest font failed:\n" + text)
    height = int(m.group(1))
    glyphs = [[int(b, 16) for b in line.split()[2:2 + height]] for line in re.findall(r"glyph [0-9a-f]{2}(?: [0-9a-f]{2})+", text)]
    where = None
    for attempt in range(20):
        img = dump("fbcon.ppm")
        where = find_text(img, glyphs, height)
        if where:
            break
        time.sleep(0.5)
    if where:
        print("\nok: fbcon shows %r at column %d, row %d of a %dx%d screen" % (MARKER, where[0], where[1], img[0], img[1]))
    else:
        fails.append("fbcon: %r is not in the screendump (%s)" % (MARKER, os.path.join(out, "fbcon.ppm")))

    # --- a pattern through /dev/fb0, pixel for pixel
    text = shell("/fbtest pattern")
    m = re.search(r"fbtest: pattern (\d+)x(\d+)", text)
    if not m:
        raise SystemExit("fbtest pattern failed:\n" + text)
    w, h = int(m.group(1)), int(m.group(2))
    want = expected_pattern(w, h)
    if a.sdl:
        # the window first, before any screendump: a screendump refreshes everything and
        # has the window redraw it all, which would hide a page the dirty tracking missed
        win = x("xdotool", "search", "--sync", "--onlyvisible", "--name", "^tern").split()[0]
        shot = None
        for attempt in range(40):
            shot = window_picture(win, os.path.join(out, "window-pattern.ppm"))
            if shot == (w, h, want):
                break
            time.sleep(0.25)
        if shot == (w, h, want):
            print("\nok: the window shows the pattern, redrawn from dirty tracking alone")
        else:
            fails.append("window: the pattern did not reach the window through dirty tracking (%dx%d)" % shot[:2])
    got = None
    for attempt in range(20):
        got = dump("pattern.ppm")
        if got[:2] == (w, h) and got[2] == want:
            break
        time.sleep(0.5)
    if got[:2] != (w, h):
        fails.append("pattern: screendump is %dx%d, the guest's mode %dx%d" % (got[0], got[1], w, h))
    elif got[2] != want:
        bad = sum(1 for i in range(0, len(want), 3) if want[i:i + 3] != got[2][i:i + 3])
        fails.append("pattern: %d of %d pixels differ" % (bad, w * h))
    else:
        print("\nok: the %dx%d pattern equals the screendump pixel for pixel" % (w, h))
    png = dump("pattern.png", "png")
    if png != got:
        fails.append("pattern: the PNG screendump differs from the PPM one")
    else:
        print("ok: PNG and PPM screendumps agree")

    if a.sdl:
        sdl_checks(a, tmp, out, shell, send, expect, dump, got, fails)
    else:
        headless_input_checks(qmp, shell, send, expect, fails)

    shell("/fbtest text")
    send("poweroff")
    con.wait_exit(60)
    if fails:
        for f in fails:
            print("FAIL: " + f)
        sys.exit(1)
    print("\ndisplay_test: PASS (%s)" % a.gpu)

def qcodes_for(text):
    """QEMU key names for typing text on a US keyboard: (name, shifted) pairs."""
    named = {" ": ("spc", False), "-": ("minus", False), ">": ("dot", True), "/": ("slash", False),
             ".": ("dot", False), "\n": ("ret", False)}
    out = []
    for ch in text:
        if ch in named:
            out.append(named[ch])
        elif ch.isalpha():
            out.append((ch.lower(), ch.isupper()))
        elif ch.isdigit():
            out.append((ch, False))
        else:
            raise ValueError(ch)
    return out

def headless_input_checks(qmp, shell, send, expect, fails):
    """Without a window, scripts type through QMP and the monitor, as with QEMU."""
    shell("/fbtest text")
    for name, shifted in qcodes_for("echo qmp-send-key-ok > /dev/ttyS0"):
        keys = [{"type": "qcode", "data": "shift"}] if shifted else []
        r = qmp.cmd("send-key", keys=keys + [{"type": "qcode", "data": name}], **{"hold-time": 5})
        if "error" in r:
            fails.append("send-key: %s" % r["error"])
            return
        time.sleep(0.02)
    ret = {"type": "key", "data": {"down": True, "key": {"type": "qcode", "data": "ret"}}}
    qmp.cmd("input-send-event", events=[ret])
    ret["data"]["down"] = False
    qmp.cmd("input-send-event", events=[ret])
    try:
        expect(r"qmp-send-key-ok", 30)
        print("\nok: keys sent with QMP send-key and input-send-event ran a command on fbcon's shell")
    except SystemExit:
        fails.append("send-key: the typed command did not run")
    for name, shifted in qcodes_for("echo hmp-sendkey-ok > /dev/ttyS0\n"):
        qmp.cmd("human-monitor-command", **{"command-line": "sendkey %s%s 5" % ("shift-" if shifted else "", name)})
        time.sleep(0.02)
    try:
        expect(r"hmp-sendkey-ok", 30)
        print("\nok: keys sent with the monitor's sendkey ran a command on fbcon's shell")
    except SystemExit:
        fails.append("sendkey: the typed command did not run")
    shell("true")
    send("/fbtest input 'QEMU Virtio Tablet' 2")
    expect(r"fbtest: reading", 30)
    time.sleep(0.3)
    qmp.cmd("input-send-event", events=[{"type": "abs", "data": {"axis": "x", "value": 1234}},
                                        {"type": "abs", "data": {"axis": "y", "value": 4321}}])
    text = expect(r"/ # ", 30).decode(errors="replace")
    if "code 0 value 1234" in text and "code 1 value 4321" in text:
        print("\nok: input-send-event's absolute position reached the guest's tablet")
    else:
        fails.append("input-send-event: the tablet events did not arrive:\n" + text)

def x(*args, check=True):
    r = subprocess.run(list(args), capture_output=True, text=True, timeout=60)
    if check and r.returncode:
        raise SystemExit("%s failed: %s" % (" ".join(args), r.stderr.strip()))
    return r.stdout.strip()

def window_picture(win, path):
    x("import", "-window", win, "-depth", "8", "ppm:" + path)
    return read_ppm(path)

def sdl_checks(a, tmp, out, shell, send, expect, dump, pattern_img, fails):
    win = x("xdotool", "search", "--sync", "--onlyvisible", "--name", "^tern").split()[0]
    title = x("xdotool", "getwindowname", win)
    print("ok: xdotool found the window %s titled %r" % (win, title))
    if "display-test" not in title:
        fails.append("window title %r does not name the machine" % title)
    # the X server's picture of the window is tern's screendump
    same = False
    for attempt in range(20):
        shot = window_picture(win, os.path.join(out, "window.ppm"))
        if shot == pattern_img:
            same = True
            break
        time.sleep(0.5)
    if same:
        print("ok: the window, as the X server has it, equals the screendump (%dx%d)" % shot[:2])
    else:
        fails.append("window: import's picture (%dx%d) differs from the screendump (%dx%d)" %
                     (shot[0], shot[1], pattern_img[0], pattern_img[1]))
    shell("/fbtest text")
    # keys typed into the window reach the shell on fbcon (tty1) through virtio-keyboard
    x("xdotool", "windowfocus", "--sync", win)
    x("xdotool", "type", "--delay", "40", "echo TYPED-$((6*7))-OK > /dev/ttyS0")
    x("xdotool", "key", "Return")
    try:
        expect(r"TYPED-42-OK", 30)
        print("ok: a command typed into the window ran on fbcon's shell")
    except SystemExit:
        fails.append("keyboard: the typed command did not run")
    if a.mouse:
        mouse_checks(win, send, expect, fails)
    else:
        tablet_checks(win, send, expect, pattern_img, fails)
    # Ctrl-Alt-2 shows the monitor
    x("xdotool", "key", "ctrl+alt+2")
    same = False
    for attempt in range(20):
        time.sleep(0.5)
        mon = dump("monitor.ppm", device="mon0")
        shot = window_picture(win, os.path.join(out, "window-monitor.ppm"))
        lit = sum(1 for i in range(0, len(mon[2]), 3) if mon[2][i:i + 3] != b"\0\0\0")
        if shot == mon and lit > 100:
            same = True
            break
    if same:
        print("ok: after Ctrl-Alt-2 the window shows the monitor (%dx%d, %d lit pixels)" % (mon[0], mon[1], lit))
    else:
        fails.append("Ctrl-Alt-2: the window (%dx%d) is not the monitor console (%dx%d)" %
                     (shot[0], shot[1], mon[0], mon[1]))
    x("xdotool", "key", "ctrl+alt+1")

def mouse_checks(win, send, expect, fails):
    """Ctrl-Alt-G grabs (the title says how to let go); motion and a click reach the
    guest's virtio-mouse; Ctrl-Alt-G lets go."""
    x("xdotool", "mousemove", "--window", win, "100", "100")
    x("xdotool", "key", "ctrl+alt+g")
    title = ""
    for attempt in range(20):
        title = x("xdotool", "getwindowname", win)
        if "grab" in title:
            break
        time.sleep(0.1)
    if "Ctrl-Alt-G" in title:
        print("\nok: Ctrl-Alt-G grabbed the pointer: the title is %r" % title)
    else:
        fails.append("grab: the title %r has no grab hint" % title)
    # a click (button down, up), then motion: the first four events the guest reads
    send("/fbtest input 'QEMU Virtio Mouse' 4")
    expect(r"fbtest: reading", 30)
    time.sleep(0.3)
    x("xdotool", "click", "1")
    for i in range(4):
        time.sleep(0.1)
        x("xdotool", "mousemove_relative", "--", "7", "3")
    try:
        text = expect(r"/ # ", 30).decode(errors="replace")
        rel = re.findall(r"event type 2 code (\d) value (-?\d+)", text)
        btn = re.search(r"event type 1 code 272 value 1", text)
        if rel and all(int(v) > 0 for c, v in rel) and ("0" in {c for c, v in rel}) and btn:
            print("\nok: relative motion and a click reached the guest's virtio-mouse (%s)" %
                  ", ".join("REL_%s %s" % ("XY"[int(c)], v) for c, v in rel))
        else:
            fails.append("mouse: unexpected events:\n" + text)
    except SystemExit:
        fails.append("mouse: no events reached the guest")
    x("xdotool", "key", "ctrl+alt+g")
    time.sleep(0.3)
    title = x("xdotool", "getwindowname", win)
    if "grab" in title:
        fails.append("grab: Ctrl-Alt-G did not let go (title %r)" % title)

def tablet_checks(win, send, expect, pattern_img, fails):
    # a pointer move reaches the guest through virtio-tablet
    send("/fbtest input 'QEMU Virtio Tablet' 2")
    expect(r"fbtest: reading", 30)
    time.sleep(0.5)
    px, py = 256, 192
    x("xdotool", "mousemove", "--window", win, str(px), str(py))
    try:
        text = expect(r"/ # ", 30).decode(errors="replace")
        vals = {int(c): int(v) for c, v in re.findall(r"event type 3 code (\d) value (-?\d+)", text)}
        wx = px * 0x7fff // (pattern_img[0] - 1)
        wy = py * 0x7fff // (pattern_img[1] - 1)
        if 0 in vals and 1 in vals and abs(vals[0] - wx) < 100 and abs(vals[1] - wy) < 100:
            print("ok: the pointer at (%d, %d) reached the guest's tablet as (%d, %d)" % (px, py, vals[0], vals[1]))
        else:
            fails.append("tablet: expected about (%d, %d), got %r" % (wx, wy, vals))
    except SystemExit:
        fails.append("tablet: no events reached the guest")

if __name__ == "__main__":
    main()
