# pal/sgx/enclave/: the trusted PAL, a freestanding static-pie that is the
# first ELF of every enclave (its entry is OENTRY). Same binary on hardware
# and in the sim. No host libc: its own string helpers, no red-zone or SSE
# assumptions across the boundary (-mgeneral-regs-only).
#
# pal/crypto/crypto.c links OpenSSL's static libcrypto: the linker takes only the
# objects AES-GCM needs (AES, GHASH, gcm128), which use no libc but memset
# (string.c); crypto_libc.c defines the few libcrypto symbols they refer to.

ENCLAVE_SRCS := $(wildcard pal/sgx/enclave/*.c pal/sgx/enclave/*.S) pal/crypto/crypto.c
ENCLAVE_OBJS := $(patsubst %,$(BUILD)/enclave/%.o,$(ENCLAVE_SRCS))
# The test build (pal-enclave-test.elf) adds test/: ECALLs that generate
# faults, count and bench OCALLs, for the unit tests and `make bench`. The
# enclave users run (pal-enclave.elf, measured and signed) has none of it.
ENCLAVE_TEST_SRCS := $(ENCLAVE_SRCS) $(wildcard pal/sgx/enclave/test/*.c pal/sgx/enclave/test/*.S)
ENCLAVE_TEST_OBJS := $(patsubst %,$(BUILD)/enclave-test/%.o,$(ENCLAVE_TEST_SRCS))
ENCLAVE_CFLAGS := -std=gnu11 $(WARN) -O2 -g -MMD -MP -ffreestanding -fPIE -fno-stack-protector \
                  -fno-builtin -fno-tree-loop-distribute-patterns -mgeneral-regs-only \
                  -fvisibility=hidden -fno-asynchronous-unwind-tables -Ipal/sgx/enclave -Ipal/sgx/arch -Ipal/sgx/abi -Ipal/include -Ipal/crypto
ENCLAVE_LIBCRYPTO := $(shell $(CC) -print-file-name=libcrypto.a)
ENCLAVE_LDFLAGS := -nostdlib -static-pie -Wl,-z,norelro -Wl,--no-dynamic-linker -Wl,-z,noexecstack \
                   -Wl,--build-id=none

$(BUILD)/enclave/%.c.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ENCLAVE_CFLAGS) -c $< -o $@

$(BUILD)/enclave/%.S.o: %.S
	@mkdir -p $(@D)
	$(CC) $(ENCLAVE_CFLAGS) -c $< -o $@

$(BUILD)/enclave-test/%.c.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ENCLAVE_CFLAGS) -DGEODE_TEST_ECALLS -c $< -o $@

$(BUILD)/enclave-test/%.S.o: %.S
	@mkdir -p $(@D)
	$(CC) $(ENCLAVE_CFLAGS) -DGEODE_TEST_ECALLS -c $< -o $@

$(BUILD)/pal-enclave.elf: $(ENCLAVE_OBJS)
	$(CC) $(ENCLAVE_CFLAGS) $(ENCLAVE_LDFLAGS) -Wl,-e,enclave_entry -o $@ $^ $(ENCLAVE_LIBCRYPTO)

$(BUILD)/pal-enclave-test.elf: $(ENCLAVE_TEST_OBJS)
	$(CC) $(ENCLAVE_CFLAGS) $(ENCLAVE_LDFLAGS) -Wl,-e,enclave_entry -o $@ $^ $(ENCLAVE_LIBCRYPTO)

ALL_TARGETS  += $(BUILD)/pal-enclave.elf
INSTALL_LIBS += $(BUILD)/pal-enclave.elf
