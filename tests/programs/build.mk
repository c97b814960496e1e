# tests/programs/: small C programs the direct-mode tests run under geode,
# each built three ways: musl static, glibc static-pie, glibc dynamic PIE.
TPROG_SRCS := $(wildcard tests/programs/*.c)
TPROG_NAMES := $(patsubst tests/programs/%.c,%,$(TPROG_SRCS))
TPROG_DIR := $(BUILD)/tests/programs
TPROG_BINS := $(foreach n,$(TPROG_NAMES),$(TPROG_DIR)/$(n).musl $(TPROG_DIR)/$(n).spie \
                $(TPROG_DIR)/$(n).dyn)

$(TPROG_DIR)/%.musl: tests/programs/%.c
	@mkdir -p $(@D)
	musl-gcc -static -O2 -o $@ $<

$(TPROG_DIR)/%.spie: tests/programs/%.c
	@mkdir -p $(@D)
	$(CC) -static-pie -O2 -pthread -o $@ $<

$(TPROG_DIR)/%.dyn: tests/programs/%.c
	@mkdir -p $(@D)
	$(CC) -pie -fPIE -O2 -pthread -o $@ $<

ALL_TARGETS += $(TPROG_BINS)
