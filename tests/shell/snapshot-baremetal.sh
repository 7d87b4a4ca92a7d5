#!/bin/bash
# Snapshots of a bare-metal guest (tests/snapshot/baremetal_snap.py): exact continuation
# across processes under jit, interp and across the two (registers compared at once),
# in-place returns with savevm/loadvm, QMP's snapshot jobs, and bad snapshot files.
# timeout: 300
set -u
T=${TERN:?}
SRC=${SRCDIR:?}
cc=$(command -v riscv64-linux-gnu-gcc || true)
[ -n "$cc" ] || { echo "no riscv64 cross compiler"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$cc" -O2 -march=rv64gc -mabi=lp64d -mcmodel=medany -ffreestanding -nostdlib -static -fno-pie -no-pie \
    -Wl,--build-id=none -Wl,--no-warn-rwx-segments -T"$SRC/bench/guest/link.ld" \
    -o "$tmp/snapwork.elf" "$SRC/bench/guest/start.S" "$SRC/tests/baremetal/snapwork.c" || exit 1
python3 "$SRC/tests/snapshot/baremetal_snap.py" "$T" "$tmp/snapwork.elf" "$tmp"
