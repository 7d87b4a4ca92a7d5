#!/bin/bash
# How guests end a run: HTIF tohost (console output and exit code), the test finisher
# (fail code, and reset then fail), and -bios FILE starting a firmware image.
set -u
T=${TERN:?}
SRC=${SRCDIR:?}
cc=$(command -v riscv64-linux-gnu-gcc || command -v riscv64-unknown-elf-gcc || true)
[ -n "$cc" ] || { echo "no riscv64 cross compiler"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
build() { "$cc" -march=rv64gc -mabi=lp64d -nostdlib -nostartfiles -static -fno-pie -no-pie \
    -Wl,--build-id=none -Wl,--no-warn-rwx-segments -T"$SRC/tests/demo/link.ld" -o "$tmp/$1.elf" \
    "$SRC/tests/shell/guests/$1.S"; }
build htif && build finisher || exit 1

out=$(timeout 20 "$T" -M virt -bios none -nographic -kernel "$tmp/htif.elf" </dev/null); rc=$?
[ $rc = 3 ] || { echo "FAIL: htif exit status $rc, expected 3"; fails=$((fails + 1)); }
[ "$out" = "hi" ] || { echo "FAIL: htif console printed '$out'"; fails=$((fails + 1)); }

timeout 20 "$T" -M virt -bios none -nographic -kernel "$tmp/finisher.elf" </dev/null; rc=$?
[ $rc = 5 ] || { echo "FAIL: finisher (after reset) exit status $rc, expected 5"; fails=$((fails + 1)); }

# the same guest given as firmware with -bios
timeout 20 "$T" -M virt -bios "$tmp/finisher.elf" -nographic </dev/null; rc=$?
[ $rc = 5 ] || { echo "FAIL: -bios FILE exit status $rc, expected 5"; fails=$((fails + 1)); }
[ $fails = 0 ]
