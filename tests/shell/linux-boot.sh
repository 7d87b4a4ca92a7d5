#!/bin/bash
# Boot the Linux guest kit to a shell under tern, as a person would on the console:
# with tern's firmware (and an ext2 disk written from the guest, checked on the host
# with debugfs) under both CPU tiers, again with -snapshot (the image must not change), with virtio-rng and
# a virtio console plus a guest reboot, with two harts, and with Debian's OpenSBI. The first run builds the guest kit (a few minutes; then cached).
# timeout: 2400
set -u
T=${TERN:?}
SRC=${SRCDIR:?}
command -v python3 >/dev/null || { echo "python3 not installed"; exit 77; }
command -v mkfs.ext2 >/dev/null && command -v debugfs >/dev/null || { echo "e2fsprogs not installed"; exit 77; }
guest=$("$SRC/tests/guest-kit/build" --print-dir) || { echo "FAIL: could not build the guest kit"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

img=$tmp/disk.img
dd if=/dev/zero of="$img" bs=1M count=16 status=none
mkfs.ext2 -q -F "$img"

# the first scenario on each CPU tier; the rest on the default (the translator)
for accel in jit interp; do
    echo "== tern firmware, ext2 disk, -accel $accel"
    debugfs -w -R "rm /guest.txt" "$img" >/dev/null 2>&1
    python3 "$SRC/tests/guest-kit/console.py" "$T" "$guest" --disk "$img" --accel $accel || fails=$((fails + 1))
    got=$(debugfs -R "cat /guest.txt" "$img" 2>/dev/null)
    [ "$got" = written-by-guest ] || { echo "FAIL: host reads '$got' from the guest's file"; fails=$((fails + 1)); }
done

echo "== -snapshot leaves the image unchanged"
debugfs -w -R "rm /guest.txt" "$img" >/dev/null 2>&1
before=$(sha256sum <"$img")
python3 "$SRC/tests/guest-kit/console.py" "$T" "$guest" --disk "$img" --snapshot || fails=$((fails + 1))
after=$(sha256sum <"$img")
[ "$before" = "$after" ] || { echo "FAIL: -snapshot changed the image"; fails=$((fails + 1)); }

echo "== virtio-rng and virtio-console, and a reboot"
python3 "$SRC/tests/guest-kit/console.py" "$T" "$guest" --devices --console-file "$tmp/hvc.out" --reboot || fails=$((fails + 1))
grep -q hello-over-virtio-console "$tmp/hvc.out" || { echo "FAIL: virtio console output missing"; fails=$((fails + 1)); }

echo "== two harts"
python3 "$SRC/tests/guest-kit/console.py" "$T" "$guest" --smp 2 --disk "$img" --snapshot || fails=$((fails + 1))

opensbi=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
if [ -f "$opensbi" ]; then
    echo "== Debian OpenSBI fw_dynamic"
    python3 "$SRC/tests/guest-kit/console.py" "$T" "$guest" --bios "$opensbi" || fails=$((fails + 1))
else
    echo "FAIL: $opensbi missing (package opensbi)"
    fails=$((fails + 1))
fi
[ $fails = 0 ]
