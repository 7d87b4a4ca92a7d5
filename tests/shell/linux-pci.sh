#!/bin/bash
# The guest kit's Linux with its root disk on virtio-blk-pci (plus virtio-rng-pci and a
# virtconsole on virtio-serial-pci) behind QEMU's generic PCIe host, booted by tern's
# firmware (both CPU tiers), by Debian's OpenSBI fw_dynamic, and by OpenSBI then
# Debian's U-Boot, which finds the disk on PCI and loads the kernel from it itself.
# The guest writes a file to the root disk; the host reads it back with debugfs.
# timeout: 1500
set -u
T=${TERN:?}
SRC=${SRCDIR:?}
command -v python3 >/dev/null || { echo "python3 not installed"; exit 77; }
command -v mkfs.ext2 >/dev/null && command -v debugfs >/dev/null || { echo "e2fsprogs not installed"; exit 77; }
guest=$("$SRC/tests/guest-kit/build" --print-dir) || { echo "FAIL: could not build the guest kit"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

"$SRC/tests/guest-kit/rootfs-image" "$guest" "$tmp/root.img" 64M || { echo "FAIL: could not make the root image"; exit 1; }

boot() {   # boot FIRMWARE [ACCEL]
    local fw=$1 accel=${2:-}
    echo "== root on virtio-blk-pci, firmware $fw${accel:+, -accel $accel}"
    debugfs -w -R "rm /pci.txt" "$tmp/root.img" >/dev/null 2>&1
    rm -f "$tmp/hvc.txt"
    python3 "$SRC/tests/guest-kit/pci_boot.py" "$T" "$guest" "$tmp/root.img" "$tmp/hvc.txt" \
        --firmware "$fw" ${accel:+--accel "$accel"} || { fails=$((fails + 1)); return; }
    got=$(debugfs -R "cat /pci.txt" "$tmp/root.img" 2>/dev/null)
    [ "$got" = written-over-pci ] || { echo "FAIL: host reads '$got' from the guest's file"; fails=$((fails + 1)); }
    grep -q hello-over-virtio-serial-pci "$tmp/hvc.txt" 2>/dev/null ||
        { echo "FAIL: nothing arrived through the virtconsole"; fails=$((fails + 1)); }
}

boot tern jit
boot tern interp
if [ -f /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin ]; then
    boot opensbi
    if [ -f /usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin ]; then
        boot uboot
    else
        echo "FAIL: u-boot-qemu is not installed (scripts/install-deps installs it)"; fails=$((fails + 1))
    fi
else
    echo "FAIL: opensbi is not installed (scripts/install-deps installs it)"; fails=$((fails + 1))
fi
[ $fails = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all PCI boots passed"
