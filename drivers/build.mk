# drivers/build.mk - polled block drivers for the minikernel.
# DRIVER_SRCS: freestanding sources; the minikernel compiles and links them
# with its own flags (include path: -Idrivers -Iinclude -Iwriter).
# `make drivers-check` compiles them alone, freestanding, warnings as errors.

DRIVER_SRCS := drivers/pci.c drivers/blkdev.c drivers/blkq.c drivers/virtio_pci.c drivers/virtio_blk.c drivers/ahci.c drivers/nvme.c
DRIVER_HDRS := drivers/blkdev.h drivers/hw.h drivers/pci.h drivers/blkq.h drivers/virtio_pci.h

DRIVER_CHECK_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -Wshadow \
	-Wstrict-prototypes -Wmissing-prototypes -ffreestanding -nostdlib \
	-fno-stack-protector -fno-pie -mno-red-zone \
	-fno-builtin -Idrivers -Iinclude -Iwriter
DRIVER_CHECK_OBJS := $(patsubst drivers/%.c,$(B)/drivers-check/%.o,$(DRIVER_SRCS))

$(B)/drivers-check/%.o: drivers/%.c $(DRIVER_HDRS) writer/writer.h include/rawdump/format.h
	@mkdir -p $(dir $@)
	$(CC) $(DRIVER_CHECK_CFLAGS) -c -o $@ $<

.PHONY: drivers-check
drivers-check: $(DRIVER_CHECK_OBJS)

all: drivers-check
