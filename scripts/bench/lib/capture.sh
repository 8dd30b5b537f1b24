# scripts/bench/lib/capture.sh - the set-up the capture benchmarks share
# (20-capture.sh, 21-encoding.sh; sourced, not run): the tools, a work
# directory $W removed on exit, a 1 GiB minikernel guest (tests/lib/
# minikernel.sh) whose memory RANGE is planted from a file, and $W/disk.img
# with one GPT partition "dump" of PSIZE sectors at PSTART.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
B=$TOP/build
RAWDUMP=$B/rawdump
SIM=$B/rawdump-sim
. "$TOP/tests/lib/minikernel.sh"
W=$(mktemp -d "${BENCH_DIR:-/var/tmp}/rawdump-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
MK_MEM=1024
MK_QEMU_TIMEOUT=600
RANGE=0x1000000:992M
PSTART=2048 PSIZE=$((1100 * 2048))

truncate -s 1200M "$W/disk.img"
printf 'label: gpt\nstart=%s, size=%s, type=L, name=dump\n' $PSTART $PSIZE | sfdisk -q "$W/disk.img" >/dev/null
