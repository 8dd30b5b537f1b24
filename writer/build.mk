# writer/build.mk - the dump engine.
# WRITER_SRCS: freestanding sources; the minikernel compiles them with its own flags.
# WRITER_HOST_OBJS: the same sources built for the host (tool, simulator, tests).

WRITER_SRCS := writer/format.c writer/writer.c writer/notes.c writer/csum.c
WRITER_HOST_OBJS := $(patsubst %.c,$(B)/host/%.o,$(WRITER_SRCS))

$(B)/host/writer/%.o: writer/%.c writer/writer.h include/rawdump/format.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c -o $@ $<

SIM_SRCS := writer/sim/sim.c writer/sim/pattern.c
$(B)/rawdump-sim: $(SIM_SRCS) writer/sim/pattern.h $(WRITER_HOST_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Iwriter/sim -o $@ $(SIM_SRCS) $(WRITER_HOST_OBJS) -lblkid $(HOST_LDLIBS)

all: $(B)/rawdump-sim
