# Shared by the examples' Makefiles (examples/*/Makefile), in the style of
# Gramine's CI-Examples: `make` renders NAME.manifest from its template with
# `geode manifest render`; `make check` runs the program under Geode and
# compares what it prints with the same program run natively.
#   GEODE_MODE=sim (default), direct or sgx;  GEODE=path/to/geode
EXAMPLES_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
GEODE ?= $(EXAMPLES_DIR)/../build/geode
GEODE_MODE ?= sim
ARCH_LIBDIR ?= /lib/$(shell $(CC) -dumpmachine)
ifeq ($(DEBUG),1)
LOG_LEVEL = debug
else
LOG_LEVEL = error
endif
GEODE_RUN = $(GEODE) run --mode $(GEODE_MODE)

%.manifest: %.manifest.template
	$(GEODE) manifest render $< $@ -Dlog_level=$(LOG_LEVEL) -Darch_libdir=$(ARCH_LIBDIR) \
	    $(RENDER_VARS)
	$(GEODE) manifest check $@ >/dev/null

.PHONY: clean-manifests
clean-manifests:
	$(RM) *.manifest
