#!/bin/bash
# gdb-multiarch against tern's gdb stub, on both CPU tiers with two harts: the batch
# script tests/gdb/gdb_test.py covers the reset vector under -S, registers, CSRs and
# priv, threads, Ctrl-C, breakpoints, stepi and step across a trap, physical memory
# mode, monitor commands, a watchpoint hit by the other hart, and detach (after which
# the guest must finish on its own). Then gdb's kill, and the monitor's gdbserver.
# timeout: 300
set -u
T=${TERN:?}
SRC=${SRCDIR:?}
cc=$(command -v riscv64-linux-gnu-gcc || true)
[ -n "$cc" ] || { echo "no riscv64 cross compiler"; exit 77; }
command -v gdb-multiarch >/dev/null || { echo "gdb-multiarch not installed (scripts/install-deps)"; exit 77; }
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -9 $p 2>/dev/null; done; rm -rf "$tmp"' EXIT
"$cc" -O0 -g -march=rv64gc -mabi=lp64d -mcmodel=medany -ffreestanding -nostdlib -nostartfiles -static \
    -fno-pie -no-pie -Wl,--build-id=none -Wl,--no-warn-rwx-segments -T"$SRC/tests/gdb/link.ld" \
    -o "$tmp/guest.elf" "$SRC/tests/gdb/start.S" "$SRC/tests/gdb/guest.c" || exit 1
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
fails=0

# wait PID up to N seconds; its exit status, or 124
wait_for() {
    local pid=$1 n=$2
    for _ in $(seq $((n * 10))); do
        kill -0 "$pid" 2>/dev/null || { wait "$pid"; return $?; }
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null
    return 124
}

for accel in interp jit; do
    echo "== gdb on -accel $accel, -smp 2"
    port=$(free_port)
    "$T" -M virt -bios none -nographic -serial null -monitor none -smp 2 -accel $accel -S \
        -gdb tcp:127.0.0.1:$port -kernel "$tmp/guest.elf" </dev/null >"$tmp/tern.out" 2>&1 &
    pid=$!
    pids+=($pid)
    sleep 0.3
    GDB_PORT=$port timeout 120 gdb-multiarch -batch -nx -x "$SRC/tests/gdb/gdb_test.py" "$tmp/guest.elf" \
        >"$tmp/gdb.out" 2>&1
    grep -E "^(ok|FAIL):" "$tmp/gdb.out"
    if ! grep -q "gdb-test: 0 failures" "$tmp/gdb.out"; then
        tail -20 "$tmp/gdb.out"
        fails=$((fails + 1))
    fi
    wait_for $pid 30
    rc=$?
    if [ $rc = 0 ]; then
        echo "ok: after detach the guest ran to its end (tern exit 0)"
    else
        echo "FAIL: after detach tern ended with $rc: $(tail -3 "$tmp/tern.out")"
        fails=$((fails + 1))
    fi
done

echo "== gdb kill"
port=$(free_port)
"$T" -M virt -bios none -nographic -serial null -monitor none -S -gdb tcp:127.0.0.1:$port \
    -kernel "$tmp/guest.elf" </dev/null >/dev/null 2>&1 &
pid=$!
pids+=($pid)
sleep 0.3
timeout 30 gdb-multiarch -batch -nx -ex "target remote 127.0.0.1:$port" -ex "kill" "$tmp/guest.elf" >/dev/null 2>&1
wait_for $pid 10
rc=$?
[ $rc != 124 ] && echo "ok: kill ends tern (exit $rc)" || { echo "FAIL: tern still runs after kill"; fails=$((fails + 1)); }

echo "== the monitor's gdbserver command"
port=$(free_port)
"$T" -M virt -bios none -nographic -serial null -monitor unix:$tmp/mon.sock,server=on,wait=off -S \
    -kernel "$tmp/guest.elf" </dev/null >/dev/null 2>&1 &
pid=$!
pids+=($pid)
sleep 0.3
out=$(python3 - "$tmp/mon.sock" $port <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(("gdbserver tcp:127.0.0.1:%s\n" % sys.argv[2]).encode())
time.sleep(0.5)
print(s.recv(4096).decode(errors="replace"))
PY
)
grep -q "Waiting for gdb connection on device" <<<"$out" || { echo "FAIL: gdbserver said: $out"; fails=$((fails + 1)); }
gout=$(timeout 30 gdb-multiarch -batch -nx -ex "target remote 127.0.0.1:$port" -ex 'p/x $pc' -ex "kill" "$tmp/guest.elf" 2>&1)
grep -q '= 0x1000' <<<"$gout" && echo "ok: gdbserver from the monitor, then gdb at the reset vector" ||
    { echo "FAIL: gdb through gdbserver: $gout"; fails=$((fails + 1)); }
wait_for $pid 10 >/dev/null
[ $fails = 0 ]
