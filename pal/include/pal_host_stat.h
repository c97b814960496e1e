/* Host side only (direct PAL, SGX host runtime): a host struct stat as the
 * PAL API's struct pal_stat. Inline and libc-free, so the direct PAL may use
 * it while the program runs. */
#ifndef GEODE_PAL_HOST_STAT_H
#define GEODE_PAL_HOST_STAT_H

#include <sys/stat.h>
#include <sys/statfs.h>

#include "pal.h"

static inline void pal_stat_from_host(const struct stat *s, struct pal_stat *st)
{
    *st = (struct pal_stat){
        .dev = s->st_dev,
        .ino = s->st_ino,
        .nlink = s->st_nlink,
        .mode = s->st_mode,
        .uid = s->st_uid,
        .gid = s->st_gid,
        .rdev = s->st_rdev,
        .size = s->st_size,
        .blksize = s->st_blksize,
        .blocks = s->st_blocks,
        .atime_ns = s->st_atim.tv_sec * 1000000000LL + s->st_atim.tv_nsec,
        .mtime_ns = s->st_mtim.tv_sec * 1000000000LL + s->st_mtim.tv_nsec,
        .ctime_ns = s->st_ctim.tv_sec * 1000000000LL + s->st_ctim.tv_nsec,
    };
}

/* A host struct statfs (x86-64: the kernel's layout) as struct pal_statfs. */
static inline void pal_statfs_from_host(const struct statfs *s, struct pal_statfs *st)
{
    *st = (struct pal_statfs){
        .type = s->f_type,
        .bsize = s->f_bsize,
        .blocks = s->f_blocks,
        .bfree = s->f_bfree,
        .bavail = s->f_bavail,
        .files = s->f_files,
        .ffree = s->f_ffree,
        .fsid = {s->f_fsid.__val[0], s->f_fsid.__val[1]},
        .namelen = s->f_namelen,
        .frsize = s->f_frsize,
        .flags = s->f_flags,
    };
}

#endif
