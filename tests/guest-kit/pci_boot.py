#!/usr/bin/env python3
"""Boot the guest kit from a root disk on virtio-blk-pci, with virtio-rng-pci and a
virtconsole on virtio-serial-pci, under a chosen firmware: tern's own, OpenSBI
fw_dynamic, or OpenSBI then U-Boot (qemu-riscv64_smode) loading the kernel from the
disk with its own commands. In the guest: sysfs must show QEMU's host bridge and the
modern virtio IDs, the devices must work, and a file is written to the root disk for
the host to read back (the caller checks it with debugfs).

usage: pci_boot.py TERN KIT_DIR ROOT_IMG HVC_FILE --firmware tern|opensbi|uboot [--accel A]
"""
import argparse, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptyconsole import Console

OPENSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"
UBOOT = "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin"
BOOTARGS = "console=ttyS0 root=/dev/vda rw init=/init"
# under OpenSBI the root disk is named by its label instead, as distributions name it
# (rootfs-image labels it tern-root; a kernel that mounts root itself knows only devices)
BOOTARGS_LABEL = "console=ttyS0 root=LABEL=tern-root rw init=/init"

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tern")
    ap.add_argument("kit")
    ap.add_argument("root")
    ap.add_argument("hvc")
    ap.add_argument("--firmware", default="tern", choices=["tern", "opensbi", "uboot"])
    ap.add_argument("--accel")
    ap.add_argument("--timeout", type=float, default=300)
    a = ap.parse_args()
    # a kernel with its disk and file system drivers as modules (Debian's) boots from the
    # disk through the kit's initramfs, which mounts root= and switches to it
    initrd = os.path.join(a.kit, "initramfs.cpio.gz")
    with open(os.path.join(a.kit, "linux.config")) as f:
        modular = "CONFIG_VIRTIO_BLK=m" in f.read().split("\n")

    cmd = [a.tern, "-M", "virt", "-m", "256M", "-nographic",
           "-drive", "if=none,id=root,file=%s,format=raw" % a.root,
           "-device", "virtio-blk-pci,drive=root,disable-legacy=on",
           "-device", "virtio-rng-pci",
           "-device", "virtio-serial-pci,id=vs0",
           "-chardev", "file,id=hvc,path=%s" % a.hvc,
           "-device", "virtconsole,bus=vs0.0,chardev=hvc,name=org.tern.port0"]
    if a.firmware in ("opensbi", "uboot"):
        cmd += ["-bios", OPENSBI]
    if a.firmware == "uboot":
        cmd += ["-kernel", UBOOT]
    else:
        cmd += ["-kernel", os.path.join(a.kit, "Image"),
                "-append", BOOTARGS_LABEL if a.firmware == "opensbi" and modular else BOOTARGS]
        if modular:
            cmd += ["-initrd", initrd]
    if a.accel:
        cmd += ["-accel", a.accel]
    con = Console(cmd)
    expect, send = con.expect, con.send

    if a.firmware == "uboot":
        expect(r"Hit any key to stop autoboot", a.timeout)
        send("", end=" ")
        expect(r"=> ", 30)
        send("pci enum; virtio scan; pci")
        expect(r"0x1af4\s+0x1042", 30)
        expect(r"=> ", 30)
        send("ext4load virtio 0 ${kernel_addr_r} /boot/Image")
        expect(r"bytes read", 60)
        expect(r"=> ", 30)
        rd = "-"
        if modular:
            send("ext4load virtio 0 ${ramdisk_addr_r} /boot/initramfs.cpio.gz")
            expect(r"bytes read", 60)
            expect(r"=> ", 30)
            rd = "${ramdisk_addr_r}:${filesize}"
        send("setenv bootargs '%s'; booti ${kernel_addr_r} %s ${fdtcontroladdr}" % (BOOTARGS, rd))
        expect(r"Starting kernel", 60)

    expect(r"tern guest ready", a.timeout)
    expect(r"/ # ", 60)
    print("\n[pci_boot] shell after %.2f s" % con.elapsed(), flush=True)
    send("cat /proc/cmdline; mount | grep ' / '")
    expect(r"/dev/(root|vda) on / type ext[24] \(rw", 30)
    expect(r"/ # ", 30)
    # the root disk sits behind the PCI host bridge, not on virtio-mmio
    send("readlink -f /sys/block/vda/device")
    expect(r"/devices/platform/soc/30000000\.pci/pci0000:00/0000:00:0[0-9a-f]\.0/virtio\d+", 30)
    expect(r"/ # ", 30)
    # what lspci -n shows, from sysfs (Debian's busybox has no lspci)
    send("for d in /sys/bus/pci/devices/*; do echo ${d##*/} $(cat $d/class $d/vendor $d/device); done")
    out = expect(r"/ # ", 30).decode(errors="replace")
    for want in ("0000:00:00.0 0x060000 0x1b36 0x0008", "0x010000 0x1af4 0x1042", "0x00ff00 0x1af4 0x1044",
                 "0x078000 0x1af4 0x1043"):
        if want not in out:
            con.kill()
            raise SystemExit("pci_boot: the guest's PCI devices lack %r" % want)
    send("cd /sys/bus/pci/devices/0000:00:00.0 && cat subsystem_vendor subsystem_device revision; cd /")
    expect(r"0x1af4\s+0x1100\s+0x00", 30)
    expect(r"/ # ", 30)
    # INTx through the PLIC: the virtio interrupts are PLIC lines 32-35
    send("grep -c 'PLIC *3[2-5] .*virtio' /proc/interrupts")
    expect(r"\n[1-9]\d*\r*\n", 30)
    expect(r"/ # ", 30)
    send("cat /sys/class/misc/hw_random/rng_current; head -c 64 /dev/hwrng | wc -c")
    expect(r"virtio_rng", 30)
    expect(r"\n64\r*\n", 30)
    expect(r"/ # ", 30)
    send("for d in /dev/hvc*; do echo hello-over-virtio-serial-pci > $d; done")
    expect(r"/ # ", 30)
    send("echo written-over-pci > /pci.txt && sync && echo WRITE-DONE")
    expect(r"\nWRITE-DONE", 60)
    expect(r"/ # ", 30)
    send("poweroff -f")
    status = con.wait_exit(60)
    if status != 0:
        raise SystemExit("pci_boot: tern exited with status %d after poweroff" % status)
    print("\n[pci_boot] powered off after %.2f s" % con.elapsed(), flush=True)

if __name__ == "__main__":
    main()
