#!/bin/bash
# Networking in the Linux guest kit, driven as users do (tests/guest-kit/net_test.py):
#  - user networking (libslirp, restrict=on) on virtio-net-pci: DHCP gives 10.0.2.15, curl
#    on the host reaches the guest's httpd through hostfwd, IPv6 comes up by SLAAC and
#    pings slirp's fec0::2, busybox tftp fetches a file
#    from tftp=, wget fetches a file from a host server through guestfwd, and 256 MiB go
#    each way through guestfwd with SHA-256 checked;
#  - the same on virtio-net-device (virtio-mmio) with a smaller stream and filter-dump
#    writing a pcap, which tcpdump must read and show the whole DHCP exchange in, and the
#    guest's TCP sending super-frames (HOST_TSO4, offered with user networking);
#  - the essentials on the interpreter (DHCP, hostfwd, 1 MiB each way);
#  - info network, hostfwd_add/hostfwd_remove and set_link through a QMP client;
#  - two tern instances joined by -netdev socket (listen/connect), stream and dgram (a NIC
#    on each in both guests): ping both ways and a file copied between them on each.
# No traffic leaves the machine: every host socket is on 127.0.0.1.
# timeout: 900
set -u
T=${TERN:?}
SRC=${SRCDIR:?}
command -v python3 >/dev/null || { echo "python3 is not installed"; exit 77; }
guest=$("$SRC/tests/guest-kit/build" --print-dir) || { echo "FAIL: could not build the guest kit"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
net() {   # net NAME net_test.py-arguments...
    local name=$1
    shift
    echo "== $name"
    if python3 "$SRC/tests/guest-kit/net_test.py" "$@" >"$tmp/$name.log" 2>&1; then
        grep -E "^\[net_test\] ok|^net_test: PASS" "$tmp/$name.log"
    else
        tail -40 "$tmp/$name.log"
        echo "FAIL: $name"
        fails=$((fails + 1))
    fi
}

net user-pci user "$T" "$guest" --model virtio-net-pci --mib 256
net user-mmio user "$T" "$guest" --model virtio-net-device --mib 16 --pcap "$tmp/dhcp.pcap"
if [ -f "$tmp/dhcp.pcap" ]; then
    if ! command -v tcpdump >/dev/null; then
        echo "FAIL: tcpdump is not installed (scripts/install-deps installs it)"
        fails=$((fails + 1))
    elif ! tcpdump -r "$tmp/dhcp.pcap" -n -v 'udp port 67 or udp port 68' >"$tmp/dhcp.txt" 2>"$tmp/tcpdump.err"; then
        echo "FAIL: tcpdump could not read filter-dump's pcap: $(head -3 "$tmp/tcpdump.err")"
        fails=$((fails + 1))
    else
        # the guest's DISCOVER and REQUEST, slirp's OFFER and ACK of 10.0.2.15
        missing=
        for want in "DHCP-Message (53), length 1: Discover" "DHCP-Message (53), length 1: Offer" \
                    "DHCP-Message (53), length 1: Request" "DHCP-Message (53), length 1: ACK" \
                    "Your-IP 10.0.2.15" "10.0.2.2.67 > 255.255.255.255.68: BOOTP/DHCP, Reply" \
                    'file "tern-boot.bin"'; do
            grep -qF "$want" "$tmp/dhcp.txt" || missing="$missing '$want'"
        done
        if [ -n "$missing" ]; then
            echo "FAIL: tcpdump's reading of the pcap lacks$missing:"
            head -40 "$tmp/dhcp.txt"
            fails=$((fails + 1))
        else
            echo "ok: tcpdump reads the pcap: $(grep -c 'BOOTP/DHCP' "$tmp/dhcp.txt") DHCP packets, 10.0.2.15 offered and acknowledged"
        fi
        # the guest's TCP hands user networking frames past the MTU (HOST_TSO4): as large as
        # its writes, up to 64 KiB
        big=$(tcpdump -r "$tmp/dhcp.pcap" -n 'src host 10.0.2.15 and tcp and greater 3000' 2>/dev/null | wc -l)
        if [ "$big" -gt 0 ]; then
            echo "ok: $big TSO super-frames (over 3000 bytes, past the MTU) from the guest in the pcap"
        else
            echo "FAIL: no TSO super-frames from the guest in the pcap: virtio-net's HOST_TSO4 unused"
            fails=$((fails + 1))
        fi
    fi
fi
net user-interp user "$T" "$guest" --accel interp --quick
# one pair of guests, a NIC on each backend: socket and dgram on virtio-net-pci, stream
# on virtio-net-device
net socket-stream-dgram socket "$T" "$guest" --backend socket,stream,dgram
[ $fails = 0 ]
