#!/bin/bash
# Command-line behaviour: --version/--help/-M help succeed; every bad option, file or
# value is one line on stderr and exit status 2.
set -u
T=${TERN:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { :; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

expect_ok() {   # expect_ok PATTERN ARGS...
    local pat=$1; shift
    out=$("$T" "$@" 2>&1); rc=$?
    [ $rc = 0 ] || bad "tern $* exited $rc"
    grep -q -- "$pat" <<<"$out" || bad "tern $*: output lacks '$pat'"
}
expect_err() {  # expect_err PATTERN ARGS...  (exit 2, exactly one stderr line)
    local pat=$1; shift
    timeout 30 "$T" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null; rc=$?
    [ $rc = 2 ] || bad "tern $*: exit $rc, expected 2"
    n=$(wc -l <"$tmp/err")
    [ "$n" = 1 ] || bad "tern $*: $n stderr lines, expected 1: $(head -3 "$tmp/err")"
    grep -q -- "$pat" "$tmp/err" || bad "tern $*: stderr lacks '$pat': $(cat "$tmp/err")"
}

expect_ok tern --version
expect_ok tern -version
expect_ok usage --help
expect_ok virt -M help
expect_ok exec -d help
expect_ok interp -accel help

expect_err "invalid option" --bogus
expect_err "requires an argument" -kernel
expect_err "unknown machine" -M nosuch
expect_err "unknown machine option" -M virt,foo=bar -bios none -kernel /bin/true
expect_err "invalid size" -m banana
expect_err "invalid size" -m 12Q
expect_err "RAM size" -m 0
expect_err "unknown log item" -d nosuch
expect_err "nothing to run" -M virt -bios none
expect_err "/nonexistent" -M virt -bios none -kernel /nonexistent
expect_err "not RISC-V" -M virt -bios none -kernel /bin/true
expect_err "not available" -M virt -bios none -accel nosuch -kernel /bin/true
: >"$tmp/empty"
expect_err "empty" -M virt -bios none -kernel "$tmp/empty"
expect_err "not a regular file" -M virt -bios none -kernel /
# a truncated RISC-V ELF: the header claims program headers past the end of the file
printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000\002\000\363\000\001\000\000\000\000\000\000\200\000\000\000\000\100\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\100\000\070\000\002\000\000\000\000\000\000\000' >"$tmp/trunc.elf"
expect_err "truncated" -M virt -bios none -kernel "$tmp/trunc.elf"
# a raw image larger than RAM
head -c $((2 * 1024 * 1024)) /dev/zero >"$tmp/big.bin"
expect_err "does not fit" -M virt -m 1M -bios none -kernel "$tmp/big.bin"
# a bad -D path
expect_err "/nonexistent/dir/log" -D /nonexistent/dir/log -M virt -bios none -kernel /bin/true

# displays: QEMU's other front ends and adapters, bad properties
echo 'int x;' >"$tmp/k.bin"
expect_err "sdl (a window) and none" -display gtk -M virt -bios none -kernel "$tmp/k.bin"
expect_err "gl=on" -display sdl,gl=on -M virt -bios none -kernel "$tmp/k.bin"
expect_err "unknown option 'foo'" -display sdl,foo=1 -M virt -bios none -kernel "$tmp/k.bin"
expect_err "cannot be used with -display sdl" -nographic -display sdl -M virt -bios none -kernel "$tmp/k.bin"
expect_err "-vga cirrus" -vga cirrus -M virt -bios none -kernel "$tmp/k.bin"
expect_err "a power of two" -display none -M virt -bios none -kernel "$tmp/k.bin" -device bochs-display,vgamem=3M
expect_err "xres=100" -display none -M virt -bios none -kernel "$tmp/k.bin" -device VGA,xres=100
expect_err "from 64x64" -display none -M virt -bios none -kernel "$tmp/k.bin" -device virtio-gpu-pci,xres=9999
DISPLAY=:999 expect_err "cannot open a window" -display sdl -M virt -bios none -kernel "$tmp/k.bin" -device bochs-display
# board-level inputs (issue: kernel not RISC-V, missing initrd, bad disk, bad -drive)
printf '\037\213\010\000' >"$tmp/gz.img"
expect_err "gzip-compressed" -M virt -kernel "$tmp/gz.img" -bios none
expect_err "/nonexistent.cpio" -M virt -bios none -kernel "$tmp/big.bin" -m 64M -initrd /nonexistent.cpio
expect_err "/nonexistent.img" -M virt -bios none -kernel "$tmp/big.bin" -m 64M -drive file=/nonexistent.img,format=raw,if=virtio
expect_err "unknown option 'bogus'" -drive file=x.img,bogus=1
expect_err "format 'qcow2'" -drive file=x.img,format=qcow2
expect_err "file=FILE is required" -drive format=raw
expect_err "unknown device" -device nosuch
expect_err "no -chardev" -M virt -bios none -kernel "$tmp/big.bin" -m 64M -device virtconsole,chardev=nope
expect_err "unknown machine option" -M virt,nosuch=1
expect_err "expected tcp:\[HOST\]:PORT" -serial tcp:1234 -M virt -bios none -kernel "$tmp/big.bin" -m 64M
"$T" -M virt,dumpdtb="$tmp/out.dtb" >/dev/null 2>&1 || bad "dumpdtb failed"
[ "$(head -c 4 "$tmp/out.dtb" | od -An -tx1 | tr -d ' ')" = d00dfeed ] || bad "dumpdtb did not write a device tree"

# firmware and kernel may not land on each other (QEMU refuses overlapping images too)
head -c $((3 * 1024 * 1024)) /dev/zero >"$tmp/fw3m.bin"
expect_err "overlaps the firmware" -M virt -m 64M -bios "$tmp/fw3m.bin" -kernel "$tmp/big.bin"

# -dtb: checked in full by libfdt before the guest sees it (random bytes; the FDT magic
# followed by garbage; a good tree cut short), and a good one given /chosen as QEMU does
head -c 4096 /dev/urandom >"$tmp/random.dtb"
expect_err "not a valid flattened device tree" -M virt -bios none -kernel "$tmp/big.bin" -m 64M -dtb "$tmp/random.dtb"
{ printf '\320\015\376\355'; head -c 4092 /dev/urandom; } >"$tmp/magic.dtb"
expect_err "not a valid flattened device tree" -M virt -bios none -kernel "$tmp/big.bin" -m 64M -dtb "$tmp/magic.dtb"
head -c 600 "$tmp/out.dtb" >"$tmp/short.dtb"
expect_err "not a valid flattened device tree" -M virt -bios none -kernel "$tmp/big.bin" -m 64M -dtb "$tmp/short.dtb"
python3 -c "import sys; d = bytearray(open(sys.argv[1], 'rb').read()); d[0x24:0x28] = b'\x00\x10\x00\x00'; open(sys.argv[2], 'wb').write(d)" "$tmp/out.dtb" "$tmp/badstruct.dtb"
expect_err "not a valid flattened device tree" -M virt -bios none -kernel "$tmp/big.bin" -m 64M -dtb "$tmp/badstruct.dtb"
expect_err "/nonexistent.dtb" -M virt -bios none -kernel "$tmp/big.bin" -m 64M -dtb /nonexistent.dtb
echo initrd >"$tmp/initrd"
"$T" -M virt,dumpdtb="$tmp/patched.dtb" -m 64M -dtb "$tmp/out.dtb" -append "console=hvc0 quiet" -initrd "$tmp/initrd" >/dev/null 2>&1 || bad "dumpdtb with -dtb failed"
[ "$(fdtget "$tmp/patched.dtb" /chosen bootargs 2>&1)" = "console=hvc0 quiet" ] || bad "-dtb tree lacks -append's bootargs"
fdtget "$tmp/patched.dtb" /chosen linux,initrd-start >/dev/null 2>&1 || bad "-dtb tree lacks the initrd"

# the x86 board: KVM only, and what it says when KVM is missing
expect_ok microvm -M help
expect_ok kvm -accel help
expect_err "x86-64 guests run only under KVM" -M microvm -accel jit -kernel /bin/true
expect_err "x86-64 guests run only under KVM" -M microvm -accel interp -kernel /bin/true
TERN_KVM_DEVICE=/nonexistent/kvm expect_err "/nonexistent/kvm does not exist" -M microvm -kernel /bin/true
TERN_KVM_DEVICE=/dev/null expect_err "not a KVM device" -M microvm -kernel /bin/true
# networking: malformed -netdev/-nic options and a hostfwd port that is taken
N=(-M virt -display none -bios none -kernel "$tmp/big.bin" -m 64M)
expect_err "Invalid parameter 'bogus'" "${N[@]}" -netdev user,id=n0,bogus=1
expect_err "needs id=ID" "${N[@]}" -netdev user
expect_err "unknown backend type" "${N[@]}" -netdev frob,id=x
expect_err "exists already" "${N[@]}" -netdev user,id=a -netdev user,id=a
expect_err "Invalid netmask" "${N[@]}" -netdev user,id=n0,net=10.0.2.0/40
expect_err "Bad host port" "${N[@]}" -netdev user,id=n0,hostfwd=tcp::x-:22
expect_err "Bad guest port" "${N[@]}" -netdev user,id=n0,hostfwd=tcp::2222-:99999
expect_err "needs exactly one of" "${N[@]}" -netdev socket,id=s
expect_err "no -netdev with id 'nope'" "${N[@]}" -device virtio-net-device,netdev=nope
expect_err "mac=zz" "${N[@]}" -netdev user,id=n0 -device virtio-net-device,netdev=n0,mac=zz
expect_err "used by another NIC" "${N[@]}" -netdev user,id=n0 -device virtio-net-device,netdev=n0 -device virtio-net-device,netdev=n0
expect_err "legacy -net" "${N[@]}" -net user
expect_err "model=" "${N[@]}" -nic user,model=e1000
expect_err "no netdev 'nd9'" "${N[@]}" -object filter-dump,id=f,netdev=nd9,file="$tmp/x.pcap"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -c 'import socket, sys, time; s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(30)' "$port" &
holder=$!
for _ in $(seq 50); do python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])))' "$port" 2>/dev/null && break; sleep 0.1; done
expect_err "Address already in use" "${N[@]}" -nic user,hostfwd=tcp:127.0.0.1:$port-:22
kill $holder 2>/dev/null; wait $holder 2>/dev/null

if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
    expect_err "nothing to run" -M microvm
    expect_err "ELF file is for RISC-V, not x86-64" -M microvm -kernel "$SRCDIR/build/tests/isa/alu.elf"
    expect_err "only a Linux bzImage takes an initrd" -M microvm -kernel /bin/true -initrd /bin/true
    python3 -c "import sys; b = bytearray(0x400); b[0x1fe:0x200] = b'\\x55\\xaa'; b[0x202:0x206] = b'HdrS'; b[0x206:0x208] = b'\\x00\\x02'; sys.stdout.buffer.write(b)" >"$tmp/old.bzimage"
    expect_err "boot protocol 2.00 is too old" -M microvm -kernel "$tmp/old.bzimage" -m 64M
    expect_err "gzip-compressed" -M microvm -kernel "$tmp/gz.img" -m 64M
    expect_err "no device tree" -M microvm -kernel /bin/true -dtb /bin/true
fi

[ $fails = 0 ]
