# tests/sgx/enclaves/: small test enclaves in assembly, linked as static-pie
# ELFs with no relocations (nothing inside an enclave would apply them).
# The sim tests load them with the image builder: $(BUILD)/enclaves/NAME.elf

TEST_ENCLAVE_SRCS := $(wildcard tests/sgx/enclaves/*.S)
TEST_ENCLAVES     := $(patsubst tests/sgx/enclaves/%.S,$(BUILD)/enclaves/%.elf,$(TEST_ENCLAVE_SRCS))
TEST_BINS         += $(TEST_ENCLAVES)

$(BUILD)/enclaves/%.elf: tests/sgx/enclaves/%.S
	@mkdir -p $(@D)
	$(CC) -nostdlib -static-pie -fPIE -Wl,--no-dynamic-linker -Wl,-z,noexecstack -Wa,--noexecstack -o $@ $<
	@if readelf -r $@ | grep -q 'R_X86_64'; then echo "$@: has relocations" >&2; rm -f $@; exit 1; fi
