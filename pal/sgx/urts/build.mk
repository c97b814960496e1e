# pal/sgx/urts/: the AESM protocol (aesm.proto), compiled with protoc-c into
# build/gen and archived with the runtime (urts_aesm.c).

AESM_PROTO := pal/sgx/urts/aesm.proto
AESM_GEN   := $(BUILD)/gen/aesm.pb-c.c
GEN_HDRS   += $(BUILD)/gen/aesm.pb-c.h
$(BUILD)/libsgx_urts.a: $(BUILD)/host/$(AESM_GEN:.c=.o)
LOADER_SRCS += $(AESM_GEN)

$(BUILD)/gen/aesm.pb-c.h $(BUILD)/gen/aesm.pb-c.c &: $(AESM_PROTO)
	@mkdir -p $(BUILD)/gen
	protoc-c --proto_path=pal/sgx/urts --c_out=$(BUILD)/gen $(AESM_PROTO)

$(BUILD)/host/$(BUILD)/gen/aesm.pb-c.o: HOST_CFLAGS += -Wno-unused-parameter
