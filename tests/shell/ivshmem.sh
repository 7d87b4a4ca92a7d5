#!/bin/bash
# A RAM-backed PCI BAR on both boards: ivshmem-plain showing a memory-backend-file the
# host also maps. A bare-metal RISC-V guest (on the translator and the interpreter)
# reads what the host wrote, writes a reply the host reads back from the file, and
# moves the BAR (the old place must go dead at once); under KVM, an x86-64 guest does
# the same through the BAR's memory slot. Bad -object/-device lines: one error, exit 2.
# timeout: 120
set -u
T=${TERN:?}
SRC=${SRCDIR:?}
B=${BUILDDIR:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

fresh() {   # a 1 MiB backing file with the host's pattern at 0
    dd if=/dev/zero of="$tmp/shm" bs=1M count=1 status=none
    printf 'host-pattern' | dd of="$tmp/shm" conv=notrunc status=none
}
at() {      # the NUL-terminated string at a byte offset of the backing file
    dd if="$tmp/shm" bs=1 skip=$(($1)) count=32 status=none | tr -d '\0'
}
OBJ="memory-backend-file,id=hm,size=1M,mem-path=$tmp/shm,share=on"

cc=$(command -v riscv64-linux-gnu-gcc || true)
if [ -n "$cc" ]; then
    "$cc" -O2 -march=rv64gc -mabi=lp64d -mcmodel=medany -ffreestanding -nostdlib -static -fno-pie -no-pie \
        -Wl,--build-id=none -Wl,--no-warn-rwx-segments -T"$SRC/bench/guest/link.ld" \
        -o "$tmp/ivshmem.elf" "$SRC/bench/guest/start.S" "$SRC/tests/baremetal/ivshmem.c" || exit 1
    for accel in jit interp; do
        fresh
        out=$(timeout 60 "$T" -M virt -bios none -nographic -accel $accel -kernel "$tmp/ivshmem.elf" \
              -object "$OBJ" -device ivshmem-plain,memdev=hm </dev/null 2>&1); rc=$?
        if [ $rc != 0 ] || ! grep -q "ivshmem: host pattern read" <<<"$out"; then
            fail "virt -accel $accel: exit $rc: $out"
        elif [ "$(at 0x1000)" != guest-reply ] || [ "$(at 0x2000)" != moved-reply ]; then
            fail "virt -accel $accel: the host reads '$(at 0x1000)' and '$(at 0x2000)'"
        else
            echo "ok: virt -accel $accel: $(tr -d '\r' <<<"$out")"
        fi
    done
else
    echo "skipped: virt (no riscv64 cross compiler)"
fi

if [ "$(uname -m)" = x86_64 ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] && [ -f "$B/tests/x86/ivshmem.elf" ]; then
    fresh
    out=$(timeout 60 "$T" -M microvm -m 64M -nographic -kernel "$B/tests/x86/ivshmem.elf" \
          -object "$OBJ" -device ivshmem-plain,memdev=hm </dev/null 2>&1); rc=$?
    if grep -q "this host's KVM lacks" <<<"$out"; then
        echo "skipped: microvm ($out)"
    elif [ $rc != 0 ] || ! grep -q "ivshmem: host pattern read" <<<"$out"; then
        fail "microvm: exit $rc: $out"
    elif [ "$(at 0x1000)" != guest-reply ] || [ "$(at 0x2000)" != moved-reply ]; then
        fail "microvm: the host reads '$(at 0x1000)' and '$(at 0x2000)'"
    else
        echo "ok: microvm: $(tr -d '\r' <<<"$out")"
    fi
else
    echo "skipped: microvm (no usable /dev/kvm here, or not an x86-64 host)"
fi

# the user's mistakes: one line, exit 2
bad() {     # bad WANT-IN-MESSAGE TERN-ARGS...
    local want=$1
    shift
    local out rc
    out=$(timeout 10 "$T" -M virt -bios none -nographic -kernel /dev/null "$@" </dev/null 2>&1); rc=$?
    if [ $rc = 2 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -q -- "$want" <<<"$out"; then
        echo "ok: refused: $out"
    else
        fail "expected exit 2 and one line with '$want', got exit $rc: $out"
    fi
}
bad "memdev=ID is required" -device ivshmem-plain
bad "no -object with id 'nope'" -device ivshmem-plain,memdev=nope
bad "power of two" -object memory-backend-ram,id=r,size=3000
bad "memory backends only" -object iothread,id=io0
bad "needs mem-path" -object memory-backend-file,id=f,size=1M
bad "unknown property" -object memory-backend-ram,id=r,size=1M,colour=blue
bad "is used by another device" -object memory-backend-ram,id=r,size=1M -device ivshmem-plain,memdev=r -device ivshmem-plain,memdev=r
[ $fails = 0 ]
