# pal/: host-side SGX code (architectural helpers, measurement, signing, the image
# builder, the driver interface and the sim backend) goes into the host library.

PAL_HOST_SRCS := $(wildcard pal/sgx/platform/*.c pal/sgx/identity/*.c pal/sgx/image/*.c \
                            pal/sgx/urts/*.c pal/sgx/sim/*.c)
HOST_SRCS     += $(PAL_HOST_SRCS)

# The fuzz targets link $(LOADER_SRCS) only; loader/cmd_sign.c and cmd_measure.c
# call into pal/sgx/image and identity, so those sources must be linked there too.
LOADER_SRCS   += $(PAL_HOST_SRCS)
