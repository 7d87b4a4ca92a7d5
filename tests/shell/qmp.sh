#!/bin/bash
# QMP as clients use it (tests/qmp/qmp_test.py), over a unix socket and over TCP on
# 127.0.0.1: every command and event, bad input, reconnection, and guest time frozen
# while stopped.
# timeout: 180
set -u
T=${TERN:?}
SRC=${SRCDIR:?}
cc=$(command -v riscv64-linux-gnu-gcc || true)
[ -n "$cc" ] || { echo "no riscv64 cross compiler"; exit 77; }
command -v python3 >/dev/null || { echo "python3 not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$cc" -march=rv64gc -mabi=lp64d -mcmodel=medany -nostdlib -nostartfiles -static -fno-pie -no-pie \
    -Wl,--build-id=none -Wl,--no-warn-rwx-segments -T"$SRC/tests/isa/link.ld" \
    -o "$tmp/spin.elf" "$SRC/tests/qmp/spin.S" || exit 1
python3 "$SRC/tests/qmp/qmp_test.py" "$T" "$tmp/spin.elf" "$tmp"
