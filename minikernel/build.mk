# minikernel/build.mk - the capture kernel (Documentation/minikernel.md).
# Compiles minikernel/, $(WRITER_SRCS) and $(DRIVER_SRCS) freestanding into
# $(B)/minikernel/, links them with zlib's deflate objects from Debian's
# libz.a, lz4.o from Debian's liblz4.a and zstd's compressor (fast strategy)
# from Debian's libzstd.a into a static PIE, then mkimage embeds the self-check CRC and
# writes rdmk.elf (PVH, QEMU -kernel) and rdmk.bzImage (kexec -p / -s -p,
# and QEMU -kernel through minikernel/setup.S's real-mode entry; also a
# PE/COFF image). `make sign KEY=... CERT=...` writes rdmk.signed.bzImage
# (scripts/sign-minikernel.sh: sbsign, then sbverify against CERT) for
# Secure Boot systems (Documentation/user-guide.md, "Secure Boot").

MK_DIR := $(B)/minikernel
MK_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter -Wshadow \
	-Wstrict-prototypes -Wmissing-prototypes -ffreestanding -fno-stack-protector \
	-fpie -mno-red-zone -fno-asynchronous-unwind-tables -fno-common \
	-fvisibility=hidden -Iminikernel -Idrivers -Iwriter -Iinclude
# the page filter (writer/pfilter.c) is set up when it is one of the writer's sources
MK_CFLAGS += $(if $(filter writer/pfilter.c,$(WRITER_SRCS)),-DRD_HAVE_PFILTER)
MK_LDFLAGS := -static -pie --no-dynamic-linker -z text -z noexecstack \
	-z max-page-size=4096 --no-undefined --build-id=none --no-warn-rwx-segments \
	-T minikernel/mk.lds
MK_LIBZ := /usr/lib/x86_64-linux-gnu/libz.a
MK_ZLIB_MEMBERS := deflate.o trees.o zutil.o adler32.o crc32.o
MK_LIBLZ4 := /usr/lib/x86_64-linux-gnu/liblz4.a
MK_LZ4_MEMBERS := lz4.o
# zstd's compressor with the fast strategy only (writer/writer.c): the
# other strategies' block compressors are minikernel/zstdstub.c's
MK_LIBZSTD := /usr/lib/x86_64-linux-gnu/libzstd.a
MK_ZSTD_MEMBERS := zstd_compress.o zstd_compress_literals.o zstd_compress_sequences.o \
	zstd_compress_superblock.o zstd_fast.o zstd_ldm.o fse_compress.o huf_compress.o \
	hist.o entropy_common.o error_private.o zstd_common.o xxhash.o

MK_SRCS := minikernel/main.c minikernel/console.c minikernel/cpu.c \
	minikernel/selfcheck.c minikernel/boot.c minikernel/cmdline.c \
	minikernel/paging.c minikernel/hw.c minikernel/lib.c \
	minikernel/crashhdr.c minikernel/dump.c minikernel/iommu.c minikernel/zstdstub.c
MK_HDRS := minikernel/mk.h drivers/hw.h drivers/pci.h drivers/blkdev.h \
	writer/writer.h writer/pfilter.h $(wildcard include/rawdump/*.h)
MK_OBJS := $(MK_DIR)/mk/head.o $(patsubst minikernel/%.c,$(MK_DIR)/mk/%.o,$(MK_SRCS)) \
	$(patsubst writer/%.c,$(MK_DIR)/writer/%.o,$(WRITER_SRCS)) \
	$(patsubst drivers/%.c,$(MK_DIR)/drivers/%.o,$(DRIVER_SRCS)) \
	$(addprefix $(MK_DIR)/zlib/,$(MK_ZLIB_MEMBERS)) \
	$(addprefix $(MK_DIR)/lz4/,$(MK_LZ4_MEMBERS)) \
	$(addprefix $(MK_DIR)/zstd/,$(MK_ZSTD_MEMBERS))

$(MK_DIR)/mk/head.o: minikernel/head.S minikernel/bootpt.h
	@mkdir -p $(dir $@)
	$(CC) $(MK_CFLAGS) -c -o $@ $<

$(MK_DIR)/mk/%.o: minikernel/%.c $(MK_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(MK_CFLAGS) -c -o $@ $<

$(MK_DIR)/writer/%.o: writer/%.c $(MK_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(MK_CFLAGS) -c -o $@ $<

$(MK_DIR)/drivers/%.o: drivers/%.c $(MK_HDRS) $(wildcard drivers/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(MK_CFLAGS) -c -o $@ $<

$(addprefix $(MK_DIR)/zlib/,$(MK_ZLIB_MEMBERS)): $(MK_LIBZ)
	@mkdir -p $(MK_DIR)/zlib
	cd $(MK_DIR)/zlib && ar x $(MK_LIBZ) $(MK_ZLIB_MEMBERS) && touch $(MK_ZLIB_MEMBERS)

$(addprefix $(MK_DIR)/lz4/,$(MK_LZ4_MEMBERS)): $(MK_LIBLZ4)
	@mkdir -p $(MK_DIR)/lz4
	cd $(MK_DIR)/lz4 && ar x $(MK_LIBLZ4) $(MK_LZ4_MEMBERS) && touch $(MK_LZ4_MEMBERS)

$(addprefix $(MK_DIR)/zstd/,$(MK_ZSTD_MEMBERS)): $(MK_LIBZSTD)
	@mkdir -p $(MK_DIR)/zstd
	cd $(MK_DIR)/zstd && ar x $(MK_LIBZSTD) $(MK_ZSTD_MEMBERS) && touch $(MK_ZSTD_MEMBERS)

$(MK_DIR)/setup.o: minikernel/setup.S minikernel/bootpt.h
	@mkdir -p $(dir $@)
	$(CC) -c -o $@ $<

$(MK_DIR)/setup.bin: $(MK_DIR)/setup.o
	$(LD) -Ttext=0 -e 0 --oformat=binary -o $@ $<

$(MK_DIR)/mkimage: minikernel/mkimage.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $< -lz

$(MK_DIR)/rdmk.pie: $(MK_OBJS) minikernel/mk.lds
	$(LD) $(MK_LDFLAGS) -o $@ $(MK_OBJS)

$(MK_DIR)/rdmk.elf $(MK_DIR)/rdmk.bzImage &: $(MK_DIR)/rdmk.pie $(MK_DIR)/setup.bin $(MK_DIR)/mkimage
	$(MK_DIR)/mkimage $(MK_DIR)/rdmk.pie $(MK_DIR)/setup.bin $(MK_DIR)/rdmk.elf $(MK_DIR)/rdmk.bzImage

.PHONY: minikernel
minikernel: $(MK_DIR)/rdmk.elf $(MK_DIR)/rdmk.bzImage
all: minikernel

.PHONY: sign
sign: $(MK_DIR)/rdmk.bzImage
	@[ -n "$(KEY)" ] && [ -n "$(CERT)" ] || { echo "usage: make sign KEY=key.pem CERT=cert.pem" >&2; exit 1; }
	scripts/sign-minikernel.sh "$(KEY)" "$(CERT)" $(MK_DIR)/rdmk.bzImage $(MK_DIR)/rdmk.signed.bzImage
