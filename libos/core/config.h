/* Reading the manifest blob handed over by the PAL. */
#ifndef GEODE_LIBOS_CONFIG_H
#define GEODE_LIBOS_CONFIG_H

#include <stdbool.h>

#include "geode_manifest.pb-c.h"

/* Decodes the canonical blob and fills libos_cfg; NULL after logging why. */
Geode__Manifest *config_load(const uint8_t *blob, size_t len);

/* Builds the program's argv and envp (NULL-terminated, heap-allocated)
 * following loader.argv / insecure__use_cmdline_argv / loader.env /
 * insecure__use_host_env. Returns 0 or a negative errno after logging. */
int config_build_args(const Geode__Manifest *m, char ***argv, char ***envp);

/* Looks up a host environment variable: for loader.env passthrough, and
 * for diagnostics where config_host_env_trusted() allows them. */
const char *config_host_env(const char *name);

/* Whether geode's own diagnostic variables (GEODE_TRAP_STATS) from the host
 * environment are obeyed: outside an enclave, where the host is the user,
 * or when the manifest sets loader.insecure__use_host_env. */
bool config_host_env_trusted(void);

#endif
