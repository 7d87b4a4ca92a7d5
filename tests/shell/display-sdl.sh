#!/bin/bash
# tern's window as a person uses it, under a private X server (Xvfb): xdotool finds it by
# its title; the X server's picture of it equals tern's screendump; text typed into it
# runs on the guest's fbcon shell through virtio-keyboard; a pointer move reaches
# virtio-tablet; Ctrl-Alt-G grabs and a relative mouse gets motion and clicks; Ctrl-Alt-2
# shows the monitor (tests/guest-kit/display_test.py --sdl).
# timeout: 600
set -u
T=${TERN:?}
SRC=${SRCDIR:?}
B=${BUILDDIR:?}
prog=$B/tests/guest-user/fbtest
[ -x "$prog" ] || { echo "FAIL: $prog not built (riscv64-linux-gnu-gcc, libc6-dev-riscv64-cross)"; exit 1; }
for tool in Xvfb xdotool import python3 cpio; do
    command -v $tool >/dev/null || { echo "$tool is not installed (scripts/install-deps installs it)"; exit 77; }
done
grep -q "define CONFIG_SDL 1" "$B/config.h" || { echo "tern was built without SDL (--disable-sdl)"; exit 77; }
guest=$("$SRC/tests/guest-kit/build" --print-dir) || { echo "FAIL: could not build the guest kit"; exit 1; }
. "$SRC/tests/shell/lib/xvfb.bash"
trap xvfb_stop EXIT
xvfb_start || exit 1
fails=0
# the first with a tablet, the second with a mouse the window grabs
for gpu in virtio-gpu-pci,xres=1024,yres=768 "bochs-display,xres=1024,yres=768 --mouse"; do
    echo "== $gpu"
    log=$(mktemp)
    # shellcheck disable=SC2086
    if python3 "$SRC/tests/guest-kit/display_test.py" "$T" "$guest" "$prog" --gpu $gpu --sdl >"$log" 2>&1; then
        grep -aoE "(ok|FAIL): .*" "$log"
    else
        tail -40 "$log"
        echo "FAIL: $gpu"
        fails=$((fails + 1))
    fi
    rm -f "$log"
done
[ $fails = 0 ] || exit 1
