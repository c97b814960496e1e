# tests/conformance/: small C programs, each printing what it observed, run
# natively and under geode by t_conformance.sh and compared (see
# docs/conformance.md). Built as the tests/programs are: glibc static-pie.
CONF_SRCS := $(wildcard tests/conformance/*.c)
CONF_DIR := $(BUILD)/tests/conformance
CONF_BINS := $(patsubst tests/conformance/%.c,$(CONF_DIR)/%,$(CONF_SRCS))

$(CONF_DIR)/%: tests/conformance/%.c tests/conformance/conf.h
	@mkdir -p $(@D)
	$(CC) -static-pie -O2 -pthread -Wall -Wextra -Werror -o $@ $<

ALL_TARGETS += $(CONF_BINS)
