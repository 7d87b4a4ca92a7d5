#!/usr/bin/env python3
"""QMP as a client drives it, over a unix socket and over TCP on 127.0.0.1: the greeting,
capabilities negotiation, every command tern has, the events (STOP, RESUME, RESET,
SHUTDOWN with guest and reason, POWERDOWN) with their timestamps, errors for bad JSON,
unknown commands and wrong arguments with the connection staying up, a reconnect, and
guest time standing still while the machine is stopped.

usage: qmp_test.py TERN SPIN_ELF TMPDIR
"""
import json, os, socket, subprocess, sys, time

failures = 0


def check(cond, what):
    global failures
    print(("ok: " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        failures += 1


class QMP:
    def __init__(self, sock):
        self.s = sock
        self.buf = b""
        self.events = []

    def recv(self, timeout=10):
        end = time.time() + timeout
        while b"\n" not in self.buf:
            left = end - time.time()
            if left <= 0:
                raise TimeoutError("no QMP message within %ss" % timeout)
            self.s.settimeout(left)
            data = self.s.recv(65536)
            if not data:
                raise ConnectionError("QMP connection closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line.decode())

    def send_raw(self, text):
        self.s.sendall(text.encode() if isinstance(text, str) else text)

    def reply(self, timeout=10):
        """the next reply (return or error), keeping events that come first"""
        while True:
            m = self.recv(timeout)
            if "event" in m:
                self.events.append(m)
                continue
            return m

    def cmd(self, name, args=None, id=None):
        msg = {"execute": name}
        if args is not None:
            msg["arguments"] = args
        if id is not None:
            msg["id"] = id
        self.send_raw(json.dumps(msg))
        return self.reply()

    def event(self, name, timeout=10):
        end = time.time() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e["event"] == name:
                    return self.events.pop(i)
            left = end - time.time()
            if left <= 0:
                return None
            try:
                m = self.recv(left)
            except TimeoutError:
                return None
            if "event" in m:
                self.events.append(m)


def connect(addr, timeout=10):
    end = time.time() + timeout
    while True:
        try:
            if isinstance(addr, str):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            else:
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.connect(addr)
            return QMP(s)
        except OSError:
            s.close()
            if time.time() > end:
                raise
            time.sleep(0.05)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def guest_word(q, addr):
    r = q.cmd("human-monitor-command", {"command-line": "xp/1xg %#x" % addr})
    return int(r["return"].split()[1], 16)


def good_event(e, name):
    return (e is not None and e.get("event") == name and isinstance(e["timestamp"]["seconds"], int)
            and 0 <= e["timestamp"]["microseconds"] < 1000000 and e["timestamp"]["seconds"] > 1600000000)


def session(tern, spin, spec, addr, label):
    print("== QMP over %s" % label, flush=True)
    proc = subprocess.Popen([tern, "-M", "virt", "-m", "64M", "-bios", "none", "-nographic", "-S",
                             "-name", "qmp-test", "-smp", "2", "-serial", "null",
                             "-kernel", spin, "-qmp", spec, "-device", "virtio-rng-pci,addr=5"],
                            stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        q = connect(addr)
        g = q.recv()
        v = g.get("QMP", {}).get("version", {})
        check(v.get("qemu", {}).get("major") == 7 and "tern" in v.get("package", "") and
              g["QMP"].get("capabilities") == [], "greeting: %s" % json.dumps(g))
        r = q.cmd("query-status")
        check(r.get("error", {}).get("class") == "CommandNotFound", "commands wait for qmp_capabilities")
        check(q.cmd("qmp_capabilities") == {"return": {}}, "qmp_capabilities")
        r = q.cmd("qmp_capabilities")
        check(r.get("error", {}).get("class") == "CommandNotFound", "qmp_capabilities twice is refused")
        r = q.cmd("query-version", id="v1")
        check(r.get("id") == "v1" and r["return"]["qemu"]["major"] == 7 and "tern" in r["return"]["package"],
              "query-version, with the id echoed")
        r = q.cmd("query-commands")
        names = {c["name"] for c in r["return"]}
        want = {"qmp_capabilities", "query-version", "query-status", "query-commands", "query-cpus-fast",
                "stop", "cont", "system_reset", "system_powerdown", "quit", "human-monitor-command"}
        check(want <= names, "query-commands lists %d commands" % len(names))
        r = q.cmd("query-status")
        check(r["return"] == {"status": "prelaunch", "singlestep": False, "running": False},
              "query-status after -S: %s" % r["return"])
        r = q.cmd("query-cpus-fast")
        check(len(r["return"]) == 2 and [c["cpu-index"] for c in r["return"]] == [0, 1] and
              all(c["target"] == "riscv64" for c in r["return"]), "query-cpus-fast: two harts")
        check(q.cmd("query-name")["return"] == {"name": "qmp-test"}, "query-name")
        r = q.cmd("query-pci")["return"]
        devs = {(d["slot"], d["function"]): d for d in r[0]["devices"]}
        hb, rng = devs.get((0, 0), {}), devs.get((5, 0), {})
        check(len(r) == 1 and r[0]["bus"] == 0 and
              hb.get("id") == {"device": 8, "vendor": 0x1b36, "subsystem": 0x1100, "subsystem-vendor": 0x1af4} and
              hb.get("class_info", {}).get("class") == 0x0600 and
              rng.get("id", {}).get("device") == 0x1044 and rng.get("irq_pin") == 1 and
              {g["bar"] for g in rng.get("regions", [])} == {1, 4} and
              [g["mem_type_64"] for g in rng["regions"] if g["bar"] == 4] == [True],
              "query-pci: the host bridge and a virtio-rng-pci in slot 5 with its BARs")
        # screendump's answers when there is nothing to take, and bad arguments
        shot = os.path.join(os.path.dirname(os.path.abspath(spin)), "qmp-shot-%d.ppm" % os.getpid())
        r = q.cmd("screendump", {"filename": shot})
        check(r.get("error", {}).get("desc") == "There is no console to take a screendump from." and
              not os.path.exists(shot), "screendump without a display: QEMU's error, no file")
        r = q.cmd("screendump", {"filename": shot, "format": "jpeg"})
        check(r.get("error", {}).get("class") == "GenericError", "screendump format=jpeg is refused")
        r = q.cmd("screendump", {"filename": shot, "device": "nosuch"})
        check(r.get("error", {}).get("class") == "DeviceNotFound", "screendump device=nosuch: DeviceNotFound")
        r = q.cmd("send-key", {"keys": [{"type": "qcode", "data": "nosuchkey"}]})
        check(r.get("error", {}).get("class") == "GenericError", "send-key with an unknown key is refused")

        # start, stop, and guest time standing still while stopped
        check(q.cmd("cont") == {"return": {}}, "cont")
        check(good_event(q.event("RESUME"), "RESUME"), "RESUME event with a timestamp")
        check(q.cmd("query-status")["return"]["running"] is True, "running after cont")
        time.sleep(0.3)
        check(q.cmd("stop") == {"return": {}}, "stop")
        check(good_event(q.event("STOP"), "STOP"), "STOP event")
        r = q.cmd("human-monitor-command", {"command-line": "info status"})
        check(r["return"] == "VM status: paused\r\n", "human-monitor-command 'info status': %r" % r["return"])
        spaced = q.cmd("human-monitor-command", {"command-line": "xp /1xg 0x80001000"})["return"]
        check(spaced.split()[0].startswith("0000000080001000"), "xp /FMT ADDR with a space, as QEMU takes it")
        count1, t1 = guest_word(q, 0x80001000), guest_word(q, 0x80001008)
        time.sleep(1.0)
        count2, t2 = guest_word(q, 0x80001000), guest_word(q, 0x80001008)
        check(count1 > 0 and count1 == count2 and t1 == t2, "the guest ran, and nothing moves while stopped")
        q.cmd("cont")
        q.event("RESUME")
        time.sleep(0.3)
        q.cmd("stop")
        q.event("STOP")
        t3 = guest_word(q, 0x80001008)
        # 0.3 s of running took the guest 0.3 s further, not the 1.3 s since t1
        check(t3 > t2 and t3 - t2 < 10000000, "guest time went on from where it stopped (%.2f s)" % ((t3 - t2) / 1e7))
        r = q.cmd("human-monitor-command", {"command-line": "info registers", "cpu-index": 1})
        check("pc" in r["return"], "human-monitor-command with cpu-index")

        # errors leave the connection up
        q.send_raw('{"execute": }')
        r = q.reply()
        check(r.get("error", {}).get("class") == "GenericError" and "JSON parse error" in r["error"]["desc"],
              "bad JSON: %s" % r.get("error"))
        q.send_raw("[1, 2]")
        r = q.reply()
        check(r.get("error", {}).get("desc") == "QMP input must be a JSON object", "a non-object is refused")
        r = q.cmd("no-such-command")
        check(r.get("error", {}).get("class") == "CommandNotFound", "unknown command: %s" % r.get("error"))
        r = q.cmd("human-monitor-command", {"command-line": 5})
        check("Invalid parameter type" in r.get("error", {}).get("desc", ""), "wrong argument type")
        r = q.cmd("human-monitor-command", {})
        check("is missing" in r.get("error", {}).get("desc", ""), "missing argument")
        r = q.cmd("stop", {"bogus": 1})
        check("is unexpected" in r.get("error", {}).get("desc", ""), "unexpected argument")
        q.send_raw('{"execute": "query-status", "bogus": 1}')
        r = q.reply()
        check("is unexpected" in r.get("error", {}).get("desc", ""), "unexpected member")
        q.send_raw('{"arguments": {}}')
        r = q.reply()
        check("lacks member 'execute'" in r.get("error", {}).get("desc", ""), "no execute")
        q.send_raw(b"\xff garbage }\n")
        q.send_raw("{'execute': 'query-status', 'id': 7}")   # QEMU takes single quotes too
        r = q.reply()
        while "error" in r:
            r = q.reply()
        check(r.get("id") == 7 and r["return"]["status"] == "paused", "the connection is still up after garbage")

        # resets and power-down
        check(q.cmd("system_reset") == {"return": {}}, "system_reset")
        e = q.event("RESET")
        check(good_event(e, "RESET") and e.get("data") == {"guest": False, "reason": "host-qmp-system-reset"},
              "RESET event: %s" % (e and e.get("data")))
        check(q.cmd("query-status")["return"]["status"] == "paused", "a reset while stopped stays stopped")
        check(q.cmd("system_powerdown") == {"return": {}}, "system_powerdown")
        check(good_event(q.event("POWERDOWN"), "POWERDOWN"), "POWERDOWN event")

        # a new client starts over
        q.s.close()
        q = connect(addr)
        g = q.recv()
        check("QMP" in g, "a second client gets the greeting")
        check(q.cmd("query-status").get("error", {}).get("class") == "CommandNotFound",
              "and must negotiate again")
        q.cmd("qmp_capabilities")

        check(q.cmd("quit") == {"return": {}}, "quit")
        e = q.event("SHUTDOWN")
        check(good_event(e, "SHUTDOWN") and e.get("data") == {"guest": False, "reason": "host-qmp-quit"},
              "SHUTDOWN event: %s" % (e and e.get("data")))
        rc = proc.wait(timeout=10)
        check(rc == 0, "tern exits 0 after quit")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
            check(False, "tern did not exit")
        out = proc.stdout.read().decode(errors="replace")
        if out.strip():
            print(out)


def guest_shutdown(tern, spin, tmp):
    print("== the guest powers off", flush=True)
    path = os.path.join(tmp, "qmp-guest.sock")
    proc = subprocess.Popen([tern, "-M", "virt", "-m", "64M", "-bios", "none", "-nographic", "-S",
                             "-serial", "null", "-kernel", spin,
                             "-qmp", "unix:%s,server,nowait" % path], stdin=subprocess.DEVNULL)
    try:
        q = connect(path)
        q.recv()
        q.cmd("qmp_capabilities")
        t0 = time.time()
        q.cmd("cont")
        q.event("RESUME")
        time.sleep(0.5)
        q.cmd("stop")
        time.sleep(2.0)           # stopped: the guest's 3 s must not count this
        q.cmd("cont")
        e = q.event("SHUTDOWN", timeout=30)
        took = time.time() - t0
        check(good_event(e, "SHUTDOWN") and e.get("data") == {"guest": True, "reason": "guest-shutdown"},
              "SHUTDOWN from the guest: %s" % (e and e.get("data")))
        check(took >= 4.9, "the guest's 3 s of time did not include the 2 s stop (%.1f s in all)" % took)
        check(proc.wait(timeout=10) == 0, "tern exits with the guest's status 0")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def main():
    tern, spin, tmp = sys.argv[1:4]
    path = os.path.join(tmp, "qmp.sock")
    session(tern, spin, "unix:%s,server=on,wait=off" % path, path, "a unix socket")
    port = free_port()
    session(tern, spin, "tcp:127.0.0.1:%d,server=on,wait=off" % port, ("127.0.0.1", port), "TCP on 127.0.0.1")
    guest_shutdown(tern, spin, tmp)
    print("%d failures" % failures)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
