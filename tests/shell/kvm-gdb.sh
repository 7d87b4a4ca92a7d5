#!/bin/bash
# gdb-multiarch against an x86-64 guest under KVM (tests/gdb/kvm_gdb_test.py with
# tests/x86/debugme.c): registers, Ctrl-C, a hardware breakpoint, stepi, monitor
# commands, detach. Skipped where /dev/kvm is missing or has no guest debugging (tern
# then refuses -gdb and says so).
# timeout: 180
set -u
T=${TERN:?}
SRC=${SRCDIR:?}
B=${BUILDDIR:?}
[ "$(uname -m)" = x86_64 ] || { echo "not an x86-64 host"; exit 77; }
[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "no usable /dev/kvm on this host"; exit 77; }
command -v gdb-multiarch >/dev/null || { echo "gdb-multiarch not installed (scripts/install-deps)"; exit 77; }
tmp=$(mktemp -d)
trap 'kill -9 $pid 2>/dev/null; rm -rf "$tmp"' EXIT
pid=
cc -g -O1 -ffreestanding -fno-pic -fno-pie -no-pie -nostdlib -static -mno-red-zone -mgeneral-regs-only \
    -fno-stack-protector -fcf-protection=none -Wl,--build-id=none -Wl,--no-warn-rwx-segments \
    -T"$SRC/tests/x86/link.ld" -o "$tmp/debugme.elf" "$SRC/tests/x86/start.S" "$SRC/tests/x86/guest.c" \
    "$SRC/tests/x86/debugme.c" || exit 1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$T" -M microvm -m 64M -nographic -serial stdio -monitor none -S -gdb tcp:127.0.0.1:$port \
    -kernel "$tmp/debugme.elf" </dev/null >"$tmp/tern.out" 2>&1 &
pid=$!
sleep 0.5
if ! kill -0 $pid 2>/dev/null; then
    if grep -q "no guest debugging\|lacks" "$tmp/tern.out"; then
        grep -o "this host's KVM.*" "$tmp/tern.out" | head -1
        exit 77
    fi
    echo "FAIL: tern: $(cat "$tmp/tern.out")"
    exit 1
fi
GDB_WATCH=${GDB_WATCH:-0} GDB_PORT=$port timeout 120 gdb-multiarch -batch -nx -x "$SRC/tests/gdb/kvm_gdb_test.py" \
    "$tmp/debugme.elf" >"$tmp/gdb.out" 2>&1
grep -E "^(ok|FAIL):" "$tmp/gdb.out"
if grep -q HOST-NO-DATA-BREAKPOINTS "$tmp/gdb.out"; then
    echo "this host's KVM accepts debug-register watchpoints but never reports them (QEMU 7.2 with KVM behaves the same here)"
    exit 77
fi
grep -q "gdb-test: 0 failures" "$tmp/gdb.out" || { tail -20 "$tmp/gdb.out"; exit 1; }
for _ in $(seq 300); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
kill -0 $pid 2>/dev/null && { echo "FAIL: tern still runs 30 s after gdb detached: $(cat "$tmp/tern.out")"; exit 1; }
wait $pid
rc=$?
[ $rc = 0 ] && grep -q "debugme: done" "$tmp/tern.out" || { echo "FAIL: after detach tern ended with $rc: $(cat "$tmp/tern.out")"; exit 1; }
echo "ok: after detach the guest ran to its end"
