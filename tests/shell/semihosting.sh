#!/bin/bash
# RISC-V semihosting (docs/semihosting.md): a bare-metal guest (tests/semihosting) writes
# to the console, reads a host file named on its command line, writes, renames and
# removes host files, checks the clocks, calls from S-mode (also through Sv39) and
# U-mode, survives hostile calls, and exits with a status read from the file; on both
# CPU tiers, with -semihosting-config arg=... and with -semihosting plus a chardev.
# Without semihosting its first call must be an ordinary breakpoint exception. Where
# qemu-system-riscv64 is installed, QEMU runs the same guest and must say the same.
set -u
T=${TERN:?}
SRC=${SRCDIR:?}
case $T in /*) ;; *) T=$PWD/$T ;; esac          # the runs below change directory
case $SRC in /*) ;; *) SRC=$PWD/$SRC ;; esac
cc=$(command -v riscv64-linux-gnu-gcc || true)
[ -n "$cc" ] || { echo "no riscv64 cross compiler"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
elf=$tmp/semihost.elf
"$cc" -O2 -Wall -Wextra -march=rv64gc -mabi=lp64d -mcmodel=medany -ffreestanding -nostdlib -static \
    -fno-pie -no-pie -Wl,--build-id=none -Wl,--no-warn-rwx-segments -T"$SRC/tests/semihosting/link.ld" \
    -o "$elf" "$SRC/tests/semihosting/start.S" "$SRC/tests/semihosting/semihost.c" || exit 1

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# run DIR INPUT CMD...: in a fresh DIR holding INPUT as in.txt and semihost-in.txt;
# sets rc, out (stdout) and err (stderr)
run() {
    local dir=$tmp/$1
    mkdir -p "$dir"
    printf '%b' "$2" >"$dir/in.txt"
    cp "$dir/in.txt" "$dir/semihost-in.txt"
    shift 2
    (cd "$dir" && timeout 30 "$@" </dev/null >out.log 2>err.log)
    rc=$?
    out=$(cat "$dir/out.log")
    err=$(cat "$dir/err.log")
}
has() { grep -qxF -- "$2" <<<"$1"; }
vm="-M virt -m 128M -bios none -nographic"
input='status=42\nline=the quick brown fox\nstrict=1\n'

for a in interp jit; do
    # arg=: the guest's argv; console on stderr, ":tt" on stdout as QEMU has them
    run "args-$a" "$input" "$T" $vm -accel $a \
        -semihosting-config enable=on,target=native,arg=semihost,arg=in.txt,arg=out.txt -kernel "$elf"
    d=$tmp/args-$a
    [ $rc = 42 ] || fail "[$a] arg= run: exit status $rc, expected 42; stderr: $err"
    for l in "semihost: hello through SYS_WRITE0" "WC" "semihost: a line to :tt opened for appending" \
             "semihost: cmdline [semihost in.txt out.txt]" "semihost: hello from S-mode" \
             "semihost: hello from S-mode through Sv39" "semihost: hostile calls survived" \
             "semihost: done, 0 failures"; do
        has "$err" "$l" || fail "[$a] arg= run: no '$l' on stderr: $err"
    done
    [ "$out" = "semihost: a line through SYS_WRITE to :tt" ] || fail "[$a] arg= run: stdout is '$out'"
    ! grep -q "FAIL\|differs" <<<"$err" || fail "[$a] arg= run: $err"
    [ "$(cat "$d/out.txt" 2>&1)" = "$(printf 'copied: the quick brown fox\nappended')" ] ||
        fail "[$a] written file holds '$(cat "$d/out.txt" 2>&1)'"
    [ "$(cat "$d/semihost-renamed.txt" 2>&1)" = renamed ] || fail "[$a] renamed file missing"
    [ ! -e "$d/semihost-tmp.txt" ] && [ ! -e "$d/semihost-del.txt" ] || fail "[$a] rename/remove left files"

    # -semihosting and a chardev; no arg=: argv[0] is the -kernel file, the files are
    # the guest's defaults, relative to tern's working directory
    run "chr-$a" 'status=7\nmode=extended\nstrict=1\n' "$T" $vm -accel $a -semihosting \
        -chardev file,id=sh,path=console.txt -semihosting-config enable=on,chardev=sh -kernel "$elf"
    d=$tmp/chr-$a
    con=$(cat "$d/console.txt" 2>&1)
    [ $rc = 7 ] || fail "[$a] chardev run: exit status $rc, expected 7; console: $con"
    for l in "semihost: hello through SYS_WRITE0" "semihost: cmdline [$elf]" "semihost: done, 0 failures"; do
        has "$con" "$l" || fail "[$a] chardev run: no '$l' in the chardev's file: $con"
    done
    has "$err" "semihost: hello through SYS_WRITE0" && fail "[$a] chardev run: console text on stderr"
    [ "$(cat "$d/semihost-out.txt" 2>&1)" = "$(printf 'copied: \nappended')" ] ||
        fail "[$a] chardev run: written file holds '$(cat "$d/semihost-out.txt" 2>&1)'"

    # an exit reason other than ApplicationExit: status 1
    run "other-$a" 'status=9\nmode=other\n' "$T" $vm -accel $a -semihosting -kernel "$elf"
    [ $rc = 1 ] || fail "[$a] other exit reason: exit status $rc, expected 1"

    # no semihosting: the call is a breakpoint, which the guest reports as 33
    run "off-$a" "$input" "$T" $vm -accel $a -kernel "$elf"
    [ $rc = 33 ] || fail "[$a] without semihosting: exit status $rc, expected 33 (breakpoint)"
    run "disabled-$a" "$input" "$T" $vm -accel $a -semihosting-config enable=off,arg=x -kernel "$elf"
    [ $rc = 33 ] || fail "[$a] enable=off: exit status $rc, expected 33 (breakpoint)"
done

# QEMU, the reference: the same guest without strict=1 (where QEMU 7.2 differs it
# prints "differs:" lines, which tern must not); everything else must match
if command -v qemu-system-riscv64 >/dev/null; then
    input='status=42\nline=the quick brown fox\n'
    run q-args "$input" qemu-system-riscv64 $vm \
        -semihosting-config enable=on,target=native,arg=semihost,arg=in.txt,arg=out.txt -kernel "$elf"
    qrc=$rc qout=$out qerr=$(grep -v "^semihost: differs: " <<<"$err")
    run t-args "$input" "$T" $vm \
        -semihosting-config enable=on,target=native,arg=semihost,arg=in.txt,arg=out.txt -kernel "$elf"
    [ $rc = $qrc ] || fail "exit status $rc, QEMU's $qrc"
    [ "$out" = "$qout" ] || fail "stdout differs from QEMU's: '$out' against '$qout'"
    [ "$err" = "$qerr" ] || { fail "console differs from QEMU's:"; diff <(echo "$qerr") <(echo "$err"); }
    run q-chr 'status=7\nmode=extended\n' qemu-system-riscv64 $vm -semihosting \
        -chardev file,id=sh,path=console.txt -semihosting-config enable=on,chardev=sh -kernel "$elf"
    qrc=$rc qcon=$(grep -v "^semihost: differs: " "$tmp/q-chr/console.txt")
    run t-chr 'status=7\nmode=extended\n' "$T" $vm -semihosting \
        -chardev file,id=sh,path=console.txt -semihosting-config enable=on,chardev=sh -kernel "$elf"
    [ $rc = $qrc ] || fail "chardev run: exit status $rc, QEMU's $qrc"
    con=$(cat "$tmp/t-chr/console.txt")
    [ "$con" = "$qcon" ] || { fail "chardev console differs from QEMU's:"; diff <(echo "$qcon") <(echo "$con"); }
    run q-off "$input" qemu-system-riscv64 $vm -kernel "$elf"
    [ $rc = 33 ] || fail "QEMU without semihosting: exit status $rc, expected 33"
else
    echo "note: qemu-system-riscv64 not installed, reference runs left out"
fi
[ $fails = 0 ]
