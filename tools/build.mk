# tools/build.mk - the rawdump command-line tool and the reader's fuzz harness.
# build/rawdump = every tools/*.c + the host build of the writer's shared
# helpers (WRITER_HOST_OBJS from writer/build.mk), linked with libblkid, zlib.

TOOLS_SRCS := $(wildcard tools/*.c)
TOOLS_OBJS := $(patsubst %.c,$(B)/host/%.o,$(TOOLS_SRCS))
TOOLS_HDRS := $(wildcard tools/*.h) include/rawdump/format.h writer/writer.h

$(B)/host/tools/%.o: tools/%.c $(TOOLS_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Itools -c -o $@ $<

$(B)/rawdump: $(TOOLS_OBJS) $(WRITER_HOST_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $(TOOLS_OBJS) $(WRITER_HOST_OBJS) -lblkid $(HOST_LDLIBS)

all: $(B)/rawdump

# Fuzz harness over the partition reader (libFuzzer + ASan + UBSan).
# tests/t-save-fuzz.sh builds it and replays a corpus for a few seconds.
FUZZ_CC := clang
FUZZ_SRCS := tests/fuzz/fuzz_reader.c $(filter-out tools/main.c,$(TOOLS_SRCS)) $(WRITER_SRCS)
$(B)/fuzz/fuzz_reader: $(FUZZ_SRCS) $(TOOLS_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -g -O1 -std=gnu11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -Iinclude -Iwriter -Itools \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-o $@ $(FUZZ_SRCS) -lblkid $(HOST_LDLIBS)


