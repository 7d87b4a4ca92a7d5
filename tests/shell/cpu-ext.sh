#!/bin/bash
# -cpu rv64,EXT=off: the extension's instructions become illegal and the device tree's
# riscv,isa drops it, on both CPU tiers; extensions tern lacks cannot be turned on.
set -u
T=${TERN:?}
SRC=${SRCDIR:?}
cc=$(command -v riscv64-linux-gnu-gcc || true)
[ -n "$cc" ] || { echo "no riscv64 cross compiler"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$cc" -march=rv64gc -mabi=lp64d -nostdlib -nostartfiles -static -fno-pie -no-pie -Wl,--build-id=none \
    -Wl,--no-warn-rwx-segments -T"$SRC/tests/isa/link.ld" -o "$tmp/zba.elf" "$SRC/tests/cpu/zba.S" || exit 1
fails=0
for a in interp jit; do
    timeout 20 "$T" -M virt -bios none -nographic -accel $a -kernel "$tmp/zba.elf" </dev/null >/dev/null 2>&1
    rc=$?
    [ $rc = 0 ] && echo "ok: $a: sh1add runs by default" || { echo "FAIL: $a default: exit $rc"; fails=$((fails + 1)); }
    timeout 20 "$T" -M virt -bios none -nographic -accel $a -cpu rv64,zba=off -kernel "$tmp/zba.elf" </dev/null >/dev/null 2>&1
    rc=$?
    [ $rc = 7 ] && echo "ok: $a: zba=off makes it illegal" || { echo "FAIL: $a zba=off: exit $rc"; fails=$((fails + 1)); }
done
"$T" -M virt,dumpdtb="$tmp/a.dtb" -cpu rv64,zba=off,zicond=off >/dev/null 2>&1
isa=$(fdtget "$tmp/a.dtb" /cpus/cpu@0 riscv,isa 2>&1)
case "$isa" in
*_zba*|*_zicond*) echo "FAIL: riscv,isa still names them: $isa"; fails=$((fails + 1)) ;;
rv64imafdc*_zbb*) echo "ok: riscv,isa without zba and zicond: $isa" ;;
*) echo "FAIL: riscv,isa: $isa"; fails=$((fails + 1)) ;;
esac
out=$("$T" -M virt -bios none -cpu rv64,v=on -kernel "$tmp/zba.elf" 2>&1); rc=$?
[ $rc = 2 ] && grep -q "do not have" <<<"$out" && echo "ok: v=on refused: $out" || { echo "FAIL: v=on: $rc $out"; fails=$((fails + 1)); }
out=$("$T" -M virt -bios none -cpu nosuch -kernel "$tmp/zba.elf" 2>&1); rc=$?
[ $rc = 2 ] && echo "ok: unknown model refused: $out" || { echo "FAIL: -cpu nosuch: $rc"; fails=$((fails + 1)); }
[ $fails = 0 ]
