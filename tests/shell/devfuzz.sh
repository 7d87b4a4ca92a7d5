#!/bin/bash
# The device fuzzer (tests/devfuzz, docs/devfuzz.md), short and deterministic in what the
# guest does: four fixed seeds for 3 s each (translator and interpreter, each with legacy and
# modern virtio-mmio), then every regression seed in tests/devfuzz/seeds. tern must not crash,
# hang, report a sanitizer error or write any host file but the scratch disk images.
# timeout: 120
set -u
T=${TERN:?}
SRC=${SRCDIR:?}
exec "$SRC/tests/devfuzz/run" --tern "$T" --secs 3 1 2 3 4 --seeds-file "$SRC/tests/devfuzz/seeds"
