# tests/: each tests/unit/test_*.c is one test program linked against the
# host library. Fuzz targets live in tests/fuzz/ (built with clang).

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
TEST_BINS += $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libgeodehost.a $(BUILD)/host/gen/geode_manifest.pb-c.o | $(GEN_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(HOST_LDFLAGS) -Itests/unit -o $@ $< $(BUILD)/host/gen/geode_manifest.pb-c.o \
	    $(BUILD)/libgeodehost.a $(HOST_LIBS)
