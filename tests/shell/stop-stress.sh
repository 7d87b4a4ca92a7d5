#!/bin/bash
# The stop primitive under load (tests/qmp/stress.py): 10,000 QMP stop/cont pairs and
# one 2-second stop while Linux on -smp 4 runs disk writers and a CPU job; the guest
# must finish and see no time jump.
# timeout: 900
set -u
T=${TERN:?}
SRC=${SRCDIR:?}
B=${BUILDDIR:?}
prog=$B/tests/guest-user/timejump
[ -x "$prog" ] || { echo "FAIL: $prog not built"; exit 1; }
command -v python3 >/dev/null && command -v cpio >/dev/null && command -v mkfs.ext2 >/dev/null ||
    { echo "python3, cpio or e2fsprogs not installed"; exit 77; }
guest=$("$SRC/tests/guest-kit/build" --print-dir) || { echo "FAIL: could not build the guest kit"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/root"
cp "$prog" "$tmp/root/timejump"
(cd "$tmp/root" && echo timejump | cpio -o -H newc --quiet | gzip >"$tmp/extra.cpio.gz")
dd if=/dev/zero of="$tmp/disk.img" bs=1M count=64 status=none
mkfs.ext2 -q -F "$tmp/disk.img"
python3 "$SRC/tests/qmp/stress.py" "$T" "$guest" "$tmp/extra.cpio.gz" "$tmp/disk.img" "$tmp" "${STRESS_PAIRS:-10000}"
