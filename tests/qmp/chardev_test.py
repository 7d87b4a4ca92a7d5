#!/usr/bin/env python3
"""Character devices and the human monitor as harnesses use them: the serial port on a
TCP socket and on a pty, the monitor on a unix socket, one socket chardev muxed between
the serial port and the monitor (Ctrl-A c), -pidfile and -daemonize, and the help
listings.

usage: chardev_test.py TERN HELLO_ELF SPIN_ELF TMPDIR
HELLO_ELF prints a line on the UART and waits for a key; SPIN_ELF runs until stopped.
"""
import os, re, select, socket, subprocess, sys, time

failures = 0


def check(cond, what):
    global failures
    print(("ok: " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        failures += 1


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def connect(addr, timeout=10):
    end = time.time() + timeout
    while True:
        try:
            fam = socket.AF_UNIX if isinstance(addr, str) else socket.AF_INET
            s = socket.socket(fam, socket.SOCK_STREAM)
            s.connect(addr)
            return s
        except OSError:
            s.close()
            if time.time() > end:
                raise
            time.sleep(0.05)


def read_until(fd_or_sock, pattern, timeout=10):
    buf = b""
    rx = re.compile(pattern.encode())
    end = time.time() + timeout
    while time.time() < end:
        r, _, _ = select.select([fd_or_sock], [], [], 0.2)
        if r:
            data = fd_or_sock.recv(4096) if hasattr(fd_or_sock, "recv") else os.read(fd_or_sock, 4096)
            if not data:
                break
            buf += data
            if rx.search(buf):
                return buf.decode(errors="replace")
    return buf.decode(errors="replace")


def start(tern, args):
    return subprocess.Popen([tern] + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)


def finish(p, timeout=10):
    try:
        return p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        return None


def main():
    tern, hello, spin, tmp = sys.argv[1:5]
    base = ["-M", "virt", "-m", "64M", "-bios", "none", "-nographic"]

    print("== serial on TCP, monitor on a unix socket", flush=True)
    port = free_port()
    mon = os.path.join(tmp, "mon.sock")
    p = start(tern, base + ["-kernel", hello, "-serial", "tcp:127.0.0.1:%d,server=on,wait=off" % port,
                            "-monitor", "unix:%s,server,nowait" % mon])
    m = connect(mon)
    banner = read_until(m, r"\(qemu\) ")
    check("monitor - type 'help'" in banner and banner.endswith("(qemu) "), "monitor banner and prompt")
    m.sendall(b"info chardev\n")
    out = read_until(m, r"\(qemu\) $")
    check("serial0: filename=tcp:127.0.0.1:%d,server=on" % port in out and "unix:" + mon in out,
          "info chardev lists the sockets")
    s = connect(("127.0.0.1", port))
    s.sendall(b"x")
    got = read_until(s, "hello from the UART")
    check("hello from the UART" in got, "serial output reaches the TCP client")
    s.sendall(b"q")
    check(finish(p) == 0, "a key over TCP ends the guest (exit 0)")

    print("== serial on a pty", flush=True)
    p = start(tern, base + ["-kernel", hello, "-serial", "pty", "-monitor", "none"])
    line = p.stdout.readline().decode()
    mm = re.search(r"char device redirected to (/dev/pts/\d+) \(label serial0\)", line)
    check(mm is not None, "QEMU's pty line: %r" % line.strip())
    if mm:
        fd = os.open(mm.group(1), os.O_RDWR | os.O_NOCTTY)
        os.write(fd, b"x")
        got = read_until(fd, "hello from the UART")
        check("hello from the UART" in got, "serial output on the pty")
        os.write(fd, b"q")
        check(finish(p) == 0, "a key on the pty ends the guest")
        os.close(fd)
    else:
        p.kill()

    print("== one socket muxed between the serial port and the monitor", flush=True)
    path = os.path.join(tmp, "mux.sock")
    p = start(tern, base + ["-kernel", hello, "-chardev", "socket,id=c0,path=%s,server=on,wait=off,mux=on" % path,
                            "-serial", "chardev:c0", "-mon", "chardev=c0,mode=readline"])
    s = connect(path)
    s.sendall(b"x")
    got = read_until(s, "hello from the UART")
    check("hello from the UART" in got and "(qemu)" not in got, "the console has the focus first")
    s.sendall(b"\x01c")
    got = read_until(s, r"\(qemu\) ")
    check("(qemu) " in got, "Ctrl-A c switches to the monitor")
    s.sendall(b"info status\r")
    got = read_until(s, r"VM status: \w+")
    check("VM status: running" in got, "the monitor answers on the mux")
    s.sendall(b"\x01c")
    time.sleep(0.2)
    s.sendall(b"q")
    check(finish(p) == 0, "Ctrl-A c back: the key goes to the guest")

    print("== -pidfile and -daemonize", flush=True)
    pid = os.path.join(tmp, "tern.pid")
    qmp = os.path.join(tmp, "qmp.sock")
    r = subprocess.run([tern] + base[:-1] + ["-kernel", spin, "-serial", "null", "-S", "-daemonize", "-pidfile", pid,
                                        "-qmp", "unix:%s,server=on,wait=off" % qmp],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
    check(r.returncode == 0 and os.path.exists(pid), "-daemonize returns 0 with the pid file written")
    try:
        dpid = int(open(pid).read())
        os.kill(dpid, 0)
        check(True, "the daemon %d runs" % dpid)
        q = connect(qmp)
        read_until(q, "QMP")
        q.sendall(b'{"execute":"qmp_capabilities"}{"execute":"quit"}')
        time.sleep(1.0)
        for _ in range(50):
            try:
                os.kill(dpid, 0)
                time.sleep(0.1)
            except ProcessLookupError:
                break
        gone = False
        try:
            os.kill(dpid, 0)
        except ProcessLookupError:
            gone = True
        check(gone and not os.path.exists(pid), "quit over QMP ends the daemon and removes the pid file")
    except (OSError, ValueError) as e:
        check(False, "daemon: %s" % e)
    r = subprocess.run([tern] + base + ["-kernel", spin, "-daemonize"], stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=20)
    check(r.returncode == 2 and b"-nographic cannot be used with -daemonize" in r.stderr,
          "-daemonize refuses -nographic, as QEMU does")
    r = subprocess.run([tern] + base[:-1] + ["-kernel", spin, "-serial", "stdio", "-daemonize"],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
    check(r.returncode == 2 and b"stdio" in r.stderr, "-daemonize refuses a serial port on stdio")

    print("== help listings", flush=True)
    r = subprocess.run([tern, "-device", "help"], capture_output=True, timeout=10)
    check(r.returncode == 0 and b'name "virtio-blk-device"' in r.stdout, "-device help")
    r = subprocess.run([tern, "-device", "virtio-blk-device,help"], capture_output=True, timeout=10)
    check(r.returncode == 0 and b"drive=" in r.stdout and b"bus=" in r.stdout, "-device virtio-blk-device,help")
    r = subprocess.run([tern, "-cpu", "help"], capture_output=True, timeout=10)
    check(r.returncode == 0 and b"rv64" in r.stdout and b"zba" in r.stdout, "-cpu help")
    r = subprocess.run([tern, "-help"], capture_output=True, timeout=10)
    check(re.search(rb"^-gdb ", r.stdout, re.M) is not None, "-help has a line starting with -gdb (xv6's test)")

    print("%d failures" % failures)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
