#!/bin/bash
# The translator's differential fuzzer (tests/fuzz/jit_fuzz), short and deterministic:
# 25,000 programs from fixed seeds (two ranges, one per core, about 11 s on two cores),
# then every seed in tests/fuzz/regressions.txt. Any difference between the interpreter
# and the translator fails the test; jit_fuzz prints it with the seed and the program.
# timeout: 180
set -u
B=${BUILDDIR:?}
SRC=${SRCDIR:?}
F=$B/tests/fuzz/jit_fuzz
[ -x "$F" ] || { echo "FAIL: $F not built (make build/tests/fuzz/jit_fuzz)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# one seed range per job; on one core they run one after the other
ranges=("1 12500" "12501 12500")
jobs=$(nproc 2>/dev/null || echo 1)
pids=()
for i in "${!ranges[@]}"; do
    set -- ${ranges[$i]}
    "$F" --seed "$1" --count "$2" >"$tmp/out$i" 2>&1 &
    pids+=($!)
    if [ "$jobs" -lt 2 ]; then wait "${pids[-1]}"; echo $? >"$tmp/rc$i"; fi
done
fails=0
for i in "${!ranges[@]}"; do
    if [ "$jobs" -ge 2 ]; then wait "${pids[$i]}"; echo $? >"$tmp/rc$i"; fi
    rc=$(cat "$tmp/rc$i")
    if [ "$rc" = 77 ]; then
        tail -1 "$tmp/out$i"                 # the reason, e.g. not an x86-64 host
        exit 77
    fi
    if [ "$rc" != 0 ]; then
        echo "FAIL: jit_fuzz --seed ${ranges[$i]% *} --count ${ranges[$i]#* } exited $rc:"
        cat "$tmp/out$i"
        # the seed and what differs, again at the end (make check shows the last lines)
        sed -n '/the tiers differ\|generator bug\|crashed/,/^program/p' "$tmp/out$i" | grep -v '^program' >>"$tmp/summary"
        fails=$((fails + 1))
    else
        tail -1 "$tmp/out$i"
    fi
done

# seeds that once showed a difference (fixed since): "SEED  # what it caught"
n=0
while read -r seed _; do
    case $seed in ''|'#'*) continue ;; esac
    n=$((n + 1))
    if ! out=$("$F" --repro "$seed" 2>&1); then
        echo "FAIL: regression seed $seed:"
        echo "$out"
        fails=$((fails + 1))
    fi
done <"$SRC/tests/fuzz/regressions.txt"
echo "jit_fuzz: $n regression seeds"
[ -s "$tmp/summary" ] && cat "$tmp/summary"
[ $fails = 0 ]
