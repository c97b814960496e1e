# pal/direct/: the direct PAL, linked into build/geode. Its code runs while
# FS belongs to the program, so glibc's TLS users (stack protector) are off.
DIRECT_PAL_SRCS := $(wildcard pal/direct/*.c pal/direct/*.S)
# pal_crypto.c: AES-GCM with pal/crypto/crypto.c (the trusted PAL's too), which may touch no
# vector register outside its own XSAVE/XRSTOR.
DIRECT_PAL_SRCS += pal/crypto/crypto.c
$(BUILD)/host/pal/crypto/crypto.o: HOST_CFLAGS += -mgeneral-regs-only
DIRECT_PAL_OBJS := $(patsubst %.c,$(BUILD)/host/%.o,$(filter %.c,$(DIRECT_PAL_SRCS))) \
                   $(patsubst %.S,$(BUILD)/host/%.o,$(filter %.S,$(DIRECT_PAL_SRCS)))
$(BUILD)/libpal_direct.a: $(DIRECT_PAL_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

$(patsubst %.c,$(BUILD)/host/%.o,$(filter %.c,$(DIRECT_PAL_SRCS))): HOST_CFLAGS += -fno-stack-protector

# The SGX host runtime serves the enclave's process OCALLs with the direct
# PAL's pid-namespace code (pal/sgx/urts/urts_procs.c), so whatever links
# pal/sgx/urts (the fuzz targets, through LOADER_SRCS) links it too.
LOADER_SRCS += $(DIRECT_PAL_SRCS)
