/* Encrypted mounts (encrypted.c): fs.mounts entries of type "encrypted". */
#ifndef GEODE_LIBOS_ENCRYPTED_H
#define GEODE_LIBOS_ENCRYPTED_H

#include "fs/vfs.h"

extern const struct fs_ops encrypted_fs_ops;
extern const struct file_ops encrypted_file_ops;

/* The state of one encrypted mount, whose files are under the named key
 * ("default" when none is named); NULL when out of memory. */
void *encrypted_new(const char *key_name);

/* Flushes every changed encrypted file: before fork (the child starts
 * from what is on disk, and neither process's later flush replaces the
 * other's changes made before the fork) and at process exit (descriptors
 * left open are written as by a close). */
void encrypted_flush_all(void);

#endif
