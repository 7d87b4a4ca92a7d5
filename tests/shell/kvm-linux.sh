#!/bin/bash
# Debian 12's own x86-64 kernel (linux-image-amd64, entered at its 64-bit entry point)
# with an initramfs of busybox-static and the kernel's virtio modules, booted on
# -M microvm -accel kvm -smp 2 to a shell with a disk on virtio-blk-pci (written by the
# guest, read back by the host), commands run over the serial console, and
# ended by the guest (a reboot, with -no-reboot). It runs where the host's KVM can boot
# Linux; it is skipped, with the reason, where /dev/kvm is missing or is kvm_pvm.
# timeout: 600
set -u
T=${TERN:?}
SRC=${SRCDIR:?}
[ "$(uname -m)" = x86_64 ] || { echo "not an x86-64 host"; exit 77; }
[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "no usable /dev/kvm on this host"; exit 77; }
if [ -d /sys/module/kvm_pvm ]; then
    echo "this host's KVM is kvm_pvm, under which Debian's kernel does not get past its decompressor (docs/kvm.md)"
    exit 77
fi
command -v python3 >/dev/null || { echo "python3 not installed"; exit 77; }
guest=$("$SRC/tests/guest-kit/build-x86" --print-dir) || { echo "FAIL: could not build the x86-64 guest kit"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# its disk on virtio-blk-pci, found through ports 0xCF8/0xCFC and the MP table
dd if=/dev/zero of="$tmp/disk.img" bs=1M count=4 status=none
python3 "$SRC/tests/guest-kit/console.py" "$T" "$guest" --machine microvm --smp 2 --timeout 300 \
    --disk "$tmp/disk.img" --disk-device virtio-blk-pci || exit 1
got=$(head -c 16 "$tmp/disk.img")
[ "$got" = written-by-guest ] || { echo "FAIL: the host reads '$got' from the guest's disk"; exit 1; }
