/* Whether the host directories of a manifest's mounts can be reached by the
 * program's uid (loader.uid), for `geode run`. */
#ifndef GEODE_LOADER_MOUNT_REACH_H
#define GEODE_LOADER_MOUNT_REACH_H

#include <stdio.h>

#include "manifest/manifest.h"

/* When geode runs as root and loader.uid is not 0, the PALs open host files
 * with the program's file-system ids (setfsuid), so that the host checks
 * permissions as Linux would for the program. The host directories above a
 * mount's root are then searched with those ids too, although the program
 * cannot see them. Warns on diag, once per mount, when such a directory is
 * not searchable by loader.uid/loader.gid; returns how many mounts it warned
 * about. */
int mount_reach_check(const geode_manifest *m, FILE *diag);

#endif
