# Geode top-level build. Each subsystem contributes a build.mk fragment;
# this file holds the shared flags and the top-level targets only.
#
#   make deps        install the Debian packages needed to build and test
#   make -j2         build everything into build/
#   make test        run every test; the last line is "N passed, N failed, N skipped"
#   make fuzz-smoke  run each fuzz target for a short, bounded time
#   make install PREFIX=/usr/local DESTDIR=

BUILD   ?= build
CC      ?= gcc
CLANG   ?= clang
PREFIX  ?= /usr/local
DESTDIR ?=

WARN       := -Wall -Wextra -Werror
# HOST_INC: what host code may include. The SGX host layers (pal/sgx/build.mk)
# replace it for their own objects with the folders their layer may use; the
# loader, the direct PAL and the tests see every folder, included as "file.h".
SGX_HOST_INC := -Ipal/sgx/arch -Ipal/sgx/abi -Ipal/sgx/platform -Ipal/sgx/identity \
                -Ipal/sgx/image -Ipal/sgx/sim -Ipal/sgx/urts -Ipal/direct
HOST_INC    := -Iloader -Ipal/include -Ipal/crypto -Ipal/sgx $(SGX_HOST_INC) -I$(BUILD)/gen
HOST_CFLAGS  = -std=gnu11 $(WARN) -O2 -g -MMD -MP -D_GNU_SOURCE $(HOST_INC) $(EXTRA_CFLAGS)
HOST_LDFLAGS := $(EXTRA_LDFLAGS)
# libcrypto and protobuf-c are linked statically: geode starts once per program run, and
# resolving the shared libcrypto costs about a millisecond of every start-up.
HOST_LIBS  := -Wl,-Bstatic -lcrypto -lprotobuf-c -Wl,-Bdynamic -lseccomp -lpthread -ldl

# The canonical manifest schema, compiled with protoc-c; shared by the
# loader (which writes the blob) and the libOS (which reads it), so it is
# defined before any fragment is read.
PROTO_SRC := loader/manifest/geode_manifest.proto
PROTO_GEN := $(BUILD)/gen/geode_manifest.pb-c.c
GEN_HDRS  := $(BUILD)/gen/geode_manifest.pb-c.h

# What host programs link, in this order (each archive after those that call
# into it): the loader (libgeodehost.a), the SGX host layers (pal/sgx/build.mk)
# and the direct PAL (pal/direct/build.mk), after urts, which serves the
# process OCALLs with its pid namespace.
HOST_ARCHIVES := $(BUILD)/libgeodehost.a $(BUILD)/libsgx_urts.a $(BUILD)/libpal_direct.a \
                 $(BUILD)/libsgx_image.a $(BUILD)/libsgx_sim.a $(BUILD)/libsgx_identity.a \
                 $(BUILD)/libsgx_platform.a

# Filled in by the fragments.
HOST_SRCS :=
ALL_TARGETS :=
TEST_BINS :=
FUZZ_BINS :=

.PHONY: all deps test fuzz-smoke fuzz-bins clean install bench bench-quick
all: real-all

include $(sort $(wildcard */build.mk */*/build.mk */*/*/build.mk))

HOST_OBJS := $(patsubst %.c,$(BUILD)/host/%.o,$(filter %.c,$(HOST_SRCS))) \
             $(patsubst %.S,$(BUILD)/host/%.o,$(filter %.S,$(HOST_SRCS)))

$(BUILD)/host/%.o: %.c | $(GEN_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(BUILD)/host/%.o: %.S
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

# The loader; the SGX host layers and the direct PAL are archives of their own.
$(BUILD)/libgeodehost.a: $(HOST_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

real-all: $(ALL_TARGETS)

deps:
	@./.ci/deps

test: all $(TEST_BINS)
	@./tests/run $(BUILD)

fuzz-bins: $(FUZZ_BINS)

fuzz-smoke: $(FUZZ_BINS)
	@./tests/fuzz/smoke $(BUILD)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/geode
	install -m 755 $(BUILD)/geode $(DESTDIR)$(PREFIX)/bin/geode
	for f in $(INSTALL_LIBS); do install -m 644 $$f $(DESTDIR)$(PREFIX)/lib/geode/; done

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
