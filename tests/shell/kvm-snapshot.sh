#!/bin/bash
# Snapshots under KVM (tests/x86/snapwork_check.py): the x86-64 guest tests/x86/snapwork
# computes in rounds paced by the APIC timer with the PIT interrupting too, optionally
# writing each round through virtio-blk (level-triggered interrupts). Saved with migrate
# and restored in a new process with -incoming, and returned to in place with savevm and
# loadvm, on one and two vCPUs: the output and the disk must equal an uninterrupted run's.
# Skipped where /dev/kvm cannot be opened or lacks a capability tern needs.
# timeout: 300
set -u
T=${TERN:?}
B=${BUILDDIR:?}
SRC=${SRCDIR:?}
. "$SRC/tests/shell/lib/kvm.bash"
kvm_host_or_skip
command -v python3 >/dev/null || { echo "python3 is not installed"; exit 77; }
elf=$B/tests/x86/snapwork.elf
[ -f "$elf" ] || { echo "FAIL: $elf not built (make x86-guests)"; exit 1; }
# one process for all the scenarios, so those with the same disk setting share a reference run
python3 "$SRC/tests/x86/snapwork_check.py" "$T" "$elf" across across+disk across+smp2+disk inplace inplace+disk inplace+smp2
rc=$?
[ $rc = 77 ] && exit 77
[ $rc = 0 ] || { echo "FAIL: snapwork_check.py"; exit 1; }
