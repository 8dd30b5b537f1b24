# rawdump - top-level build.
#   make            build everything into build/
#   make check      install missing packages, build, run all tests
#   make bench      benchmarks (ratios against baselines measured in the same run)
#   make fuzz       every fuzz harness for a fixed budget (FUZZ_RUNS, default 10^7; FUZZ_JOBS)
#   make mutate     disable each safety check in a copy of the tree: its tests must fail
#   make check-iommu  tests/t-e2e-iommu.sh with every driver on both IOMMUs (8 guest boots)
#   make demo       a Debian guest crashes in QEMU, is dumped, saved and summarised
#   make powercut   20 power cuts during one real dump per driver (POWERCUT_*)
#   make soak       50 real crashes, mixed drivers/sizes/CPUs/loaders (SOAK_RUNS)
#   make install    DESTDIR=, PREFIX= (default /usr/local)
#   make deb        the Debian package, into build/deb/ (debian/)
# Each directory contributes a build.mk fragment; the data path is
# minikernel/ (+ writer/, drivers/) -> partition -> tools/ -> vmcore.

B        := build
CC       ?= gcc
PREFIX   ?= /usr/local
DESTDIR  ?=

HOST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter \
	-Wshadow -Wstrict-prototypes -Wmissing-prototypes -D_GNU_SOURCE \
	-D_FILE_OFFSET_BITS=64 -Iinclude -Iwriter $(EXTRA_CFLAGS)
HOST_LDLIBS := -lz -llz4 -lzstd -lisal -lxxhash

.PHONY: all check deps bench demo install clean fuzz mutate check-iommu powercut soak
all:

include writer/build.mk
include tools/build.mk
include drivers/build.mk
include minikernel/build.mk
include tests/build.mk
include tests/fuzz/build.mk
include scripts/install.mk

deps:
	@scripts/install-deps.sh

check: deps
	@$(MAKE) --no-print-directory all
	@tests/run

IOMMU_ALL := intel:virtio intel:ahci intel:nvme intel:noiommu-nvme \
	amd:virtio amd:ahci amd:nvme amd:noiommu-nvme
check-iommu: deps
	@$(MAKE) --no-print-directory all
	@IOMMU_CASES="$(IOMMU_ALL)" tests/run e2e-iommu

clean:
	rm -rf $(B)

fuzz: deps
	@$(MAKE) --no-print-directory all fuzz-build
	@scripts/fuzz.sh

# each runs scripts/TARGET.sh after a build
mutate bench demo powercut soak: deps
	@$(MAKE) --no-print-directory all
	@scripts/$@.sh
