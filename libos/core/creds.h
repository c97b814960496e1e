/* The process's credentials (core/creds.c; the syscalls that change them: sys/creds.c): real,
 * effective, saved and file system user and group ids, supplementary groups, and the capabilities
 * root's ids stand for (credentials(7), capabilities(7)). They start as the manifest's loader.uid /
 * loader.gid and belong to the whole process (Linux keeps them per thread; glibc and musl make
 * every thread change together). They survive fork (libOS memory) and execve. */
#ifndef GEODE_LIBOS_CORE_CREDS_H
#define GEODE_LIBOS_CORE_CREDS_H

#include "libos.h"

struct creds_ids {
    uint32_t uid, euid, suid, fsuid;
    uint32_t gid, egid, sgid, fsgid;
};

/* A snapshot of the ids. */
void creds_ids(struct creds_ids *out);
/* The owner of a file the process creates (its file system ids). */
uint32_t creds_fsuid(void);
uint32_t creds_fsgid(void);
/* execve: the saved ids take the effective ones and the capabilities are
 * those of a program without file capabilities run by these ids;
 * PR_SET_KEEPCAPS is cleared. Set-user-ID bits are not honoured. */
void creds_exec(void);
/* chown(2)'s rules for a file owned by owner_uid / owner_gid: 0 when the
 * caller may set uid and gid ((uint32_t)-1: unchanged), else -EPERM. */
long creds_may_chown(uint32_t owner_uid, uint32_t owner_gid, uint32_t uid, uint32_t gid);
/* The permitted and effective capability sets (bit n: capability n), as
 * /proc/self/status shows them. */
void creds_caps(uint64_t *permitted, uint64_t *effective);
/* Copies up to max supplementary groups; returns how many there are. */
uint32_t creds_groups(uint32_t *out, uint32_t max);
/* Host threads access files with the program's file system ids and groups
 * where the host allows it (PAL set_fs_ids: Geode's host user is root), so
 * the host kernel checks permissions and owns new files as Linux would
 * for the program. A change bumps creds_generation; every thread catches
 * up at its next system call (creds_sync_thread, from syscall_dispatch). */
extern volatile uint32_t creds_generation;
void creds_sync_thread(void);
/* The permission check of a file owned by uid/gid with permission bits
 * mode, for want (4 read, 2 write, 1 execute/search): the owner's, the
 * group's or the others' bits by the file system ids and groups;
 * CAP_DAC_OVERRIDE (root's file system set) passes read and write, and
 * execute when any execute bit is set. 0 or -EACCES. */
long creds_may_access(uint32_t uid, uint32_t gid, uint32_t mode, int want);
/* prctl(PR_GET_KEEPCAPS) (set = 0) and PR_SET_KEEPCAPS (set = 1). */
long creds_keepcaps(int set, unsigned long value);

/* For sys/creds.c's set*id calls: the state itself, taken under its lock
 * (creds_locked initializes it from the manifest at the first use), and
 * the kernel's capability fixups after an id change. */
#define NOID ((uint32_t)-1)
struct creds {
    struct creds_ids id;
    bool ready;
    /* The capability sets (bit n: capability n, up to CAP_LAST_CAP 40). */
    uint64_t cap_perm, cap_eff, cap_inh;
    bool keep_caps; /* PR_SET_KEEPCAPS */
    uint32_t ngroups;
    uint32_t *groups; /* sorted, as the kernel keeps them */
};
#define CAP_CHOWN_ 0
#define CAP_DAC_OVERRIDE_ 1
#define CAP_DAC_READ_SEARCH_ 2
#define CAP_SETGID_ 6
#define CAP_SETUID_ 7
#define CAP_SETPCAP_ 8
#define CAP_ALL_ ((1ULL << 41) - 1) /* every capability up to CAP_LAST_CAP 40 */
/* The file system set: CHOWN, DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER,
 * FSETID (0-4), LINUX_IMMUTABLE (9), MKNOD (27), MAC_OVERRIDE (32). */
#define CAP_FS_ (0x1fULL | 1ULL << 9 | 1ULL << 27 | 1ULL << 32)
/* Capability cap in c's effective set. */
static inline bool creds_capable(const struct creds *c, int cap)
{
    return (c->cap_eff >> cap) & 1;
}
struct creds *creds_locked(void);
void creds_unlock(void);
/* cap_emulate_setxuid after a change of the real, effective or saved uid. */
void creds_fix_caps(struct creds *c, const struct creds_ids *old);
/* The setfsuid fixup: the file system set follows fsuid 0. */
void creds_fix_fs_caps(struct creds *c, uint32_t old_fsuid);
/* Bumps creds_generation when the file system ids changed from old. */
void creds_fs_changed(const struct creds *c, const struct creds_ids *old);
bool creds_in_groups(const struct creds *c, uint32_t gid);

#endif
