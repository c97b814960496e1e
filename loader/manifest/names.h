/* Spellings of the manifest's enum values, as written in TOML. */
#ifndef GEODE_MANIFEST_NAMES_H
#define GEODE_MANIFEST_NAMES_H

#include "manifest/manifest.h"

const char *log_level_name(Geode__LogLevel v);
const char *mount_type_name(Geode__MountType v);
const char *file_check_policy_name(Geode__FileCheckPolicy v);
const char *remote_attestation_name(Geode__RemoteAttestation v);
const char *run_mode_name(Geode__RunMode v);

#endif
