"""A guest's serial console on a pty, driven the way a person types: start the emulator
with its stdio on the pty, wait for patterns in what it prints, type lines slowly
enough for a 16-byte UART FIFO. Shared by the guest-kit drivers (console.py, pci_boot.py).
"""
import atexit, os, pty, re, select, subprocess, sys, time

class Console:
    def __init__(self, cmd, echo=True):
        master, slave = pty.openpty()
        self.master = master
        self.echo = echo
        self.seen = b""
        self.start = time.time()
        self.proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, close_fds=True)
        os.close(slave)
        # a driver that gives up (a failed check raising SystemExit) must not leave the
        # emulator running behind it
        atexit.register(self.kill)

    def expect(self, pattern, timeout):
        """Wait for pattern; returns everything up to and including the match."""
        deadline = time.time() + timeout
        rx = re.compile(pattern.encode())
        while True:
            m = rx.search(self.seen)
            if m:
                consumed, self.seen = self.seen[:m.end()], self.seen[m.end():]
                return consumed
            left = deadline - time.time()
            if left <= 0 or self.proc.poll() is not None:
                sys.stdout.write(self.seen.decode(errors="replace")[-3000:])
                self.kill()
                raise SystemExit("console: timed out waiting for %r" % pattern)
            r, _, _ = select.select([self.master], [], [], min(left, 1.0))
            if r:
                try:
                    data = os.read(self.master, 4096)
                except OSError:
                    data = b""
                if self.echo:
                    sys.stdout.write(data.decode(errors="replace"))
                    sys.stdout.flush()
                self.seen += data

    def send(self, line, end="\r"):
        for ch in (line + end).encode():
            os.write(self.master, bytes([ch]))
            time.sleep(0.002)

    def wait_exit(self, timeout=60):
        """The emulator's exit status, or SystemExit if it does not exit in time."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise SystemExit("console: the emulator did not exit")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def elapsed(self):
        return time.time() - self.start
