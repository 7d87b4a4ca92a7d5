#!/bin/bash
# An xv6-style bare-metal guest (-bios none, M-mode) with its own UART and virtio-mmio
# block driver reads a sector the test prepared and writes a reply the test checks.
set -u
T=${TERN:?}
SRC=${SRCDIR:?}
. "$SRC/tests/shell/lib/baremetal.bash"
baremetal_cc_or_skip
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
baremetal_build "$tmp/blk.elf" "$SRC/tests/baremetal/blk.c" || exit 1
python3 -c "import sys; sys.stdout.buffer.write(bytes((i*7+1)&255 for i in range(512)) + bytes(512*7))" >"$tmp/disk.img"
out=$(timeout 30 "$T" -M virt -bios none -nographic -serial stdio -kernel "$tmp/blk.elf" \
      -drive file="$tmp/disk.img",format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0 -global virtio-mmio.force-legacy=false </dev/null); rc=$?
[ $rc = 0 ] || { echo "FAIL: exit status $rc; output: $out"; exit 1; }
grep -q "sector 1 written" <<<"$out" || { echo "FAIL: output: $out"; exit 1; }
reply=$(dd if="$tmp/disk.img" bs=1 skip=512 count=16 status=none)
[ "$reply" = "bare-metal reply" ] || { echo "FAIL: sector 1 holds '$reply'"; exit 1; }
