# libos/pf/: the protected-files format (no libOS dependencies: crypto and
# I/O through callbacks), built into the libOS (libos/build.mk's wildcard)
# and into the host library (`geode pf`, unit test, fuzz), which sees only
# this directory (-Ilibos/pf in HOST_INC, which the SGX host layers replace
# with their own folders), not the rest of the libOS.
HOST_SRCS += libos/pf/pf.c
HOST_INC += -Ilibos/pf
