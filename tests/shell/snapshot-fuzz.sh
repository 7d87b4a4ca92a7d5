#!/bin/bash
# Snapshot files that lie under valid checksums (tests/snapshot/fuzz_snap.py): a section
# of a machine with every kind of device changed at random, the checksums made right;
# tern must refuse with one line and exit status 2 or run, never crash. A short run here
# (SNAPFUZZ_ITERATIONS, default 60); `make fuzz-snapshots` runs longer.
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
python3 "$SRC/tests/snapshot/fuzz_snap.py" "$T" "$tmp/snapwork.elf" "$tmp" "${SNAPFUZZ_ITERATIONS:-60}" ${SNAPFUZZ_SEED:-}
