#!/usr/bin/env python3
"""Drive tern's serial console like a person: boot the test guest, wait for the shell,
type commands, check what comes back, power off, and check tern's exit status.

usage: console.py TERN GUEST_DIR [--bios FILE] [--disk IMG] [--snapshot] [--timeout S]
                  [--extra-initrd CPIO] [--command CMD --until REGEX [--output FILE]]
TERN may also be qemu-system-riscv64: the command line is the same.
"""
import argparse, atexit, os, shutil, sys, tempfile, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptyconsole import Console

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tern")
    ap.add_argument("guest")
    ap.add_argument("--bios")
    ap.add_argument("--disk")
    ap.add_argument("--disk-device", default="if=virtio",
                    help="how the disk is attached: if=virtio, or a -device such as virtio-blk-pci")
    ap.add_argument("--snapshot", action="store_true")
    ap.add_argument("--accel", default=None)
    ap.add_argument("--smp", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--devices", action="store_true",
                    help="add virtio-rng and a virtio console (to --console-file) and check them")
    ap.add_argument("--console-file")
    ap.add_argument("--reboot", action="store_true", help="reboot once and expect a second boot")
    ap.add_argument("--extra-initrd", help="a cpio archive appended to the kit's initramfs "
                    "(the kernel unpacks both)")
    ap.add_argument("--command", help="a command to run at the shell prompt")
    ap.add_argument("--until", help="a pattern that ends the command's output")
    ap.add_argument("--output", help="write the command's output (through --until) here")
    ap.add_argument("--command-timeout", type=float, default=600)
    ap.add_argument("--machine", default="virt", choices=["virt", "microvm"],
                    help="microvm: the x86-64 guest (build-x86) under KVM, ended by a reboot "
                         "with -no-reboot since a PC without ACPI cannot power off")
    a = ap.parse_args()
    x86 = a.machine == "microvm"

    initrd = os.path.join(a.guest, "initramfs.cpio.gz")
    if a.extra_initrd:
        tmpdir = tempfile.mkdtemp()
        atexit.register(shutil.rmtree, tmpdir, True)
        combined = os.path.join(tmpdir, "initrd")
        with open(combined, "wb") as out:
            for part in (initrd, a.extra_initrd):
                with open(part, "rb") as f:
                    shutil.copyfileobj(f, out)
        initrd = combined
    cmd = [a.tern, "-M", a.machine, "-m", "256M", "-nographic",
           "-kernel", os.path.join(a.guest, "bzImage" if x86 else "Image"),
           "-initrd", initrd,
           "-append", "console=ttyS0"]
    if x86:
        cmd += ["-no-reboot"]
    if a.bios:
        cmd += ["-bios", a.bios]
    if a.disk and a.disk_device == "if=virtio":
        cmd += ["-drive", "file=%s,format=raw,if=virtio" % a.disk]
    elif a.disk:
        cmd += ["-drive", "file=%s,format=raw,if=none,id=disk0" % a.disk, "-device", "%s,drive=disk0" % a.disk_device]
    if a.snapshot:
        cmd += ["-snapshot"]
    if a.accel:
        cmd += ["-accel", a.accel]
    if a.smp > 1:
        cmd += ["-smp", str(a.smp)]
    if a.devices:
        cmd += ["-device", "virtio-rng-device", "-device", "virtio-serial-device",
                "-chardev", "file,id=c0,path=%s" % a.console_file, "-device", "virtconsole,chardev=c0"]
    con = Console(cmd)
    start = con.start
    expect, send = con.expect, con.send

    expect(r"tern guest ready", a.timeout)
    expect(r"/ # ", 60)
    print("\n[console] shell prompt after %.2f s" % (time.time() - start), flush=True)
    send("cat /proc/cpuinfo")
    expect(r"vendor_id\s*:" if x86 else r"isa\s*: rv64imafdc", 30)
    expect(r"/ # ", 30)
    send("uname -m")
    expect(r"x86_64" if x86 else r"riscv64", 30)
    expect(r"/ # ", 30)
    if a.smp > 1:
        send("grep -c ^processor /proc/cpuinfo")
        expect(r"\n%d\r*\n" % a.smp, 30)
        expect(r"/ # ", 30)
        # work on every hart: a few processes at once
        send("for i in 1 2 3 4; do (ls -R / >/dev/null; echo job$i) & done; wait; echo ALL-JOBS")
        expect(r"\nALL-JOBS", 120)
        expect(r"/ # ", 30)
    if x86:
        # Debian's kernel has its virtio drivers as modules (the kit carries them)
        send("modprobe -a virtio_pci virtio_mmio virtio_blk virtio_console virtio_rng; echo MODULES-DONE")
        expect(r"\nMODULES-DONE", 60)
        expect(r"/ # ", 30)
    if a.disk and a.disk_device.endswith("-pci"):
        # the disk sits behind the PCI host bridge
        send("readlink -f /sys/block/vda/device; cat /sys/bus/pci/devices/*/vendor /sys/bus/pci/devices/*/device | tr '\\n' :")
        expect(r"/pci0000:00/0000:00:[0-9a-f]{2}\.0/virtio\d+", 30)
        expect(r"0x1af4:.*0x1042", 30)
        expect(r"/ # ", 30)
    if a.disk and x86:
        # Debian's ext2/ext4 is a module the kit leaves out: the guest writes the raw disk
        send("echo written-by-guest | dd of=/dev/vda conv=fsync 2>/dev/null && echo DISK-DONE")
        expect(r"\nDISK-DONE", 60)
        expect(r"/ # ", 30)
    elif a.disk:
        send("mount /dev/vda /mnt && echo written-by-guest > /mnt/guest.txt && umount /mnt && echo DISK-DONE")
        expect(r"\nDISK-DONE", 60)
        expect(r"/ # ", 30)
    if a.devices:
        send("cat /sys/class/misc/hw_random/rng_current; head -c 64 /dev/hwrng | wc -c")
        expect(r"virtio_rng", 30)
        expect(r"\n64", 30)
        expect(r"/ # ", 30)
        # the virtio console is the first hvc after the SBI console's (hvc0 in the source
        # kit); Debian's kernel has no SBI hvc, so there it is hvc0
        send("for t in /dev/hvc1 /dev/hvc0; do echo hello-over-virtio-console 2>/dev/null >$t && break; done")
        expect(r"/ # ", 30)
    if a.command:
        send(a.command)
        text = expect(a.until, a.command_timeout)
        expect(r"/ # ", 30)
        if a.output:
            lines = text.decode(errors="replace").replace("\r", "").split("\n")
            with open(a.output, "w") as f:
                f.write("\n".join(lines[1:]) + "\n")     # without the echoed command
    if a.reboot:
        send("reboot")
        expect(r"tern guest ready", a.timeout)
        expect(r"/ # ", 60)
        print("\n[console] rebooted to the shell again", flush=True)
    send("reboot" if x86 else "poweroff")
    status = con.wait_exit(60)
    if status != 0:
        raise SystemExit("console: tern exited with status %d after poweroff" % status)
    print("\n[console] powered off, tern exited 0 after %.2f s" % (time.time() - start), flush=True)

if __name__ == "__main__":
    main()
