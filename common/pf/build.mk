# common/pf/: the protected-files format, built into the libOS
# (libos/build.mk) and into the host library (`geode pf`, unit test, fuzz).
HOST_SRCS += common/pf/pf.c
HOST_CFLAGS += -Icommon
