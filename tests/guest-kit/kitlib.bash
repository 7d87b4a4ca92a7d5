# Shared by the guest-kit builders (build, build-src, compile-src, build-x86): installing the
# Debian packages a build needs, saying what it is doing, showing how far along a long
# step is when stderr is a terminal, publishing a finished kit in one rename, and
# letting one builder work at a time.

kit_name=${kit_name:-guest-kit}

kit_say() { echo "$kit_name: $*" >&2; }

# The Debian packages named that are missing get installed (as root, or through sudo).
kit_need() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    kit_say "installing ${missing[*]}"
    local sudo=
    [ "$(id -u)" = 0 ] || sudo=sudo
    DEBIAN_FRONTEND=noninteractive $sudo apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}

# kit_progress WHAT DONE TOTAL: one line rewritten in place on a terminal, nothing
# otherwise (logs and CI get the step lines only).
kit_progress() {
    [ -t 2 ] || return 0
    local pct=$(( $3 > 0 ? $2 * 100 / $3 : 0 ))
    [ $pct -gt 99 ] && [ "$2" -lt "$3" ] && pct=99
    printf '\r%s: %s %d/%d (%d%%)\033[K' "$kit_name" "$1" "$2" "$3" $pct >&2
}

kit_progress_end() {
    [ -t 2 ] && printf '\r\033[K' >&2
    return 0
}

# Reads a build's output on stdin, appends it to LOG, and counts the lines matching
# PATTERN as progress against an expected TOTAL (a build's compile lines, say).
kit_count_lines() {
    local what=$1 pattern=$2 total=$3 log=$4 n=0 line
    while IFS= read -r line; do
        printf '%s\n' "$line" >>"$log"
        if [[ $line =~ $pattern ]]; then
            n=$((n + 1))
            [ $n -gt "$total" ] && total=$n
            (( n % 8 == 0 )) && kit_progress "$what" $n "$total"
        fi
    done
    kit_progress_end
}

# kit_publish STAGING OUT: the finished kit appears at OUT whole or not at all. Then the
# cache is pruned: kits unused for 30 days (kit_used marks a use) and builds abandoned
# over a day ago go, since a kit is up to 35 MB and each new kernel in the archive makes
# a new one.
kit_publish() {
    rm -rf "$2"
    mv "$1" "$2"
    find "$cache_root" -mindepth 1 -maxdepth 1 -type d \( -name 'guest-*' -o -name 'src-bin-*' -o -name 'x86-guest-*' \) \
        -mtime +30 -exec rm -rf {} + 2>/dev/null || true
    find "$cache_root" -mindepth 1 -maxdepth 1 -type d \( -name 'work-*' -o -name 'x86-work-*' \) \
        -mmin +1440 -exec rm -rf {} + 2>/dev/null || true
}

# kit_used DIR: a kit found in the cache was used now (kit_publish keeps it 30 days more).
kit_used() { touch "$1" 2>/dev/null || true; }

# One builder at a time per cache: tests run side by side (run-tests runs two at once)
# may all ask for a kit that a fresh machine has yet to make. The others wait, then find
# it made. A builder started by one that holds the lock (build runs build-src) inherits it.
kit_lock() {
    [ -n "${TERN_KIT_LOCKED:-}" ] && return 0
    mkdir -p "$cache_root"
    exec 9>>"$cache_root/.lock"
    flock 9
    export TERN_KIT_LOCKED=1
}
