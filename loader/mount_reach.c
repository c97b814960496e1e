/* Warns before a run when a mount's host directory sits below a directory
 * that the program's uid may not search (mount_reach.h). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "mount_reach.h"

/* Search permission of st for uid/gid as the kernel decides it for a
 * non-root fsuid: the owner's bits, else the group's, else the others'
 * (supplementary groups: the manifest has none beyond loader.gid). */
static int searchable(const struct stat *st, uint32_t uid, uint32_t gid)
{
    if (st->st_uid == uid)
        return (st->st_mode & S_IXUSR) != 0;
    if (st->st_gid == gid)
        return (st->st_mode & S_IXGRP) != 0;
    return (st->st_mode & S_IXOTH) != 0;
}

/* The first directory from / down to host (inclusive) that uid/gid cannot
 * search, in out; 0 when there is none or host does not exist. */
static int first_blocked(const char *host, uint32_t uid, uint32_t gid, char *out, size_t size,
                         struct stat *st)
{
    char real[PATH_MAX], prefix[PATH_MAX];
    if (!realpath(host, real))
        return 0;
    size_t n = strlen(real);
    for (size_t i = 0; i <= n; i++) { /* "/", then each "/a", "/a/b" */
        if (i > 0 && i < n && real[i] != '/')
            continue;
        size_t len = i == 0 ? 1 : i;
        memcpy(prefix, real, len);
        prefix[len] = 0;
        if (stat(prefix, st) == 0 && S_ISDIR(st->st_mode) && !searchable(st, uid, gid)) {
            snprintf(out, size, "%s", prefix);
            return 1;
        }
    }
    return 0;
}

static int check_mount(const Geode__Mount *mt, uint32_t uid, uint32_t gid, FILE *diag)
{
    if (!mt || !mt->uri || strncmp(mt->uri, "file:", 5) != 0 ||
        mt->type == GEODE__MOUNT_TYPE__MOUNT_TMPFS)
        return 0;
    char dir[PATH_MAX];
    struct stat st;
    if (!first_blocked(mt->uri + 5, uid, gid, dir, sizeof(dir), &st))
        return 0;
    fprintf(diag,
            "geode run: warning: mount '%s' (host %s): %s (mode %04o, owner %u:%u) cannot be "
            "searched by loader.uid %u / loader.gid %u, which the host uses to open the program's "
            "files: opening anything in this mount will fail with EACCES. Make the directories "
            "above it searchable (chmod o+x) or run with loader.uid = 0\n",
            mt->path && *mt->path ? mt->path : "/", mt->uri + 5, dir,
            (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, (unsigned)st.st_gid, uid, gid);
    return 1;
}

int mount_reach_check(const geode_manifest *m, FILE *diag)
{
    if (m->uid == 0 || geteuid() != 0)
        return 0; /* root's fsuid searches everything; a non-root host cannot switch */
    int n = check_mount(m->root, m->uid, m->gid, diag);
    for (size_t i = 0; i < m->n_mounts; i++)
        n += check_mount(m->mounts[i], m->uid, m->gid, diag);
    return n;
}
