#!/bin/bash
# The guest kit's Linux with each GPU tern models (bochs-display, VGA, virtio-gpu-pci,
# virtio-gpu-device on virtio-mmio), headless: fbcon's text is in the QMP screendump
# where the guest's own font says it must be, and a pattern written to /dev/fb0 equals
# the screendump pixel for pixel (tests/guest-kit/display_test.py).
# timeout: 600
set -u
T=${TERN:?}
SRC=${SRCDIR:?}
B=${BUILDDIR:?}
prog=$B/tests/guest-user/fbtest
[ -x "$prog" ] || { echo "FAIL: $prog not built (riscv64-linux-gnu-gcc, libc6-dev-riscv64-cross)"; exit 1; }
command -v python3 >/dev/null && command -v cpio >/dev/null || { echo "python3 or cpio not installed"; exit 77; }
guest=$("$SRC/tests/guest-kit/build" --print-dir) || { echo "FAIL: could not build the guest kit"; exit 1; }
fails=0
for gpu in bochs-display,xres=1024,yres=768 VGA,xres=1024,yres=768 virtio-gpu-pci,xres=1024,yres=768 \
           virtio-gpu-device,xres=800,yres=600; do
    echo "== $gpu"
    log=$(mktemp)
    if python3 "$SRC/tests/guest-kit/display_test.py" "$T" "$guest" "$prog" --gpu "$gpu" >"$log" 2>&1; then
        grep -E "^(ok|FAIL)" "$log"
    else
        tail -40 "$log"
        echo "FAIL: $gpu"
        fails=$((fails + 1))
    fi
    rm -f "$log"
done
[ $fails = 0 ] || exit 1
