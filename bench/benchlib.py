"""Shared by the bench/ scripts that boot the Linux guest kit under tern and QEMU: an
emulator process with the guest's serial console on a pty (typed into slowly enough for a
16-byte UART FIFO, read into a console transcript), and the host description every
report starts with."""
import os, platform, pty, re, select, signal, subprocess, sys, time

children = []          # emulator processes still to reap
LOG = None             # console transcript (a file the caller opens)


def kill_group(proc):
    """SIGKILL an emulator and anything it started (its own session) and reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    proc.wait()


class Guest:
    """One emulator process with the guest's serial console on a pty."""

    def __init__(self, cmd):
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave,
                                     close_fds=True, start_new_session=True)
        children.append(self.proc)
        os.close(slave)
        self.seen = b""

    def expect(self, pattern, timeout):
        """Wait for a regex on the console; returns the match, drops what precedes it."""
        rx = re.compile(pattern.encode())
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.seen)
            if m:
                self.seen = self.seen[m.end():]
                return m
            left = deadline - time.monotonic()
            if self.proc.poll() is not None:
                raise RuntimeError("the emulator exited with status %d while the script waited "
                                   "for %r (last console line: %r)"
                                   % (self.proc.returncode, pattern, self.last_line()))
            if left <= 0:
                raise RuntimeError("no %r on the console after %d s (last console line: %r)"
                                   % (pattern, timeout, self.last_line()))
            r, _, _ = select.select([self.master], [], [], min(left, 1.0))
            if r:
                try:
                    data = os.read(self.master, 65536)
                except OSError:
                    data = b""
                LOG.write(data.decode(errors="replace"))
                self.seen += data

    def last_line(self):
        lines = [l.strip() for l in self.seen.decode(errors="replace").splitlines() if l.strip()]
        return lines[-1] if lines else ""

    def run(self, line, marker_re, timeout=60):
        """Type a line (slowly: the UART FIFO is 16 bytes) and wait for marker_re.
        Returns (match, host seconds from the end of typing to the marker)."""
        for ch in (line + "\r").encode():
            os.write(self.master, bytes([ch]))
            time.sleep(0.002)
        t0 = time.monotonic()
        m = self.expect(marker_re, timeout)
        return m, time.monotonic() - t0

    def close(self, kill=False):
        if kill:
            kill_group(self.proc)
        if self.proc.poll() is None:
            try:
                for ch in b"poweroff\r":
                    os.write(self.master, bytes([ch]))
                    time.sleep(0.002)
                self.proc.wait(timeout=60)
            except (OSError, subprocess.TimeoutExpired):
                kill_group(self.proc)
        children.remove(self.proc)
        os.close(self.master)
        return self.proc.returncode


def first_line(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.split("\n")[0]
    except OSError:
        return "?"


def host_summary():
    """One line: the host, its CPUs and load."""
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return ("host: %s, %d CPUs (nproc), %s, Linux %s, load average %s at start"
            % (platform.node(), len(os.sched_getaffinity(0)), cpu, platform.release(),
               " ".join("%.2f" % v for v in os.getloadavg())))


def guest_kit(top, who):
    """The guest kit's directory (building it if need be), or exit with why not."""
    kitp = subprocess.run([os.path.join(top, "tests", "guest-kit", "build"), "--print-dir"],
                          stdout=subprocess.PIPE, text=True)
    kit = kitp.stdout.strip()
    if kitp.returncode or not all(os.path.isfile(os.path.join(kit, f))
                                  for f in ("Image", "initramfs.cpio.gz")):
        sys.exit("%s: tests/guest-kit/build --print-dir failed (status %d, %r)" % (who, kitp.returncode, kit))
    return kit
