# tools/build.mk - the rawdump command-line tool.
# build/rawdump = every .c of tools/, tools/disk/ and tools/image/
# (Documentation/layout.md: what lives where) + the host build of the
# writer's shared helpers (WRITER_HOST_OBJS from writer/build.mk), linked
# with libblkid, json-c, zlib. Objects go to build/host/tools/{,disk/,image/}.

TOOLS_DIRS := tools tools/disk tools/image
TOOLS_SRCS := $(foreach d,$(TOOLS_DIRS),$(wildcard $(d)/*.c))
TOOLS_OBJS := $(patsubst %.c,$(B)/host/%.o,$(TOOLS_SRCS))
TOOLS_HDRS := $(foreach d,$(TOOLS_DIRS),$(wildcard $(d)/*.h)) $(wildcard include/rawdump/*.h) writer/writer.h

$(B)/host/tools/%.o: tools/%.c $(TOOLS_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Itools -c -o $@ $<

$(B)/rawdump: $(TOOLS_OBJS) $(WRITER_HOST_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $(TOOLS_OBJS) $(WRITER_HOST_OBJS) -lblkid -ljson-c $(HOST_LDLIBS)

all: $(B)/rawdump
