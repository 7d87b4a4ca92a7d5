#!/usr/bin/env python3
"""Networking in the Linux test guest, checked the way users use it. No traffic leaves the
machine: user networking runs with restrict=on, the guest reaches host services only
through guestfwd, and every host socket is on 127.0.0.1.

  net_test.py user TERN GUEST_DIR [--model M] [--accel A] [--pcap F] [--mib N] [--quick]
      DHCP gives the guest 10.0.2.15; curl on the host reaches the guest's httpd through
      hostfwd; the monitor's info network, hostfwd_add/remove and set_link work through
      QMP; busybox tftp fetches a file from tftp= (bootfile= is in the DHCP replies); the guest fetches a 16 MiB file over HTTP through guestfwd (wget), then N MiB
      (default 256) go host to guest and guest to host through guestfwd, each stream's
      SHA-256 compared on both sides. With --pcap the netdev's frames are written there by
      filter-dump (the caller reads it with tcpdump). --quick (for a slow CPU tier): DHCP,
      curl through hostfwd, and 1 MiB through each of wget, the two streams and curl;
      no IPv6, monitor or tftp checks.
  net_test.py socket TERN GUEST_DIR [--accel A] [--model M] [--backend B[,B...]]
      Two tern instances on a LAN through -netdev socket (listen/connect), or as QEMU 7.2
      spells it, stream (server/client) or dgram (UDP, local and remote); with several
      backends each guest has a NIC on each, one LAN apiece: static addresses, ping both
      ways, and a 4 MiB file copied with wget from the other's httpd, over every LAN.

  net_test.py tap TERN GUEST_DIR [--ifname NAME] [--model M]
      The guest on a tap device tern creates (root): the host's end gets 192.168.99.1/24,
      a link to nowhere else; ping both ways, curl to the guest's httpd; the tap is gone
      after tern exits.

Prints "net_test: PASS" at the end, or exits with a message saying what failed.
"""
import argparse, hashlib, http.server, os, random, re, shutil, socket, subprocess, sys, tempfile, threading, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptyconsole import Console
from display_lib import QMP

BLOCK = 16 << 20


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def boot(tern, guest, args, name, extra):
    cmd = [tern, "-M", "virt", "-m", "512M", "-nographic", "-kernel", os.path.join(guest, "Image"),
           "-initrd", os.path.join(guest, "initramfs.cpio.gz"), "-append", "console=ttyS0"]
    if args.accel:
        cmd += ["-accel", args.accel]
    cmd += extra
    print("[net_test] %s: %s" % (name, " ".join(cmd)), flush=True)
    con = Console(cmd, echo=args.verbose)
    con.expect(r"tern guest ready", 300)
    con.expect(r"/ # ", 60)
    return con


def run(con, command, timeout=60):
    """Type a command line and return what it printed, up to an end marker that its echo
    (folded by the terminal at any point) cannot match."""
    con.send("%s; echo __END$((6*7))__" % command)
    text = con.expect(r"\n__END42__\r*\n", timeout).decode(errors="replace").replace("\r", "")
    con.expect(r"/ # ", 30)
    return text


def poweroff(con, name):
    con.send("poweroff")
    status = con.wait_exit(60)
    if status != 0:
        raise SystemExit("net_test: %s: tern exited with status %d after poweroff" % (name, status))


class Sink(threading.Thread):
    """Accepts one connection, hashes what it receives until EOF or `expect` bytes, then
    closes it (busybox nc does not pass its stdin's EOF on: it ends when the peer does)."""

    def __init__(self, srv, expect):
        super().__init__(daemon=True)
        self.srv, self.expect, self.digest, self.count = srv, expect, None, 0

    def run(self):
        conn, _ = self.srv.accept()
        h = hashlib.sha256()
        while self.count < self.expect:
            data = conn.recv(min(1 << 20, self.expect - self.count))
            if not data:
                break
            h.update(data)
            self.count += len(data)
        conn.close()
        self.digest = h.hexdigest()


class Source(threading.Thread):
    """Accepts one connection, sends the block `times` times, closes."""

    def __init__(self, srv, block, times):
        super().__init__(daemon=True)
        self.srv, self.block, self.times = srv, block, times

    def run(self):
        conn, _ = self.srv.accept()
        view = memoryview(self.block)
        for _ in range(self.times):
            conn.sendall(view)
        conn.shutdown(socket.SHUT_WR)
        conn.close()


def listener():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(4)
    return s


def curl(port):
    """The guest httpd's page through hostfwd port: (ok, body or error)."""
    return curl_url("http://127.0.0.1:%d/index.html" % port)


def curl_url(url):
    if shutil.which("curl"):
        r = subprocess.run(["curl", "-sS", "--noproxy", "*", "--max-time", "30", url], capture_output=True, text=True)
        return (r.returncode == 0, r.stdout if r.returncode == 0 else r.stderr.strip())
    import urllib.request
    try:
        return (True, urllib.request.urlopen(url, timeout=30).read().decode())
    except OSError as e:
        return (False, str(e))


def monitor_checks(qmp, con, args, hostfwd_port):
    """info network, hostfwd_add/hostfwd_remove and set_link, as a QMP client uses them."""
    def hmp(line):
        r = qmp.cmd("human-monitor-command", **{"command-line": line})
        if "return" not in r:
            raise SystemExit("net_test: %s: %r" % (line, r))
        return r["return"]
    info = hmp("info network")
    for want in ("%s.0: index=0,type=nic,model=%s" % (args.model, args.model), " \\ n0: index=0,type=user,",
                 "NIC: 0 malformed"):
        if want not in info:
            raise SystemExit("net_test: info network lacks %r:\n%s" % (want, info))
    m = re.search(r"frames: (\d+) out \(0 dropped\), (\d+) in \(0 dropped\)", info)
    if not m or int(m.group(1)) < 5 or int(m.group(2)) < 5:
        raise SystemExit("net_test: info network's frame counts are not what DHCP and curl sent:\n%s" % info)
    port2 = free_port()
    out = hmp("hostfwd_add n0 tcp:127.0.0.1:%d-:80" % port2)
    ok, body = curl(port2)
    if out.strip() or not ok or body.strip() != "hello-from-the-guest-httpd":
        raise SystemExit("net_test: after hostfwd_add (%r) curl on port %d: %s" % (out, port2, body))
    out = hmp("hostfwd_remove n0 tcp:127.0.0.1:%d" % port2)
    ok, body = curl(port2)
    if out.strip() or ok:
        raise SystemExit("net_test: after hostfwd_remove (%r) port %d still answers" % (out, port2))
    out = hmp("hostfwd_remove n0 tcp:127.0.0.1:%d" % port2)
    if "host forwarding rule for" not in out:
        raise SystemExit("net_test: removing a rule twice said %r" % out)
    print("[net_test] ok: info network, hostfwd_add and hostfwd_remove", flush=True)
    for up, want in ((False, "0"), (True, "1")):
        r = qmp.cmd("set_link", **{"name": "n0" if up else "%s.0" % args.model, "up": up})
        if "return" not in r:
            raise SystemExit("net_test: set_link: %r" % r)
        time.sleep(0.5)
        out = run(con, "cat /sys/class/net/eth0/carrier")
        if "\n%s\n" % want not in out:
            raise SystemExit("net_test: after set_link up=%s the guest's carrier is not %s:\n%s" % (up, want, out))
    if "link=down" in hmp("info network"):
        raise SystemExit("net_test: info network still says link=down")
    ok, body = curl(hostfwd_port)
    if not ok:
        raise SystemExit("net_test: after the link came back curl failed: %s" % body)
    print("[net_test] ok: set_link off and on: the guest saw its carrier go and come back", flush=True)


def user_mode(args):
    block = random.Random(13).randbytes(BLOCK if not args.quick else 1 << 20)
    mib = len(block) >> 20
    block_sum = hashlib.sha256(block).hexdigest()
    times = max(1, args.mib // 16) if not args.quick else 1
    total = hashlib.sha256()
    for _ in range(times):
        total.update(block)
    stream_sum = total.hexdigest()

    # the host's services, all on 127.0.0.1: an HTTP server with the block, a source and a sink
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path != "/block":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(block)))
            self.end_headers()
            self.wfile.write(block)

        def log_message(self, *a):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    src_srv, sink_srv = listener(), listener()
    source, sink = Source(src_srv, block, times), Sink(sink_srv, times * len(block))
    source.start()
    sink.start()
    hostfwd_port = free_port()

    # libslirp's TFTP server on a directory of ours, and a boot file name in its DHCP
    tftp_dir = os.path.join(args.tmp, "tftp")
    os.mkdir(tftp_dir)
    tftp_data = random.Random(7).randbytes(1 << 20)
    with open(os.path.join(tftp_dir, "tftp.bin"), "wb") as f:
        f.write(tftp_data)
    netdev = ("user,id=n0,restrict=on,tftp=%s,bootfile=tern-boot.bin,hostfwd=tcp:127.0.0.1:%d-:80,"
              "guestfwd=tcp:10.0.2.100:8000-tcp:127.0.0.1:%d,"
              "guestfwd=tcp:10.0.2.100:8001-tcp:127.0.0.1:%d,"
              "guestfwd=tcp:10.0.2.100:8002-tcp:127.0.0.1:%d"
              % (tftp_dir, hostfwd_port, httpd.server_address[1], src_srv.getsockname()[1], sink_srv.getsockname()[1]))
    extra = ["-netdev", netdev, "-device", "%s,netdev=n0" % args.model]
    qmp_path = os.path.join(args.tmp, "qmp.sock")
    extra += ["-qmp", "unix:%s,server=on,wait=off" % qmp_path]
    if args.pcap:
        extra += ["-object", "filter-dump,id=f0,netdev=n0,file=%s,maxlen=%d" % (args.pcap, args.pcap_maxlen)]
    con = boot(args.tern, args.guest, args, "user", extra)

    # DHCP, through busybox udhcpc and the kit's default script. With restrict=on libslirp
    # (as under QEMU) offers no router and no DNS server: the guest only gets its address.
    out = run(con, "udhcpc -i eth0 -q -n -t 5", 60)
    if "bound to 10.0.2.15/24" not in out:
        raise SystemExit("net_test: DHCP did not give 10.0.2.15/24: %r" % out)
    out = run(con, "ip -4 addr show dev eth0")
    if "inet 10.0.2.15/24" not in out:
        raise SystemExit("net_test: after DHCP eth0 lacks 10.0.2.15/24:\n%s" % out)
    print("[net_test] ok: DHCP gave the guest 10.0.2.15/24", flush=True)
    # IPv6 (ipv6=on, the default): libslirp's router advertisement gives a fec0::/64
    # address, and its address answers ping
    if not args.quick:
        out = run(con, "for i in 1 2 3 4 5 6 7 8 9 10; do ip -6 addr show dev eth0 | grep -q 'inet6 fec0:' && break; "
                  "sleep 1; done; ip -6 addr show dev eth0; ping -c 2 -W 5 fec0::2", 60)
        if "inet6 fec0::" not in out or "2 packets received" not in out:
            raise SystemExit("net_test: IPv6: no fec0:: address from the router advertisement, or no reply "
                             "from fec0::2:\n%s" % out)
        print("[net_test] ok: IPv6: SLAAC gave a fec0::/64 address, ping6 to slirp's fec0::2", flush=True)

    # host to the guest's httpd through hostfwd, with curl as a user would
    run(con, "mkdir -p /www && echo hello-from-the-guest-httpd > /www/index.html && httpd -p 80 -h /www")
    ok, body = curl(hostfwd_port)
    if not ok or body.strip() != "hello-from-the-guest-httpd":
        raise SystemExit("net_test: hostfwd: got %r from the guest's httpd" % body)
    print("[net_test] ok: curl reached the guest's httpd through hostfwd", flush=True)

    if not args.quick:
        monitor_checks(QMP(qmp_path), con, args, hostfwd_port)
        out = run(con, "tftp -g -r tftp.bin -l /tmp/tftp.bin 10.0.2.2 && sha256sum /tmp/tftp.bin", 120)
        if hashlib.sha256(tftp_data).hexdigest() + "  /tmp/tftp.bin" not in out:
            raise SystemExit("net_test: tftp: the fetched file's SHA-256 is not the host's:\n%s" % out)
        print("[net_test] ok: busybox tftp fetched 1 MiB from tftp=, SHA-256 equal", flush=True)

    # guest fetches from the host's HTTP server through guestfwd
    out = run(con, "wget -q -O /tmp/block http://10.0.2.100:8000/block && sha256sum /tmp/block", 300)
    if block_sum not in out:
        raise SystemExit("net_test: guestfwd: the fetched file's SHA-256 is not %s:\n%s" % (block_sum, out))
    print("[net_test] ok: wget fetched %d MiB through guestfwd, SHA-256 equal" % mib, flush=True)

    # N MiB host to guest: the guest hashes what nc receives
    t0 = time.time()
    # (nc's stdin from /dev/null: with a terminal there it would wait on it after the
    # connection ends, as busybox nc does)
    out = run(con, "nc 10.0.2.100 8001 </dev/null | sha256sum", args.bulk_timeout)
    dt = time.time() - t0
    if stream_sum not in out:
        raise SystemExit("net_test: host to guest: %d MiB arrived with the wrong SHA-256:\n%s" % (times * mib, out))
    print("[net_test] ok: %d MiB host to guest, SHA-256 equal (%.1f s, %.1f MiB/s with the guest's hashing)"
          % (times * mib, dt, times * mib / dt), flush=True)

    # N MiB guest to host: the block, sent `times` times; the host hashes what arrives
    t0 = time.time()
    # (nc -e: the loop writes to the socket itself, in cat's large writes; through a
    # pipe Debian's busybox nc would pass it on 1 KiB at a time)
    run(con, "printf '#!/bin/sh\\ni=0; while [ $i -lt %d ]; do cat /tmp/block; i=$((i+1)); done\\n' >/tmp/send"
        " && chmod +x /tmp/send && nc 10.0.2.100 8002 -e /tmp/send" % times, args.bulk_timeout)
    sink.join(30)
    dt = time.time() - t0
    if sink.digest != stream_sum:
        raise SystemExit("net_test: guest to host: %d bytes arrived, SHA-256 %s, expected %d bytes, %s"
                         % (sink.count, sink.digest, times * len(block), stream_sum))
    print("[net_test] ok: %d MiB guest to host, SHA-256 equal (%.1f s, %.1f MiB/s)" % (times * mib, dt, times * mib / dt),
          flush=True)

    # the host fetches the block from the guest's httpd through hostfwd: busybox httpd
    # sends with sendfile, so the guest's TCP hands over frames past the MTU (HOST_TSO4),
    # which linux-net.sh looks for in the pcap
    run(con, "ln -sf /tmp/block /www/block")
    r = subprocess.run(["curl", "-sS", "--noproxy", "*", "--max-time", "300",
                        "http://127.0.0.1:%d/block" % hostfwd_port], capture_output=True)
    if r.returncode != 0 or hashlib.sha256(r.stdout).hexdigest() != block_sum:
        raise SystemExit("net_test: curl of the guest's %d MiB file through hostfwd: %s, %d bytes"
                         % (mib, r.stderr.decode().strip() or "wrong SHA-256", len(r.stdout)))
    print("[net_test] ok: curl fetched %d MiB from the guest's httpd through hostfwd, SHA-256 equal" % mib, flush=True)

    # the monitor's view: info network through the serial console's monitor is not at hand
    # here (-nographic muxes it); the netdev's counters are checked by the unit tests
    poweroff(con, "user")
    httpd.shutdown()


def socket_mode(args):
    """Two guests, each with a NIC on every backend asked for (one LAN per backend, told
    apart by MAC): ping both ways and a file copied over each LAN."""
    ports = {}

    def port(name):
        if name not in ports:
            ports[name] = free_port()
        return ports[name]
    nics = []   # (backend, model, subnet, netdev for a, netdev for b)
    for k, backend in enumerate(args.backend.split(",")):
        p, q = port(backend + "1"), port(backend + "2")
        pair = {
            "socket": ("socket,id=n%d,listen=127.0.0.1:%d" % (k, p), "socket,id=n%d,connect=127.0.0.1:%d" % (k, p)),
            "stream": ("stream,id=n%d,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=%d" % (k, p),
                       "stream,id=n%d,server=off,addr.type=inet,addr.host=127.0.0.1,addr.port=%d" % (k, p)),
            "dgram": tuple("dgram,id=n%d,local.type=inet,local.host=127.0.0.1,local.port=%d,"
                           "remote.type=inet,remote.host=127.0.0.1,remote.port=%d" % (k, x, y)
                           for x, y in ((p, q), (q, p))),
        }.get(backend)
        if pair is None:
            raise SystemExit("net_test: unknown backend %r" % backend)
        # QEMU's two virtio-net transports take turns, so both meet each backend over the runs
        model = args.model or ("virtio-net-device" if backend == "stream" else "virtio-net-pci")
        nics.append((backend, model, "192.168.%d" % (76 + k)) + pair)
    cons = []
    for g, name in enumerate(("a", "b")):
        extra = []
        for k, (backend, model, subnet, na, nb) in enumerate(nics):
            extra += ["-netdev", (na, nb)[g], "-device", "%s,netdev=n%d,mac=52:54:00:76:%02x:%02x" % (model, k, k, g + 1)]
        con = boot(args.tern, args.guest, args, name, extra)
        for k, (backend, model, subnet, na, nb) in enumerate(nics):
            # the interface with this NIC's MAC (PCI and MMIO NICs are named in probe order)
            run(con, "i=$(grep -l 52:54:00:76:%02x:%02x /sys/class/net/*/address); i=${i%%/address}; i=${i##*/}; "
                "ip addr add %s.%d/24 dev $i && ip link set $i up" % (k, g + 1, subnet, g + 1))
        cons.append(con)
    a, b = cons
    # 4 MiB that are not all alike, made quickly (the guest's /dev/urandom gives 1 MiB/s)
    run(a, "mkdir -p /www && cat /bin/busybox /init /bin/busybox /bin/busybox | head -c 4194304 > /www/file && "
        "httpd -p 80 -h /www")
    out = run(a, "sha256sum /www/file")
    m = re.search(r"\n([0-9a-f]{64})  /www/file", out)
    if not m:
        raise SystemExit("net_test: a's file has no checksum:\n%s" % out)
    for backend, model, subnet, na, nb in nics:
        for src, dst, who in ((b, 1, "b could not ping a"), (a, 2, "a could not ping b")):
            out = run(src, "ping -c 3 -i 0.2 -W 5 %s.%d" % (subnet, dst), 60)
            if "3 packets received" not in out:
                raise SystemExit("net_test: %s: %s over %s:\n%s" % (backend, who, model, out))
        out = run(b, "rm -f /tmp/file; wget -q -O /tmp/file http://%s.1/file && sha256sum /tmp/file" % subnet, 300)
        if m.group(1) + "  /tmp/file" not in out:
            raise SystemExit("net_test: %s: the copied file differs (a has %s):\n%s" % (backend, m.group(1), out))
        print("[net_test] ok: -netdev %s on %s: the two guests ping each other, 4 MiB copied from a to b, "
              "SHA-256 equal" % (backend, model), flush=True)
    poweroff(b, "b")
    poweroff(a, "a")


def tap_mode(args):
    """The guest on a host tap device: the host side gets 192.168.99.1/24 (a link that
    leads nowhere else), the guest .2; ping both ways and curl to the guest's httpd."""
    ifname = args.ifname
    extra = ["-netdev", "tap,id=n0,ifname=%s,script=no,downscript=no" % ifname,
             "-device", "%s,netdev=n0" % args.model]
    con = boot(args.tern, args.guest, args, "tap", extra)
    try:
        for cmd in (["ip", "addr", "add", "192.168.99.1/24", "dev", ifname], ["ip", "link", "set", ifname, "up"]):
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode:
                raise SystemExit("net_test: %s: %s" % (" ".join(cmd), r.stderr.strip()))
        run(con, "ip addr add 192.168.99.2/24 dev eth0 && ip link set eth0 up && "
            "mkdir -p /www && echo hello-over-tap > /www/index.html && httpd -p 80 -h /www")
        out = run(con, "ping -c 3 -W 5 192.168.99.1", 60)
        if "3 packets received" not in out:
            raise SystemExit("net_test: the guest cannot ping the host's end of the tap:\n%s" % out)
        r = subprocess.run(["ping", "-c", "3", "-W", "5", "192.168.99.2"], capture_output=True, text=True) \
            if shutil.which("ping") else None
        if r is not None and r.returncode:
            raise SystemExit("net_test: the host cannot ping the guest: %s" % r.stdout.strip().split("\n")[-1])
        ok, body = curl_url("http://192.168.99.2/index.html")
        if not ok or body.strip() != "hello-over-tap":
            raise SystemExit("net_test: curl to the guest over the tap: %s" % body)
        print("[net_test] ok: ping both ways and curl to the guest's httpd over tap %s" % ifname, flush=True)
        poweroff(con, "tap")
    finally:
        con.kill()
    if os.path.exists("/sys/class/net/%s" % ifname):
        raise SystemExit("net_test: the tap %s is still there after tern exited" % ifname)
    print("[net_test] ok: the tap went away with tern", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["user", "socket", "tap"])
    ap.add_argument("tern")
    ap.add_argument("guest")
    ap.add_argument("--model", help="the NIC model (default virtio-net-pci; in socket mode "
                    "virtio-net-device for stream, virtio-net-pci for the others)")
    ap.add_argument("--accel")
    ap.add_argument("--backend", default="socket",
                    help="socket mode: -netdev socket listen/connect, stream server/client, or dgram, "
                    "or several joined by commas (each guest then has a NIC on each)")
    ap.add_argument("--pcap")
    ap.add_argument("--pcap-maxlen", type=int, default=1024)
    ap.add_argument("--mib", type=int, default=256)
    ap.add_argument("--bulk-timeout", type=float, default=600)
    ap.add_argument("--ifname", default="terntap0", help="tap mode: the tap device tern makes")
    ap.add_argument("--quick", action="store_true", help="user mode: the essentials, with 1 MiB "
                    "transfers (for the interpreter)")
    ap.add_argument("--verbose", action="store_true", help="echo the guest's console")
    args = ap.parse_args()
    if args.mode != "socket" and not args.model:
        args.model = "virtio-net-pci"
    t0 = time.time()
    args.tmp = tempfile.mkdtemp()
    try:
        {"user": user_mode, "socket": socket_mode, "tap": tap_mode}[args.mode](args)
    finally:
        shutil.rmtree(args.tmp, True)
    print("net_test: PASS (%.1f s)" % (time.time() - t0), flush=True)


if __name__ == "__main__":
    main()
