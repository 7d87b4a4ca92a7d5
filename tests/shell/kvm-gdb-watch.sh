#!/bin/bash
# gdb watchpoints on an x86-64 guest under KVM (kvm-gdb.sh with GDB_WATCH=1): skipped,
# with the reason, where the host's KVM does not deliver debug-register watchpoints.
# timeout: 180
GDB_WATCH=1 exec "$(dirname "$0")/kvm-gdb.sh"
