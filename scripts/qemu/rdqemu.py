#!/usr/bin/env python3
"""scripts/qemu/rdqemu.py - run a QEMU x86-64 guest for rawdump's tests.

Boots KERNEL/INITRD with one disk (virtio-blk, AHCI or NVMe), the serial
console on a pipe and a QMP socket. Every serial line is written to LOG
and, with the host time in seconds since QEMU started, to LOG.ts
("  12.345678 text"). With --dump-file, when a serial line matches
--dump-on, the runner takes QEMU's own dump of guest RAM through QMP
dump-guest-memory (paging off, ELF): an independent reference for the
bytes a crash dump claims. With --quit-after-dump it then quits QEMU;
with --quit-on REGEX it quits when a later line matches.
With --secure-boot the guest is a q35 machine with SMM and UEFI firmware
that enforces Secure Boot: Debian's ovmf test firmware whose db holds
the "SnakeOil" certificate (OVMF_CODE_4M.snakeoil.fd, a private copy of
OVMF_VARS_4M.snakeoil.fd per run); the kernel must carry a SnakeOil
signature (sbsign with /usr/share/ovmf/PkKek-1-snakeoil.key).
With --reboot a guest reboot resets the machine into the same kernel,
initrd and command line (default: QEMU exits, -no-reboot).
With --trace-writes, QEMU's virtio-blk write submissions (trace event
virtio_blk_handle_write, on QEMU's stderr) are timestamped in LOG.ts too.
With --snapshot-at PCT=DEST (repeatable), when the minikernel's progress
line "dump: NN%" first reaches PCT, the runner stops the VM through QMP
(QEMU drains the disk's in-flight requests), copies the disk image to
DEST (sparse) and continues it: DEST is the disk as a power cut at that
point would leave it.

Exit status: QEMU's (isa-debug-exit: 0x10 -> 33, 0x11 -> 35), 124 when
--timeout expired (QEMU is killed), 125 when the QMP dump failed.

  rdqemu.py --kernel /boot/vmlinuz-R --initrd build/guest/initrd.gz \\
      --append 'console=ttyS0 crashkernel=16M' --disk disk.img \\
      --log out/serial.log [--echo] [--mem 1024] [--smp 2] \\
      [--dump-file ram.elf --dump-on '^rawdump: DONE' --quit-after-dump]
      [--quit-on '^rawdump: (DONE|FAILED)'] [--snapshot-at 30=cut30.img ...]
      [-- EXTRA QEMU ARGS]
"""
import argparse
import json
import os
import queue
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

QMP_CONNECT_TIMEOUT = 10.0      # seconds for QEMU to open its QMP socket
QMP_DUMP_TIMEOUT = 600.0        # seconds for dump-guest-memory to finish
QUIT_TIMEOUT = 30.0             # seconds for QEMU to exit after quit
OVMF_SB_CODE = "/usr/share/OVMF/OVMF_CODE_4M.snakeoil.fd"
OVMF_SB_VARS = "/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd"
PROGRESS_RE = re.compile(r"^dump: +([0-9]+)%")


class Qmp:
    def __init__(self, path):
        deadline = time.monotonic() + QMP_CONNECT_TIMEOUT
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise RuntimeError("QMP socket %s did not open in %.0f s"
                                       % (path, QMP_CONNECT_TIMEOUT))
                time.sleep(0.05)
        self.buf = b""
        self.recv(QMP_CONNECT_TIMEOUT)          # greeting
        self.command("qmp_capabilities")

    def recv(self, timeout):
        self.sock.settimeout(timeout)
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise RuntimeError("QMP connection closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def command(self, name, args=None, timeout=QMP_CONNECT_TIMEOUT):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self.recv(timeout)
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise RuntimeError("QMP %s: %s" % (name, reply["error"].get("desc")))


def disk_args(path, kind, fmt, ahci_port=0, nvme_nsid=0, iommu=False):
    drive = ["-drive", "file=%s,format=%s,if=none,id=d0,werror=report,rerror=report"
             % (path, fmt)]
    if kind == "virtio" and iommu:  # DMA through the IOMMU (modern virtio only)
        return drive + ["-device", "virtio-blk-pci,drive=d0,disable-legacy=on,iommu_platform=on"]
    if kind == "virtio":
        return drive + ["-device", "virtio-blk-pci,drive=d0"]
    if kind == "ahci":
        return drive + ["-device", "ahci,id=ahci0",
                        "-device", "ide-hd,drive=d0,bus=ahci0.%d" % ahci_port]
    if kind == "virtio-scsi":       # not supported by the minikernel: for refusal tests
        return drive + ["-device", "virtio-scsi-pci,id=scsi0",
                        "-device", "scsi-hd,drive=d0,bus=scsi0.0"]
    if kind == "nvme-subsys":       # multipath-capable subsystem (CMIC set)
        return drive + ["-device", "nvme-subsys,id=subsys0,nqn=rawdump",
                        "-device", "nvme,id=nvme0,serial=rawdump0,subsys=subsys0",
                        "-device", "nvme-ns,drive=d0,bus=nvme0,nsid=%d" % (nvme_nsid or 1)]
    if kind == "nvme" and nvme_nsid:
        return drive + ["-device", "nvme,id=nvme0,serial=rawdump0",
                        "-device", "nvme-ns,drive=d0,bus=nvme0,nsid=%d" % nvme_nsid]
    if kind == "nvme":
        return drive + ["-device", "nvme,serial=rawdump0,drive=d0"]
    raise ValueError(kind)


def main():
    ap = argparse.ArgumentParser(description="run a rawdump test guest in QEMU")
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--initrd")
    ap.add_argument("--append", default="console=ttyS0")
    ap.add_argument("--disk")
    ap.add_argument("--disk-if", choices=["virtio", "ahci", "nvme", "nvme-subsys", "virtio-scsi"], default="virtio")
    ap.add_argument("--disk-format", default="raw")
    ap.add_argument("--ahci-port", type=int, default=0, help="AHCI port of the disk")
    ap.add_argument("--nvme-nsid", type=int, default=0, help="NVMe namespace id (0: default)")
    ap.add_argument("--machine", default=None, help="QEMU machine (default pc; q35 with --iommu)")
    ap.add_argument("--iommu", choices=["intel"], help="an IOMMU (q35): the guest boots intel_iommu=on")
    ap.add_argument("--mem", type=int, default=1024, help="MiB")
    ap.add_argument("--smp", type=int, default=2)
    ap.add_argument("--log", required=True)
    ap.add_argument("--echo", action="store_true", help="copy serial to stdout")
    ap.add_argument("--dump-file")
    ap.add_argument("--dump-on", default=r"^rawdump: (DONE|FAILED)")
    ap.add_argument("--quit-after-dump", action="store_true")
    ap.add_argument("--quit-on", help="quit QEMU through QMP when a serial line matches")
    ap.add_argument("--trace-writes", action="store_true",
                    help="log QEMU's virtio_blk_handle_write trace events among the serial lines")
    ap.add_argument("--secure-boot", action="store_true",
                    help="q35 + SMM + OVMF with Secure Boot on (SnakeOil db)")
    ap.add_argument("--snapshot-at", action="append", default=[], metavar="PCT=DEST",
                    help="copy the disk image to DEST when the dump progress reaches PCT %%")
    ap.add_argument("--reboot", action="store_true",
                    help="a guest reboot boots the same kernel again (no -no-reboot)")
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("extra", nargs="*")
    a = ap.parse_args()
    snapshots = []
    for spec in a.snapshot_at:
        pct, _, dest = spec.partition("=")
        if not pct.isdigit() or not dest or not a.disk:
            ap.error("--snapshot-at wants PCT=DEST and a --disk")
        snapshots.append((int(pct), dest))
    snapshots.sort()

    qdir = tempfile.mkdtemp(prefix="rdqemu.")
    qmp_path = os.path.join(qdir, "qmp.sock")
    machine = ["-machine", a.machine or ("q35" if a.iommu else "pc")]
    vars_copy = None
    if a.secure_boot:
        vars_copy = os.path.join(qdir, "OVMF_VARS.fd")
        with open(OVMF_SB_VARS, "rb") as src, open(vars_copy, "wb") as dst:
            dst.write(src.read())
        machine = ["-machine", "q35,smm=on",
                   "-global", "driver=cfi.pflash01,property=secure,value=on",
                   "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + OVMF_SB_CODE,
                   "-drive", "if=pflash,format=raw,unit=1,file=" + vars_copy]
    cmd = ["qemu-system-x86_64"] + machine + [
           "-m", str(a.mem), "-smp", str(a.smp), "-display", "none",
           "-monitor", "none", "-serial", "stdio", "-nic", "none",
           "-qmp", "unix:%s,server=on,wait=off" % qmp_path,
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-kernel", a.kernel, "-append", a.append]
    if not a.reboot:
        cmd += ["-no-reboot"]
    if a.iommu:
        cmd += ["-device", "intel-iommu,intremap=off"]  # DMA remapping; IR off: TCG timer check
    if a.initrd:
        cmd += ["-initrd", a.initrd]
    if a.trace_writes:
        cmd += ["-trace", "virtio_blk_handle_write"]
    if a.disk:
        cmd += disk_args(a.disk, a.disk_if, a.disk_format, a.ahci_port, a.nvme_nsid,
                         iommu=bool(a.iommu))
    cmd += a.extra

    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    lines = queue.Queue()

    def reader():
        for raw in proc.stdout:
            lines.put((time.monotonic() - t0, raw.decode("utf-8", "replace")
                       .rstrip("\r\n").replace("\r", "")))
        lines.put(None)

    threading.Thread(target=reader, daemon=True).start()
    qmp = None
    try:
        qmp = Qmp(qmp_path)
    except RuntimeError as e:
        print("rdqemu: %s" % e, file=sys.stderr)

    dump_re = re.compile(a.dump_on)
    rc = None
    deadline = t0 + a.timeout
    with open(a.log, "w") as log, open(a.log + ".ts", "w") as tslog:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                print("rdqemu: timeout after %.0f s, killing QEMU" % a.timeout, file=sys.stderr)
                proc.kill()
                rc = 124
                break
            try:
                item = lines.get(timeout=min(left, 1.0))
            except queue.Empty:
                continue
            if item is None:
                break
            t, text = item
            log.write(text + "\n")
            tslog.write("%10.6f %s\n" % (t, text))
            log.flush()
            tslog.flush()
            if a.echo:
                print(text, flush=True)
            if a.quit_on and not a.dump_file and re.search(a.quit_on, text) and qmp is not None:
                try:
                    qmp.command("quit")
                except (RuntimeError, OSError):
                    pass
                a.quit_on = None
            m = PROGRESS_RE.search(text)
            while m and snapshots and int(m.group(1)) >= snapshots[0][0] and qmp is not None:
                pct, dest = snapshots.pop(0)
                try:
                    t1 = time.monotonic()
                    qmp.command("stop")
                    subprocess.run(["cp", "--sparse=always", a.disk, dest], check=True)
                    qmp.command("cont")
                except (RuntimeError, OSError, subprocess.CalledProcessError) as e:
                    print("rdqemu: disk snapshot at %d%% failed: %s" % (pct, e), file=sys.stderr)
                    rc = 125
                    proc.kill()
                    break
                note = "rdqemu: disk snapshot at %d%% (%s) to %s in %.1f s" % (
                    pct, m.group(1), dest, time.monotonic() - t1)
                tslog.write("%10.6f %s\n" % (time.monotonic() - t0, note))
                print(note, file=sys.stderr)
            if rc is not None:
                break
            if a.dump_file and dump_re.search(text):
                if qmp is None:
                    print("rdqemu: no QMP connection for the dump", file=sys.stderr)
                    rc = 125
                    proc.kill()
                    break
                t1 = time.monotonic()
                try:
                    qmp.command("dump-guest-memory",
                                {"paging": False, "protocol": "file:" + os.path.abspath(a.dump_file)},
                                timeout=QMP_DUMP_TIMEOUT)
                except (RuntimeError, OSError) as e:
                    print("rdqemu: dump-guest-memory failed: %s" % e, file=sys.stderr)
                    rc = 125
                    proc.kill()
                    break
                note = "rdqemu: guest memory dumped to %s in %.1f s" % (a.dump_file, time.monotonic() - t1)
                tslog.write("%10.6f %s\n" % (time.monotonic() - t0, note))
                print(note, file=sys.stderr)
                a.dump_file = None
                if a.quit_after_dump:
                    try:
                        qmp.command("quit")
                    except (RuntimeError, OSError):
                        pass
    try:
        qrc = proc.wait(timeout=QUIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        qrc = proc.wait()
    if qmp is not None:
        qmp.sock.close()
    try:
        os.unlink(qmp_path)
    except OSError:
        pass
    if vars_copy:
        os.unlink(vars_copy)
    os.rmdir(qdir)
    return rc if rc is not None else qrc


if __name__ == "__main__":
    sys.exit(main())
