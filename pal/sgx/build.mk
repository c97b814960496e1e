# pal/sgx/: the SGX host layers, lowest first (docs/architecture.md, "SGX host
# layers"). arch/ and abi/ are headers only; every other folder builds into
# build/libsgx_LAYER.a with -I for only the folders it may include, so an
# include of a folder above it fails the build (tests/sgx/t_sgx_layers.sh
# checks the same from the sources). The trusted PAL (enclave/) builds with
# -I enclave/, arch/, abi/ (pal/sgx/enclave/build.mk).
#
#   platform  driver interface, kernel driver, vDSO, CPUID, host caps  arch
#   identity  MRENCLAVE, SIGSTRUCT and keys, quote parsing             arch platform
#   image     layout, ELF images, the enclave image and its build      arch abi platform identity
#   sim       the software SGX (a driver of the driver interface)      arch abi platform identity
#   urts      the untrusted runtime: ECALLs, OCALLs, AESM, confinement arch abi platform identity
#                                                                      image sim, pal/include,
#                                                                      pal/direct (pid namespace)
# The loader is above them all: it owns the `geode` command flow.

SGX_LAYERS := platform identity image sim urts
SGX_INC_platform := pal/sgx/arch pal/sgx/platform
SGX_INC_identity := pal/sgx/arch pal/sgx/platform pal/sgx/identity
SGX_INC_image    := pal/sgx/arch pal/sgx/abi pal/sgx/platform pal/sgx/identity pal/sgx/image
SGX_INC_sim      := pal/sgx/arch pal/sgx/abi pal/sgx/platform pal/sgx/identity pal/sgx/sim
SGX_INC_urts     := pal/sgx/arch pal/sgx/abi pal/sgx/platform pal/sgx/identity pal/sgx/image \
                    pal/sgx/sim pal/sgx/urts pal/include pal/direct $(BUILD)/gen

define sgx_layer
SGX_SRCS_$(1) := $$(wildcard pal/sgx/$(1)/*.c)
SGX_OBJS_$(1) := $$(patsubst %.c,$$(BUILD)/host/%.o,$$(SGX_SRCS_$(1)))
$$(SGX_OBJS_$(1)): HOST_INC := $$(addprefix -I,$$(SGX_INC_$(1)))
$$(SGX_OBJS_$(1)): | $$(GEN_HDRS)
$$(BUILD)/libsgx_$(1).a: $$(SGX_OBJS_$(1))
	@mkdir -p $$(@D)
	rm -f $$@
	ar rcs $$@ $$^
PAL_SGX_SRCS += $$(SGX_SRCS_$(1))
endef
PAL_SGX_SRCS :=
$(foreach l,$(SGX_LAYERS),$(eval $(call sgx_layer,$(l))))

# The fuzz targets link $(LOADER_SRCS) only; the loader's cmd_sign.c and cmd_measure.c
# call into pal/sgx, so those sources must be linked there too.
LOADER_SRCS += $(PAL_SGX_SRCS)
