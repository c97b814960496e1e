/* tmpfs: a file system in libOS memory (fs.mounts type "tmpfs"). Paths
 * given here are relative to the mount's root ("/" is the root). */
#ifndef GEODE_LIBOS_TMPFS_H
#define GEODE_LIBOS_TMPFS_H

#include "fs/vfs.h"

struct tmpfs;

struct tmpfs *tmpfs_new(void);
int tmpfs_open(struct tmpfs *fs, const char *path, int flags, uint32_t mode, struct file **out);
int tmpfs_stat(struct tmpfs *fs, const char *path, struct pal_stat *st);
int tmpfs_mkdir(struct tmpfs *fs, const char *path, uint32_t mode);
int tmpfs_unlink(struct tmpfs *fs, const char *path, int is_dir);
int tmpfs_rename(struct tmpfs *fs, const char *from, const char *to);
int tmpfs_chmod(struct tmpfs *fs, const char *path, uint32_t mode);
/* Checks the caller's credentials (core/creds.h), then sets the owner. */
int tmpfs_chown(struct tmpfs *fs, const char *path, uint32_t uid, uint32_t gid);
/* statfs(2) of the file system (TMPFS_MAGIC, Linux's default limits). */
void tmpfs_statfs(struct tmpfs *fs, struct pal_statfs *st);
/* The tmpfs an open file belongs to, or NULL for another kind of file. */
struct tmpfs *tmpfs_of(struct file *f);
/* fchmod(2) of f, an open file of a tmpfs (tmpfs_of, or a memfd's), even
 * unlinked. */
int tmpfs_file_chmod(struct file *f, uint32_t mode);

#endif
