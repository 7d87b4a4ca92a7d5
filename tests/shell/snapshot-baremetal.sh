#!/bin/bash
# Snapshots of a bare-metal guest (tests/snapshot/baremetal_snap.py): exact continuation
# across processes under jit, interp and across the two (registers compared at once),
# in-place returns with savevm/loadvm, QMP's snapshot jobs, and bad snapshot files.
# timeout: 300
set -u
T=${TERN:?}
SRC=${SRCDIR:?}
. "$SRC/tests/shell/lib/baremetal.bash"
baremetal_cc_or_skip
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
baremetal_build "$tmp/snapwork.elf" "$SRC/tests/baremetal/snapwork.c" || exit 1
python3 "$SRC/tests/snapshot/baremetal_snap.py" "$T" "$tmp/snapwork.elf" "$tmp"
