# A private X server for the tests that open tern's window. Xvfb picks a free display
# itself (-displayfd) and says which once it accepts clients, so tests run side by side
# (run-tests runs two at once) never race for one.
# xvfb_start: starts it and exports DISPLAY (returns 1 if it does not come up);
# xvfb_stop: ends it (put it in the test's EXIT trap).
xvfb_start() {
    local numfile n i
    numfile=$(mktemp)
    Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp 3>"$numfile" >/dev/null 2>&1 &
    xvfb_pid=$!
    for i in $(seq 200); do
        [ -s "$numfile" ] && break
        kill -0 "$xvfb_pid" 2>/dev/null || break
        sleep 0.05
    done
    n=$(head -1 "$numfile")
    rm -f "$numfile"
    [ -n "$n" ] || { echo "FAIL: Xvfb did not start"; return 1; }
    export DISPLAY=:$n
}

xvfb_stop() {
    [ -n "${xvfb_pid:-}" ] && kill "$xvfb_pid" 2>/dev/null && wait "$xvfb_pid" 2>/dev/null
    return 0
}
