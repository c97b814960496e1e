# loader/: the `geode` command. Everything but main.c goes into the host
# library (build/libgeodehost.a) so that unit tests and fuzz targets can link it.

LOADER_SRCS := $(filter-out loader/main.c,$(wildcard loader/*.c loader/*/*.c))
HOST_SRCS   += $(LOADER_SRCS)
# geode container (loader/oci/): image JSON; libarchive (layer tars) is
# loaded with dlopen when first needed (loader/oci/unpack.c)
HOST_LIBS   += -ljansson

# The protobuf code generation (PROTO_SRC, PROTO_GEN) is declared in the top Makefile.
$(BUILD)/gen/geode_manifest.pb-c.h $(BUILD)/gen/geode_manifest.pb-c.c &: $(PROTO_SRC)
	@mkdir -p $(BUILD)/gen
	protoc-c --proto_path=loader/manifest --c_out=$(BUILD)/gen $(PROTO_SRC)

$(BUILD)/host/gen/geode_manifest.pb-c.o: $(PROTO_GEN)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Wno-unused-parameter -c $< -o $@

# Relative relocations packed (DT_RELR, glibc >= 2.36): geode is a PIE with ~17,600 of them
# (most from the static libcrypto), which ld.so applied one by one at every start; packed,
# a direct-mode static hello takes ~0.5 ms less CPU (perf stat -r 60, docs/performance.md).
GEODE_RELR := $(shell printf 'int main(void){return 0;}' | \
                $(CC) -x c - -o /dev/null -Wl,-z,pack-relative-relocs 2>/dev/null && \
                echo -Wl,-z,pack-relative-relocs)

$(BUILD)/geode: $(BUILD)/host/loader/main.o $(HOST_ARCHIVES) $(BUILD)/host/gen/geode_manifest.pb-c.o
	$(CC) $(HOST_LDFLAGS) $(GEODE_RELR) -o $@ $(BUILD)/host/loader/main.o $(BUILD)/host/gen/geode_manifest.pb-c.o \
	    $(HOST_ARCHIVES) $(HOST_LIBS)

ALL_TARGETS += $(BUILD)/geode
