# Fuzz targets: tests/fuzz/fuzz_*.c, each linked with the loader's sources,
# built with clang's libFuzzer plus ASan and UBSan.

FUZZ_CFLAGS := -std=gnu11 -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
               -fno-sanitize-recover=undefined -Iloader -Ipal/include -Ipal/sgx -I$(BUILD)/gen
FUZZ_LIB_SRCS = $(LOADER_SRCS) $(PROTO_GEN)
FUZZ_BINS += $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

FUZZ_HDRS = $(wildcard loader/*.h loader/*/*.h pal/include/*.h pal/sgx/*/*.h)

$(BUILD)/fuzz/%: tests/fuzz/%.c $(LOADER_SRCS) $(FUZZ_HDRS) $(PROTO_GEN) | $(GEN_HDRS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIB_SRCS) $(HOST_LIBS)
