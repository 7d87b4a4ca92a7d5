#!/bin/bash
# -netdev tap as people use it on a host that allows it: tern creates the tap device
# (script=no, downscript=no), the host's end gets an address on a link that leads
# nowhere else, and the guest kit's Linux pings the host, the host pings and curls the
# guest (tests/guest-kit/net_test.py tap). Skipped, with the reason, where the host cannot
# make tap devices (not root, no /dev/net/tun, no `ip`).
# timeout: 300
set -u
T=${TERN:?}
SRC=${SRCDIR:?}
[ "$(id -u)" = 0 ] || { echo "tap devices need root (CAP_NET_ADMIN)"; exit 77; }
[ -c /dev/net/tun ] || { echo "no /dev/net/tun on this host"; exit 77; }
command -v ip >/dev/null || { echo "the ip command (iproute2) is not installed"; exit 77; }
command -v python3 >/dev/null || { echo "python3 is not installed"; exit 77; }
ifname=terntap$$
ifname=${ifname:0:15}
# can this host make one at all (a container may have the device node but not the right)?
if ! ip tuntap add dev "$ifname" mode tap 2>/dev/null; then
    echo "this host refuses to create tap devices"
    exit 77
fi
ip link del "$ifname" 2>/dev/null
trap 'ip link del "$ifname" 2>/dev/null' EXIT
guest=$("$SRC/tests/guest-kit/build" --print-dir) || { echo "FAIL: could not build the guest kit"; exit 1; }
python3 "$SRC/tests/guest-kit/net_test.py" tap "$T" "$guest" --ifname "$ifname" --model virtio-net-pci
