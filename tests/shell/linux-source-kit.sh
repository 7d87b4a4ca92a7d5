#!/bin/bash
# The source guest kit (Linux 6.1 and busybox compiled from Debian 12 sources, everything
# built in) next to the default Debian kit: booted to a shell with an ext2 disk written
# from the guest, and from a root disk on virtio-blk-pci without an initramfs. Skipped,
# with the reason, where the source kit is not built (`make guest-src` builds it, ~10
# minutes once; .ci/run does).
# timeout: 600
set -u
T=${TERN:?}
SRC=${SRCDIR:?}
command -v python3 >/dev/null || { echo "python3 not installed"; exit 77; }
command -v mkfs.ext2 >/dev/null && command -v debugfs >/dev/null || { echo "e2fsprogs not installed"; exit 77; }
guest=$("$SRC/tests/guest-kit/build" --source --cached-only --print-dir 2>/dev/null) ||
    { echo "the source kit is not built here (make guest-src)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
echo "kit: $(cat "$guest/kit" 2>/dev/null)"

echo "== source kit: tern firmware, ext2 disk"
img=$tmp/disk.img
dd if=/dev/zero of="$img" bs=1M count=16 status=none
mkfs.ext2 -q -F "$img"
python3 "$SRC/tests/guest-kit/console.py" "$T" "$guest" --disk "$img" || fails=$((fails + 1))
got=$(debugfs -R "cat /guest.txt" "$img" 2>/dev/null)
[ "$got" = written-by-guest ] || { echo "FAIL: host reads '$got' from the guest's file"; fails=$((fails + 1)); }
grep -q "^CONFIG_VIRTIO_BLK=y" "$guest/linux.config" || { echo "FAIL: the source kit's virtio-blk is not built in"; fails=$((fails + 1)); }

echo "== source kit: root on virtio-blk-pci, no initramfs"
"$SRC/tests/guest-kit/rootfs-image" "$guest" "$tmp/root.img" 64M || { echo "FAIL: could not make the root image"; exit 1; }
python3 "$SRC/tests/guest-kit/pci_boot.py" "$T" "$guest" "$tmp/root.img" "$tmp/hvc.txt" --firmware tern || fails=$((fails + 1))
got=$(debugfs -R "cat /pci.txt" "$tmp/root.img" 2>/dev/null)
[ "$got" = written-over-pci ] || { echo "FAIL: host reads '$got' from the guest's file"; fails=$((fails + 1)); }
[ $fails = 0 ]
