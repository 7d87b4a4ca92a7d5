#!/bin/bash
# What the firmware leaves to the kernel, checked by an S-mode payload (tests/sbi/probe.c):
# counters open to U-mode, Sstc, the SBI extensions Linux probes, timer and IPI delivery,
# delegated traps, PMP over firmware memory and the CLINT. Under tern's firmware on both
# CPU tiers and on two harts, under Debian's OpenSBI, and, where qemu-system-riscv64 is
# installed, under QEMU with its own OpenSBI: the same payload must pass everywhere.
set -u
T=${TERN:?}
B=${BUILDDIR:?}
probe=$B/tests/sbi/probe.elf
[ -f "$probe" ] || { echo "FAIL: $probe not built"; exit 1; }
fails=0
run() {   # run LABEL COMMAND...
    local label=$1
    shift
    out=$(timeout 60 "$@" </dev/null 2>&1); rc=$?
    if [ $rc = 0 ] && grep -q "sbi-probe: ALL OK" <<<"$out"; then
        echo "ok: $label: $(grep -c '^ok:' <<<"$out") checks"
    else
        echo "FAIL: $label (exit $rc)"
        grep -E "FAIL|sbi-probe|error" <<<"$out" | head -20
        fails=$((fails + 1))
    fi
}
for a in jit interp; do
    run "tern firmware, -accel $a" "$T" -M virt -nographic -accel $a -kernel "$probe"
done
run "tern firmware, -smp 2" "$T" -M virt -nographic -smp 2 -kernel "$probe"
opensbi=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
if [ -f "$opensbi" ]; then
    for a in jit interp; do
        run "OpenSBI, -accel $a" "$T" -M virt -nographic -accel $a -bios "$opensbi" -kernel "$probe"
    done
else
    echo "FAIL: $opensbi missing (package opensbi)"
    fails=$((fails + 1))
fi
if command -v qemu-system-riscv64 >/dev/null; then
    run "QEMU (the reference)" qemu-system-riscv64 -M virt -m 128M -nographic -bios default -kernel "$probe"
else
    echo "note: qemu-system-riscv64 not installed, reference run left out"
fi
[ $fails = 0 ]
