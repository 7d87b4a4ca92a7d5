# Shared by the shell tests that run a C guest on bare metal (-M virt -bios none):
# baremetal_cc_or_skip skips the test (exit 77) without the riscv64 cross compiler;
# baremetal_build OUT SRC.c builds SRC with bench/guest's start code and link script.
baremetal_cc_or_skip() {
    baremetal_cc=$(command -v riscv64-linux-gnu-gcc || true)
    [ -n "$baremetal_cc" ] || { echo "no riscv64 cross compiler"; exit 77; }
}

baremetal_build() {
    "$baremetal_cc" -O2 -march=rv64gc -mabi=lp64d -mcmodel=medany -ffreestanding -nostdlib -static \
        -fno-pie -no-pie -Wl,--build-id=none -Wl,--no-warn-rwx-segments -T"$SRCDIR/bench/guest/link.ld" \
        -o "$1" "$SRCDIR/bench/guest/start.S" "$2"
}
