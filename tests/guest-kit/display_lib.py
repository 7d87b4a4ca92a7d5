"""What the display tests share (display_test.py, kvm-display.sh, display-dirty.sh): a
QMP client on a unix socket and a PPM reader."""
import json, socket, time

def parse_ppm(data):
    """An 8-bit P6 PPM's bytes: (width, height, RGB bytes)."""
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    pos += 1
    if fields[0] != b"P6" or fields[3] != b"255":
        raise SystemExit("FAIL: not an 8-bit P6 PPM")
    w, h = int(fields[1]), int(fields[2])
    return w, h, data[pos:pos + w * h * 3]

def read_ppm(path):
    with open(path, "rb") as f:
        return parse_ppm(f.read())

class QMP:
    def __init__(self, path, timeout=30):
        deadline = time.time() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(path)
                break
            except OSError:
                if time.time() > deadline:
                    raise SystemExit("FAIL: qmp: could not connect to " + path)
                time.sleep(0.1)
        self.sock.settimeout(30)
        self.buf = b""
        self.recv()
        self.cmd("qmp_capabilities")

    def recv(self):
        while b"\n" not in self.buf:
            d = self.sock.recv(65536)
            if not d:
                raise SystemExit("FAIL: qmp: connection closed")
            self.buf += d
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, /, **args):
        self.sock.sendall(json.dumps({"execute": name, "arguments": args}).encode() + b"\n")
        while True:
            r = self.recv()
            if "return" in r or "error" in r:
                return r
