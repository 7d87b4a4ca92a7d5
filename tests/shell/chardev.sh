#!/bin/bash
# Chardevs and the human monitor as harnesses use them (tests/qmp/chardev_test.py): the
# serial port on TCP and on a pty, the monitor on a unix socket, a socket muxed between
# serial and monitor, -pidfile and -daemonize, and the help listings.
# timeout: 180
set -u
T=${TERN:?}
SRC=${SRCDIR:?}
cc=$(command -v riscv64-linux-gnu-gcc || true)
[ -n "$cc" ] || { echo "no riscv64 cross compiler"; exit 77; }
command -v python3 >/dev/null || { echo "python3 not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for g in hello spin; do
    "$cc" -march=rv64gc -mabi=lp64d -mcmodel=medany -nostdlib -nostartfiles -static -fno-pie -no-pie \
        -Wl,--build-id=none -Wl,--no-warn-rwx-segments -T"$SRC/tests/isa/link.ld" \
        -o "$tmp/$g.elf" "$SRC/tests/qmp/$g.S" || exit 1
done
python3 "$SRC/tests/qmp/chardev_test.py" "$T" "$tmp/hello.elf" "$tmp/spin.elf" "$tmp"
