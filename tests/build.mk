# tests/: each tests/unit/test_*.c is one test program linked against the
# host library. Fuzz targets live in tests/fuzz/ (built with clang).

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
TEST_BINS += $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
# The enclave with test ECALLs that the enclave unit tests load.
TEST_BINS += $(BUILD)/pal-enclave-test.elf

$(BUILD)/tests/%: tests/unit/%.c $(HOST_ARCHIVES) $(BUILD)/host/gen/geode_manifest.pb-c.o | $(GEN_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(HOST_LDFLAGS) -Itests/unit -o $@ $< $(BUILD)/host/gen/geode_manifest.pb-c.o \
	    $(HOST_ARCHIVES) $(HOST_LIBS)

# test_enclave_crypto: the trusted PAL's crypto.c built for the host, with the
# enclave's -mgeneral-regs-only (it may touch no vector register outside its
# XSAVE/XRSTOR), against the host's static libcrypto.
$(BUILD)/tests/enclave_crypto.o: pal/crypto/crypto.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -mgeneral-regs-only -c $< -o $@

$(BUILD)/tests/test_enclave_crypto: tests/unit/test_enclave_crypto.c $(BUILD)/tests/enclave_crypto.o
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(HOST_LDFLAGS) -Itests/unit -o $@ $< $(BUILD)/tests/enclave_crypto.o $(HOST_LIBS)

# The libOS unit tier (tests/libos/): libOS files built for the host, with the
# libOS's -mgeneral-regs-only, and linked into a test program against the
# host's libc and, where a test needs one, a fake PAL of its own.
LIBOS_UNIT_SRCS := $(wildcard tests/libos/test_*.c)
TEST_BINS += $(patsubst tests/libos/%.c,$(BUILD)/tests/%,$(LIBOS_UNIT_SRCS))

$(BUILD)/tests/libos/%.o: libos/%.c | $(GEN_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -mgeneral-regs-only -Ilibos -c $< -o $@

# pbtest.proto: every field shape the libOS's protobuf decoder must handle.
$(BUILD)/gen/pbtest.pb-c.c: tests/libos/pbtest.proto
	@mkdir -p $(@D)
	protoc-c --proto_path=tests/libos --c_out=$(BUILD)/gen $<
$(BUILD)/gen/pbtest.pb-c.h: $(BUILD)/gen/pbtest.pb-c.c

$(BUILD)/tests/test_libos_pbdec: tests/libos/test_libos_pbdec.c $(BUILD)/tests/libos/lib/pbdec.o \
                                 $(BUILD)/gen/pbtest.pb-c.c $(BUILD)/gen/pbtest.pb-c.h \
                                 $(BUILD)/host/gen/geode_manifest.pb-c.o | $(GEN_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(HOST_LDFLAGS) -Ilibos -o $@ $< $(BUILD)/tests/libos/lib/pbdec.o \
	    $(BUILD)/gen/pbtest.pb-c.c $(BUILD)/host/gen/geode_manifest.pb-c.o $(HOST_LIBS)

# The tests over the shared fake PAL (fake_pal.c) link libOS files with the
# real libOS helpers (lib/log.c, lib/errname.c, lib/format.c, core/lock.c; the host libc
# stands in for lib/string.c and lib/alloc.c). Their objects are built as in
# the image (-ffreestanding: no builtin rewrites of libc calls), and the
# libOS's snprintf (a subset: the text it makes is what is tested) and
# log.c's libc hooks are renamed so that they do not replace the host's.
LIBOS_UNIT_FAKED := $(addprefix $(BUILD)/tests/test_libos_,vma path signal_frame rewrite proc_text lib vfs fd etc_conf proc_net)
LIBOS_UNIT_RENAMES := snprintf vsnprintf __assert_fail __stack_chk_fail
LIBOS_UNIT_FAKE := $(BUILD)/tests/libos/fake/fake_pal.o
libos_unit_objs = $(patsubst %,$(BUILD)/tests/libos/renamed/%.o,lib/log lib/errname lib/format core/lock $(1)) \
                  $(LIBOS_UNIT_FAKE)

$(BUILD)/tests/libos/renamed/%.o: libos/%.c | $(GEN_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -ffreestanding -mgeneral-regs-only -Ilibos -MT $@ -MF $(@:.o=.d) \
	    -c $< -o $@.tmp
	objcopy $(foreach s,$(LIBOS_UNIT_RENAMES),--redefine-sym $(s)=libos_$(s)) $@.tmp $@
	@rm -f $@.tmp

$(LIBOS_UNIT_FAKE): tests/libos/fake_pal.c tests/libos/fake_pal.h | $(GEN_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Ilibos -c $< -o $@

$(BUILD)/tests/test_libos_vma: $(call libos_unit_objs,core/vma)
$(BUILD)/tests/test_libos_path: $(call libos_unit_objs,fs/path)
$(BUILD)/tests/test_libos_signal_frame: $(call libos_unit_objs,core/signal sys/signal)
$(BUILD)/tests/test_libos_rewrite: $(call libos_unit_objs,core/rewrite core/eh_frame core/vma)
$(BUILD)/tests/test_libos_proc_text: $(call libos_unit_objs,proc/proc_text core/process core/signal core/vma)
$(BUILD)/tests/test_libos_lib: $(call libos_unit_objs,)
$(BUILD)/tests/test_libos_vfs: $(call libos_unit_objs,fs/mount fs/path fs/ops fs/open fs/tmpfs core/file core/fd)
$(BUILD)/tests/test_libos_fd: $(call libos_unit_objs,core/file core/fd sys/fs_io)
$(BUILD)/tests/test_libos_etc_conf: $(call libos_unit_objs,fs/etc_conf fs/host_read core/file)
$(BUILD)/tests/test_libos_proc_net: $(call libos_unit_objs,proc/proc_net fs/host_read)

$(LIBOS_UNIT_FAKED): $(BUILD)/tests/%: tests/libos/%.c tests/libos/fake_pal.h | $(GEN_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(HOST_LDFLAGS) -Ilibos -Itests/libos -o $@ $< $(filter %.o,$^) -lpthread
