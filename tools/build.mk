# tools/build.mk - the rawdump command-line tool.
# build/rawdump = every .c of tools/, tools/disk/ and tools/image/
# (Documentation/layout.md: what lives where) + the host build of the
# writer's shared helpers (WRITER_HOST_OBJS from writer/build.mk), linked
# with libblkid, libsystemd (sd_notify of tools/progress.c),
# json-c (tools/jsonout.c), zlib.
# Objects go to build/host/tools/{,disk/,image/}.

TOOLS_DIRS := tools tools/disk tools/image
TOOLS_SRCS := $(foreach d,$(TOOLS_DIRS),$(wildcard $(d)/*.c))
TOOLS_OBJS := $(patsubst %.c,$(B)/host/%.o,$(TOOLS_SRCS))
TOOLS_HDRS := $(foreach d,$(TOOLS_DIRS),$(wildcard $(d)/*.h)) $(wildcard include/rawdump/*.h) writer/writer.h
# what every build of the tool's sources links (the fuzz harnesses too)
TOOLS_LDLIBS := -lblkid -lsystemd -ljson-c

$(B)/host/tools/%.o: tools/%.c $(TOOLS_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Itools -c -o $@ $<

# `rawdump --version`: git describe at build time, else the fallback.
RAWDUMP_VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.2-unknown)
$(B)/host/tools/main.o: HOST_CFLAGS += -DRAWDUMP_VERSION='"$(RAWDUMP_VERSION)"'

$(B)/rawdump: $(TOOLS_OBJS) $(WRITER_HOST_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $(TOOLS_OBJS) $(WRITER_HOST_OBJS) $(TOOLS_LDLIBS) $(HOST_LDLIBS)

all: $(B)/rawdump
