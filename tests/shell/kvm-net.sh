#!/bin/bash
# virtio-net on -M microvm -accel kvm, a frame out and a frame in, driven by the
# bare-metal guest tests/x86/net.c (VERSION_1 and MAC negotiated, MAC read from the
# configuration space, receive buffers posted, used rings polled):
# - -netdev user,restrict=on (libslirp, nothing leaves the machine): the guest's ARP
#   request for 10.0.2.2 is answered from slirp's 52:55:0a:00:02:02 and its DHCP DISCOVER
#   by an OFFER of 10.0.2.15, over virtio-mmio (-device virtio-net-device) and over
#   virtio-net-pci (with mac=, which the guest must read back); a filter-dump pcap of
#   the first must hold the guest's ARP request and slirp's reply;
# - -netdev stream (unix socket) and -netdev socket,connect= (TCP on 127.0.0.1) to a
#   python peer here that echoes every frame in QEMU's framing (4-byte big-endian length,
#   then the frame): the four frames the guest sends (60 to 1514 bytes, three queued at
#   once) must come back to it byte for byte, which proves the receive path without
#   slirp; the peer must have seen exactly those four, and a pcap all eight.
# Skipped where /dev/kvm cannot be opened or lacks a capability tern needs.
# timeout: 120
set -u
T=${TERN:?}
B=${BUILDDIR:?}
. "${SRCDIR:?}/tests/shell/lib/kvm.bash"
kvm_host_or_skip
command -v python3 >/dev/null || { echo "python3 is not installed"; exit 77; }
for g in hello net; do
    [ -f "$B/tests/x86/$g.elf" ] || { echo "FAIL: $B/tests/x86/$g.elf not built (make x86-guests)"; exit 1; }
done
kvm_caps_or_skip "$T" "$B/tests/x86/hello.elf"
tmp=$(mktemp -d)
peer_pid=
trap '[ -n "$peer_pid" ] && kill $peer_pid 2>/dev/null; rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

run() {   # run CASE-NAME EXPECTED-LINE TERN-ARGS...: the guest must end with PASS and say EXPECTED
    local name=$1 want=$2
    shift 2
    local out rc
    out=$(timeout 20 "$T" -M microvm -m 64M -nographic -serial stdio -kernel "$B/tests/x86/net.elf" "$@" </dev/null 2>&1)
    rc=$?
    out=$(tr -d '\r' <<<"$out")
    if [ $rc != 0 ] || ! grep -q "^net: PASS" <<<"$out" || ! grep -q "$want" <<<"$out"; then
        fail "$name (exit $rc): $out"
        return 1
    fi
    echo "ok: $name: $(grep "$want" <<<"$out" | head -1); $(grep "^net: PASS" <<<"$out")"
}

# pcap_check FILE WHAT: the frames a pcap holds, as python checks them (no tcpdump needed)
pcap_check() {
    python3 - "$@" <<'EOF'
import struct, sys
path, what = sys.argv[1:3]
d = open(path, "rb").read()
if len(d) < 24:
    sys.exit("pcap %s: %d bytes, no header" % (path, len(d)))
end = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">"}.get(d[:4])
if not end or struct.unpack(end + "I", d[20:24])[0] != 1:
    sys.exit("pcap %s: not an Ethernet pcap (magic %s)" % (path, d[:4].hex()))
frames, off = [], 24
while off + 16 <= len(d):
    incl = struct.unpack(end + "IIII", d[off:off + 16])[2]
    frames.append(d[off + 16:off + 16 + incl])
    off += 16 + incl
ip = lambda s: bytes(int(x) for x in s.split("."))
if what == "slirp":
    req = [f for f in frames if f[12:14] == b"\x08\x06" and f[20:22] == b"\x00\x01"
           and f[28:32] == ip("10.0.2.15") and f[38:42] == ip("10.0.2.2") and f[:6] == b"\xff" * 6]
    rep = [f for f in frames if f[12:14] == b"\x08\x06" and f[20:22] == b"\x00\x02"
           and f[22:28] == bytes.fromhex("52550a000202") and f[28:32] == ip("10.0.2.2")]
    if not req or not rep:
        sys.exit("pcap: %d frames, %d ARP requests from the guest, %d replies from slirp"
                 % (len(frames), len(req), len(rep)))
    print("%d frames, the guest's ARP request (from %s) and slirp's reply among them"
          % (len(frames), req[0][6:12].hex(":")))
else:
    # the echo: every frame twice (out, then back in), sizes 60, 60, 590, 1514
    sizes = sorted(len(f) for f in frames)
    if sizes != [60] * 4 + [590] * 2 + [1514] * 2:
        sys.exit("pcap: frame sizes %s, not the four frames out and back" % sizes)
    print("%d frames: the guest's four, each out and back" % len(frames))
EOF
}

# the echo peer: listens (unix path or TCP on 127.0.0.1), writes where it listens to
# READY, echoes every frame of one connection and writes how many to COUNT at the end
cat >"$tmp/peer.py" <<'EOF'
import os, socket, struct, sys
kind, where, ready, count = sys.argv[1:5]
if kind == "unix":
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(where)
    addr = where
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    addr = "127.0.0.1:%d" % s.getsockname()[1]
s.listen(1)
s.settimeout(40)
with open(ready + ".new", "w") as f:
    f.write(addr)
os.rename(ready + ".new", ready)
c, _ = s.accept()
c.settimeout(40)
buf, n = b"", 0
try:
    while True:
        d = c.recv(65536)
        if not d:
            break
        buf += d
        while len(buf) >= 4 and len(buf) >= 4 + struct.unpack(">I", buf[:4])[0]:
            k = 4 + struct.unpack(">I", buf[:4])[0]
            c.sendall(buf[:k])
            buf, n = buf[k:], n + 1
except OSError:
    pass
with open(count, "w") as f:
    f.write(str(n))
EOF

start_peer() {   # start_peer unix|tcp: sets $peer_addr
    rm -f "$tmp/ready" "$tmp/count"
    python3 "$tmp/peer.py" "$1" "$tmp/peer.sock" "$tmp/ready" "$tmp/count" &
    peer_pid=$!
    for _ in $(seq 100); do [ -e "$tmp/ready" ] && break; sleep 0.1; done
    peer_addr=$(cat "$tmp/ready" 2>/dev/null)
    [ -n "$peer_addr" ]
}

stop_peer() {   # stop_peer NAME: the peer must have echoed exactly the guest's four frames
    local i
    for i in $(seq 50); do kill -0 $peer_pid 2>/dev/null || break; sleep 0.1; done
    kill $peer_pid 2>/dev/null
    wait $peer_pid 2>/dev/null
    peer_pid=
    local n
    n=$(cat "$tmp/count" 2>/dev/null)
    [ "$n" = 4 ] || fail "$1: the echo peer echoed '${n:-nothing}' frames, not 4"
}

M=-global
MODERN=virtio-mmio.force-legacy=false

# slirp over virtio-mmio, with a pcap of the netdev
rm -f "$tmp/slirp.pcap"
if run "slirp, virtio-mmio" "DHCP OFFER of 10.0.2.15" $M $MODERN \
       -netdev user,id=n0,restrict=on -device virtio-net-device,netdev=n0 \
       -object filter-dump,id=f0,netdev=n0,file="$tmp/slirp.pcap"; then
    if r=$(pcap_check "$tmp/slirp.pcap" slirp 2>&1); then echo "ok: slirp pcap: $r"; else fail "slirp pcap: $r"; fi
fi

# slirp over PCI, with a MAC of the test's choosing
run "slirp, virtio-net-pci" "mac 52:54:00:aa:bb:cc" \
    -netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0,mac=52:54:00:aa:bb:cc
# (the same guest line also proves the ARP reply and the OFFER: PASS needs both)

# the echo peer over -netdev stream on a unix socket, virtio-mmio, with a pcap
if start_peer unix; then
    rm -f "$tmp/echo.pcap"
    if run "stream (unix) echo, virtio-mmio" "echo of 1514-byte frame verified" $M $MODERN \
           -netdev stream,id=n0,server=off,addr.type=unix,addr.path="$peer_addr" \
           -device virtio-net-device,netdev=n0 -object filter-dump,id=f0,netdev=n0,file="$tmp/echo.pcap"; then
        if r=$(pcap_check "$tmp/echo.pcap" echo 2>&1); then echo "ok: echo pcap: $r"; else fail "echo pcap: $r"; fi
    fi
    stop_peer "stream (unix) echo"
else
    fail "the unix echo peer did not start"
fi

# the echo peer over -netdev socket,connect= on TCP 127.0.0.1, virtio-net-pci
if start_peer tcp; then
    run "socket (TCP $peer_addr) echo, virtio-net-pci" "echo of 1514-byte frame verified" \
        -netdev socket,id=n0,connect="$peer_addr" -device virtio-net-pci,netdev=n0
    stop_peer "socket (TCP) echo"
else
    fail "the TCP echo peer did not start"
fi
[ $fails = 0 ]
