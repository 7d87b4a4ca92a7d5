#!/bin/bash
# Real user space in the Linux guest, as people run it: tests/guest-user/usertest (static
# glibc: clock_gettime through the vDSO, rdcycle/rdinstret/rdtime, nanosleep, threads
# on futexes, signals, fork/exec/wait, a shared file mapping, libm) run from the shell
# under tern's firmware and Debian's OpenSBI, each on both CPU tiers. Every run must
# pass, and where qemu-system-riscv64 is installed the output must equal QEMU's, line
# for line (the program prints only deterministic lines).
# timeout: 1200
set -u
T=${TERN:?}
SRC=${SRCDIR:?}
B=${BUILDDIR:?}
prog=$B/tests/guest-user/usertest
[ -x "$prog" ] || { echo "FAIL: $prog not built (riscv64-linux-gnu-gcc, libc6-dev-riscv64-cross)"; exit 1; }
command -v python3 >/dev/null && command -v cpio >/dev/null || { echo "python3 or cpio not installed"; exit 77; }
guest=$("$SRC/tests/guest-kit/build" --print-dir) || { echo "FAIL: could not build the guest kit"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/root"
cp "$prog" "$tmp/root/usertest"
(cd "$tmp/root" && echo usertest | cpio -o -H newc --quiet | gzip >"$tmp/usertest.cpio.gz")
fails=0
# Where the SBI firmware has a PMU (OpenSBI, not tern's firmware), Linux 6.6 and later
# keep cycle and instret from user programs (the perf_user_access sysctl, which exists
# only then) and stopped until perf starts them: usertest leaves them out there, and
# the comparison with QEMU leaves out the lines about them
cmd="if [ -e /proc/sys/kernel/perf_user_access ]; then /usertest no-counters; else /usertest; fi"
run() {   # run NAME EMULATOR [console.py options]
    local name=$1 emu=$2
    shift 2
    echo "== $name"
    if ! python3 "$SRC/tests/guest-kit/console.py" "$emu" "$guest" --extra-initrd "$tmp/usertest.cpio.gz" \
            --command "$cmd" --until "usertest: (PASS|FAIL)[^\n]*\n|Illegal instruction|Segmentation fault|Killed" \
            --output "$tmp/$name.out" "$@" >"$tmp/$name.log" 2>&1; then
        tail -30 "$tmp/$name.log"
        echo "FAIL: $name: the guest did not run the program to its end"
        fails=$((fails + 1))
        return
    fi
    if ! grep -q "^usertest: PASS" "$tmp/$name.out"; then
        grep -E "FAIL" "$tmp/$name.out"
        echo "FAIL: $name"
        fails=$((fails + 1))
    else
        echo "ok: $name: $(grep -c '^ok:' "$tmp/$name.out") checks passed"
    fi
}
opensbi=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
[ -f "$opensbi" ] || { echo "FAIL: $opensbi missing (package opensbi)"; exit 1; }
for accel in jit interp; do
    run "tern-firmware-$accel" "$T" --accel $accel
    run "opensbi-$accel" "$T" --accel $accel --bios "$opensbi"
done
if command -v qemu-system-riscv64 >/dev/null; then
    run qemu qemu-system-riscv64
    for name in tern-firmware-jit tern-firmware-interp opensbi-jit opensbi-interp; do
        [ -f "$tmp/$name.out" ] || continue
        if ! diff -u <(grep -v 'rdcycle\|rdinstret' "$tmp/qemu.out") <(grep -v 'rdcycle\|rdinstret' "$tmp/$name.out") >"$tmp/diff"; then
            echo "FAIL: $name's output differs from QEMU's:"
            head -40 "$tmp/diff"
            fails=$((fails + 1))
        else
            echo "ok: $name's output equals QEMU's ($(wc -l <"$tmp/qemu.out") lines)"
        fi
    done
else
    echo "note: qemu-system-riscv64 not installed, outputs not compared with QEMU's"
fi
[ $fails = 0 ]
