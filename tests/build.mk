# tests/build.mk - host unit tests.
$(B)/tests/writer_test: tests/unit/writer_test.c $(WRITER_HOST_OBJS) $(B)/host/tools/image/hostcsum.o
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Itools -o $@ $< $(WRITER_HOST_OBJS) $(B)/host/tools/image/hostcsum.o $(HOST_LDLIBS)

all: $(B)/tests/writer_test

$(B)/tests/pfilter_test: tests/unit/pfilter_test.c $(WRITER_HOST_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $< $(WRITER_HOST_OBJS) $(HOST_LDLIBS)

all: $(B)/tests/pfilter_test
