#!/bin/bash
# Snapshots of Linux (tests/snapshot/linux_snap.py): the test guest's boot carried
# through 100 processes, each restored from the one before's snapshot at a random moment
# (jit and interp mixed); and Linux on -smp 2 writing its disk, saved mid-way and
# restored in a new process, ending with the same disk as the uninterrupted run.
# timeout: 600
set -u
T=${TERN:?}
SRC=${SRCDIR:?}
command -v python3 >/dev/null || { echo "python3 not installed"; exit 77; }
guest=$("$SRC/tests/guest-kit/build" --print-dir) || { echo "FAIL: could not build the guest kit"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$SRC/tests/snapshot/linux_snap.py" "$T" "$guest" "$tmp" disk || exit 1
seed=${SNAPSHOT_SEED:-$(date +%s)}
python3 "$SRC/tests/snapshot/linux_snap.py" "$T" "$guest" "$tmp" chain "${SNAPSHOT_CYCLES:-100}" "$seed" ||
    { echo "FAIL: seed $seed (SNAPSHOT_SEED=$seed repeats it)"; exit 1; }
