# writer/build.mk - the dump engine.
# WRITER_SRCS: freestanding sources; the minikernel compiles them with its own flags.
# WRITER_HOST_OBJS: the same sources built for the host (tool, simulator, tests).

WRITER_SRCS := writer/format.c writer/writer.c writer/notes.c writer/csum.c writer/pfilter.c
WRITER_HOST_OBJS := $(patsubst %.c,$(B)/host/%.o,$(WRITER_SRCS))

$(B)/host/writer/%.o: writer/%.c writer/writer.h writer/pfilter.h include/rawdump/format.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c -o $@ $<

SIM_SRCS := writer/sim/sim.c writer/sim/pattern.c
# write --dump-level runs the real page filter once writer/pfilter.c is a writer source
SIM_PFILTER := $(if $(filter writer/pfilter.c,$(WRITER_SRCS)),-DRD_HAVE_PFILTER)
$(B)/rawdump-sim: $(SIM_SRCS) writer/sim/pattern.h writer/pfilter.h $(WRITER_HOST_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(SIM_PFILTER) -Iwriter/sim -o $@ $(SIM_SRCS) $(WRITER_HOST_OBJS) -lblkid $(HOST_LDLIBS)

all: $(B)/rawdump-sim

# rawdump-sim classify: the page filter on a crashed kernel's memory
SIM_SRCS += writer/sim/classify.c
$(B)/rawdump-sim: writer/sim/classify.c writer/sim/classify.h writer/pfilter.h
