#!/bin/bash
# scripts/bench/30-e2e.sh - the real crash path (issue 4): a stock Debian
# guest of 1 GiB and of 4 GiB, crashkernel=4M, panics with sysrq-c; from the
# runner's timestamps: boot time to a shell (what any Linux capture kernel
# spends before dumping a byte), sysrq -> minikernel, -> first data block,
# -> dump COMPLETE, and MiB/s. See scripts/qemu/measure.sh.
set -eu
cd "$(dirname "$0")/../.."
exec scripts/qemu/measure.sh ${BENCH_E2E_MEM:-1024 4096}
