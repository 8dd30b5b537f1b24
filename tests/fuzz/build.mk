# tests/fuzz/build.mk - libFuzzer + ASan + UBSan harnesses, one per parser of
# hostile input (Documentation/testing.md lists them). `make fuzz` runs each
# for a fixed budget (scripts/fuzz.sh); tests/t-fuzz-parsers.sh and
# tests/t-save-fuzz.sh run short fixed-seed rounds in make check.
FUZZ_CC := clang
FUZZ_CFLAGS := -g -O1 -std=gnu11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -Iinclude -Iwriter \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_TOOL_SRCS := $(filter-out tools/main.c,$(TOOLS_SRCS)) $(WRITER_SRCS)
FUZZ_LIBS := -lblkid -ljson-c $(HOST_LDLIBS)
FUZZ_MK_SRCS := $(WRITER_SRCS)
FUZZ_MK_HDRS := minikernel/mk.h drivers/hw.h drivers/pci.h writer/writer.h include/rawdump/format.h

# The partition reader (tools/image/partition.c); tests/t-save-fuzz.sh
# builds it and replays a corpus for a few seconds.
$(B)/fuzz/fuzz_reader: tests/fuzz/fuzz_reader.c $(FUZZ_TOOL_SRCS) $(TOOLS_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Itools -o $@ $< $(FUZZ_TOOL_SRCS) $(FUZZ_LIBS)

$(B)/fuzz/fuzz_vmcore: tests/fuzz/fuzz_vmcore.c $(FUZZ_TOOL_SRCS) $(TOOLS_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Itools -o $@ $< $(FUZZ_TOOL_SRCS) $(FUZZ_LIBS)

$(B)/fuzz/fuzz_config: tests/fuzz/fuzz_config.c $(FUZZ_TOOL_SRCS) $(TOOLS_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Itools -o $@ $< $(FUZZ_TOOL_SRCS) $(FUZZ_LIBS)

$(B)/fuzz/fuzz_cmdline: tests/fuzz/fuzz_mk.c minikernel/cmdline.c $(FUZZ_MK_SRCS) $(FUZZ_MK_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -DFUZZ_CMDLINE -Iminikernel -Idrivers -o $@ $< minikernel/cmdline.c \
		$(FUZZ_MK_SRCS) $(FUZZ_LIBS)

$(B)/fuzz/fuzz_elfcorehdr: tests/fuzz/fuzz_mk.c minikernel/crashhdr.c $(FUZZ_MK_SRCS) $(FUZZ_MK_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -DFUZZ_ELFCOREHDR -Iminikernel -Idrivers -o $@ $< minikernel/crashhdr.c \
		$(FUZZ_MK_SRCS) $(FUZZ_LIBS)

FUZZ_HARNESSES := $(B)/fuzz/fuzz_reader $(B)/fuzz/fuzz_vmcore $(B)/fuzz/fuzz_config \
	$(B)/fuzz/fuzz_cmdline $(B)/fuzz/fuzz_elfcorehdr
.PHONY: fuzz-build
fuzz-build: $(FUZZ_HARNESSES)
