# test_libos_attest: /dev/attestation (libos/fs/dev_attestation.c) and the
# key table (libos/fs/keys.c) built for the host, over a fake PAL.
$(BUILD)/tests/test_libos_attest: tests/libos/test_libos_attest.c \
                                  $(BUILD)/tests/libos/fs/dev_attestation.o \
                                  $(BUILD)/tests/libos/fs/keys.o \
                                  $(BUILD)/host/gen/geode_manifest.pb-c.o | $(GEN_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(HOST_LDFLAGS) -Ilibos -Itests/unit -o $@ $< \
	    $(BUILD)/tests/libos/fs/dev_attestation.o $(BUILD)/tests/libos/fs/keys.o \
	    $(BUILD)/host/gen/geode_manifest.pb-c.o $(HOST_LIBS)
