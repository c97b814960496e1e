# libos/: the libOS image build/libos.elf, a freestanding static-pie ELF.
# No host libc: its own helpers live in libos/lib/. It must never contain a
# syscall instruction (every host service goes through the PAL) nor use x87,
# SSE or AVX registers (-mgeneral-regs-only: the PAL does not save the
# program's vector state around libOS code), which the link step checks by
# disassembling the result (libos/image_check.sh).

LIBOS_SRCS := $(sort $(wildcard libos/*.c libos/*/*.c libos/*/*.S))
LIBOS_OBJS := $(patsubst %,$(BUILD)/libos/%.o,$(LIBOS_SRCS)) $(BUILD)/libos/gen/geode_manifest.pb-c.o
LIBOS_CFLAGS := -std=gnu11 $(WARN) -O2 -g -MMD -MP -ffreestanding -fPIE -fno-stack-protector \
                -fvisibility=hidden -fno-plt -mgeneral-regs-only -fno-tree-loop-distribute-patterns \
                -Ilibos -Ipal/include -I$(BUILD)/gen -ffile-prefix-map=$(BUILD)/= -ffile-prefix-map=$(CURDIR)/=
LIBOS_LDFLAGS := -static-pie -nostdlib -Wl,--build-id=none -Wl,-e,libos_entry -Wl,-z,noexecstack -Wl,--no-undefined \
                 -Wl,--gc-sections \
                 -Wl,-z,norelro -Wl,--hash-style=gnu
# The manifest blob is decoded by lib/pbdec.c from protoc-c's generated
# descriptors; the distribution's libprotobuf-c.a is not linked (it uses SSE).
LIBOS_LIBS :=
SYSNAMES := $(BUILD)/gen/libos_sysnames.h

$(SYSNAMES): /usr/include/x86_64-linux-gnu/asm/unistd_64.h
	@mkdir -p $(@D)
	sed -n 's/^#define __NR_\([a-z0-9_]*\) \([0-9]*\)$$/[\2] = "\1",/p' $< >$@.tmp && mv $@.tmp $@

$(BUILD)/libos/%.c.o: %.c | $(GEN_HDRS) $(SYSNAMES)
	@mkdir -p $(@D)
	$(CC) $(LIBOS_CFLAGS) -c $< -o $@

$(BUILD)/libos/%.S.o: %.S
	@mkdir -p $(@D)
	$(CC) $(LIBOS_CFLAGS) -c $< -o $@

# Function sections, so the link drops the generated pack functions (they
# call protobuf-c's encoder, which the libOS does not have).
$(BUILD)/libos/gen/geode_manifest.pb-c.o: $(PROTO_GEN) libos/build.mk | $(GEN_HDRS)
	@mkdir -p $(@D)
	$(CC) $(LIBOS_CFLAGS) -ffunction-sections -fdata-sections -Wno-unused-parameter -c $< -o $@

$(BUILD)/libos.elf: $(LIBOS_OBJS) $(LIBOS_LIBS) libos/image_check.sh
	$(CC) $(LIBOS_LDFLAGS) -o $@.tmp $(LIBOS_OBJS) $(LIBOS_LIBS) -lgcc
	@libos/image_check.sh $@.tmp || { rm -f $@.tmp; exit 1; }
	mv $@.tmp $@

ALL_TARGETS += $(BUILD)/libos.elf
INSTALL_LIBS += $(BUILD)/libos.elf
