#!/bin/bash
# The project's own x86-64 guests under -M microvm -accel kvm: serial output and a
# guest-initiated poweroff (exit status 0), a virtio-blk read and write completed by
# interrupts through the in-kernel I/O APIC and local APIC, the local APIC timer, and
# two vCPUs both running, and PCI: enumerated through ports 0xCF8/0xCFC, a
# virtio-blk-pci whose BAR the guest moves, read and written with INTx completions
# through the swizzled I/O APIC pins, then one by MSI-X (and -drive if=virtio with pcie=on, QEMU's way to
# get virtio-blk-pci on microvm). Skipped where /dev/kvm cannot be opened or lacks a capability
# tern needs; the two-vCPU case is left out where KVM runs only one.
set -u
T=${TERN:?}
B=${BUILDDIR:?}
. "${SRCDIR:?}/tests/shell/lib/kvm.bash"
kvm_host_or_skip
for g in hello timer smp blk pciblk; do
    [ -f "$B/tests/x86/$g.elf" ] || { echo "FAIL: $B/tests/x86/$g.elf not built (make x86-guests)"; exit 1; }
done
kvm_caps_or_skip "$T" "$B/tests/x86/hello.elf"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
run() {   # run NAME EXPECTED-OUTPUT TERN-ARGS...
    local name=$1 want=$2
    shift 2
    local out rc
    out=$(timeout 30 "$T" -M microvm -m 64M -nographic -serial stdio -kernel "$B/tests/x86/$name.elf" "$@" </dev/null 2>&1)
    rc=$?
    if [ $rc != 0 ] || ! grep -q "$want" <<<"$out"; then
        echo "FAIL: $name (exit $rc): $out"
        fails=$((fails + 1))
    else
        echo "ok: $name: $(grep "$want" <<<"$out" | tr -d '\r')"
    fi
}
run hello "hello from an x86-64 guest on tern"
run timer "timer: 10 ticks"
smp_probe=$(timeout 30 "$T" -M microvm -m 64M -nographic -serial stdio -smp 2 -kernel "$B/tests/x86/hello.elf" </dev/null 2>&1)
if grep -q "this host's KVM runs at most 1 vCPU" <<<"$smp_probe"; then
    echo "skipped: smp (this host's KVM runs one vCPU)"
else
    run smp "smp: 2 vCPUs ran: cpu0/apic0 cpu1/apic1" -smp 2
fi
python3 -c "import sys; sys.stdout.buffer.write(bytes((i*7+1)&255 for i in range(512)) + bytes(512*7))" >"$tmp/disk.img"
run blk "blk: sector 0 verified, sector 1 written" -drive file="$tmp/disk.img",format=raw,if=virtio -global virtio-mmio.force-legacy=false
reply=$(dd if="$tmp/disk.img" bs=1 skip=512 count=18 status=none)
[ "$reply" = "x86-64 guest reply" ] || { echo "FAIL: sector 1 holds '$reply'"; fails=$((fails + 1)); }

# PCI: slot 1 by default (GSI 13), addr=6 swizzles pin A onto GSI 14; if=virtio with
# pcie=on becomes virtio-blk-pci as on QEMU
pcirun() {   # pcirun WANT-GSI TERN-ARGS...
    local gsi=$1
    shift
    python3 -c "import sys; sys.stdout.buffer.write(bytes((i*7+1)&255 for i in range(512)) + bytes(512*7))" >"$tmp/pci.img"
    run pciblk "pciblk: slot [0-9]* gsi $gsi, sector 0 verified, sector 1 written, 2 INTx interrupts, 2 MSI-X" "$@"
    reply=$(dd if="$tmp/pci.img" bs=1 skip=512 count=16 status=none)
    [ "$reply" = "x86-64 pci reply" ] || { echo "FAIL: pciblk: sector 1 holds '$reply'"; fails=$((fails + 1)); }
}
pcirun 13 -drive file="$tmp/pci.img",format=raw,if=none,id=d0 -device virtio-blk-pci,drive=d0
pcirun 14 -drive file="$tmp/pci.img",format=raw,if=none,id=d0 -device virtio-blk-pci,drive=d0,addr=6,bus=pcie.0,disable-legacy=on
pcirun 13 -M microvm,pcie=on -drive file="$tmp/pci.img",format=raw,if=virtio
out=$(timeout 30 "$T" -M microvm,pcie=off -m 64M -nographic -kernel "$B/tests/x86/pciblk.elf" \
      -drive file="$tmp/pci.img",format=raw,if=none,id=d0 -device virtio-blk-pci,drive=d0 </dev/null 2>&1)
rc=$?
if [ $rc = 2 ] && [ "$(wc -l <<<"$out")" = 1 ]; then
    echo "ok: pcie=off refuses a -pci device: $out"
else
    echo "FAIL: pcie=off with a -pci device: exit $rc: $out"
    fails=$((fails + 1))
fi
[ $fails = 0 ]
