#!/bin/bash
# Snapshot files that lie under valid checksums (tests/snapshot/fuzz_snap.py): a section
# of a machine with every kind of device changed at random, the checksums made right;
# tern must refuse with one line and exit status 2 or run, never crash. A short run here
# (SNAPFUZZ_ITERATIONS, default 60); `make fuzz-snapshots` runs longer.
# timeout: 300
set -u
T=${TERN:?}
SRC=${SRCDIR:?}
. "$SRC/tests/shell/lib/baremetal.bash"
baremetal_cc_or_skip
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
baremetal_build "$tmp/snapwork.elf" "$SRC/tests/baremetal/snapwork.c" || exit 1
python3 "$SRC/tests/snapshot/fuzz_snap.py" "$T" "$tmp/snapwork.elf" "$tmp" "${SNAPFUZZ_ITERATIONS:-60}" ${SNAPFUZZ_SEED:-}
