# Fuzz targets: tests/fuzz/fuzz_*.c, each linked with the loader's sources,
# built with clang's libFuzzer plus ASan and UBSan.

FUZZ_CFLAGS := -std=gnu11 -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
               -fno-sanitize-recover=undefined -Iloader -Ilibos/pf -Ipal/include -Ipal/crypto -Ipal/sgx $(SGX_HOST_INC) -I$(BUILD)/gen
# Without cmd_run.c: `geode run` needs the PALs, which the fuzz targets do not link.
FUZZ_LIB_SRCS = $(filter-out loader/cmd_run.c,$(LOADER_SRCS)) libos/pf/pf.c $(PROTO_GEN)
FUZZ_BINS += $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

FUZZ_HDRS = $(wildcard loader/*.h loader/*/*.h pal/include/*.h pal/sgx/*/*.h)

$(BUILD)/fuzz/%: tests/fuzz/%.c $(LOADER_SRCS) $(FUZZ_HDRS) $(PROTO_GEN) | $(GEN_HDRS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIB_SRCS) $(HOST_LIBS)

# The libOS's ELF loader: fuzz_libos_elf.c #includes libos/elf/load.c and
# provides its VFS and memory as test doubles (no loader sources linked).
$(BUILD)/fuzz/fuzz_libos_elf: tests/fuzz/fuzz_libos_elf.c libos/elf/load.c \
                              $(wildcard libos/*.h libos/*/*.h pal/include/*.h) | $(GEN_HDRS)
	@mkdir -p $(@D)
	$(CLANG) -Ilibos $(FUZZ_CFLAGS) $(WARN) -o $@ $<

# The libOS's protobuf decoder against protobuf-c (pbdec.c, no loader sources).
$(BUILD)/fuzz/fuzz_pbdec: tests/fuzz/fuzz_pbdec.c libos/lib/pbdec.c libos/lib/pbdec.h $(PROTO_GEN) \
                          $(BUILD)/gen/pbtest.pb-c.c $(BUILD)/gen/pbtest.pb-c.h | $(GEN_HDRS)
	@mkdir -p $(@D)
	$(CLANG) -Ilibos $(FUZZ_CFLAGS) $(WARN) -o $@ $< libos/lib/pbdec.c $(PROTO_GEN) \
	    $(BUILD)/gen/pbtest.pb-c.c $(HOST_LIBS)
# The protected-files format alone (libos/pf/pf.c, no loader sources).
$(BUILD)/fuzz/fuzz_pf_meta: tests/fuzz/fuzz_pf_meta.c libos/pf/pf.c libos/pf/pf.h
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) $(WARN) -o $@ $< libos/pf/pf.c
# The host's resolv.conf and host name as the libOS reads them
# (libos/fs/etc_conf.c, #included with test doubles for the PAL and files).
$(BUILD)/fuzz/fuzz_etc_conf: tests/fuzz/fuzz_etc_conf.c libos/fs/etc_conf.c libos/fs/host_read.c \
                             $(wildcard libos/*.h libos/*/*.h pal/include/*.h) | $(GEN_HDRS)
	@mkdir -p $(@D)
	$(CLANG) -Ilibos $(FUZZ_CFLAGS) $(WARN) -o $@ $<
# The rewriter's unwind-table reader (libos/core/eh_frame.c, #included with
# a one-mapping vma_find).
$(BUILD)/fuzz/fuzz_eh_frame: tests/fuzz/fuzz_eh_frame.c libos/core/eh_frame.c \
                             $(wildcard libos/*.h libos/*/*.h pal/include/*.h) | $(GEN_HDRS)
	@mkdir -p $(@D)
	$(CLANG) -Ilibos $(FUZZ_CFLAGS) $(WARN) -o $@ $<
