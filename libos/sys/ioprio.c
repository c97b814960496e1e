/* ioprio_get(2) and ioprio_set(2) for the calling process: the class and
 * level are checked as Linux checks them, kept (a forked child inherits
 * them) and reported; the host's I/O scheduler is not told (the program's
 * host I/O is done by geode's own threads). As getpriority here, another
 * process is ESRCH; the value is the process's, not one per thread. */
#include "core/creds.h"
#include "sys/sys.h"

#define WHO_PROCESS 1
#define WHO_PGRP 2
#define WHO_USER 3
/* Linux 6.5's layout: class in bits 13-15, hints in 3-12 (not checked
 * here: the block layer ignores ones it does not know), level in 0-2. */
#define CLASS_SHIFT 13
#define LEVEL_MASK 7
enum { CLASS_NONE, CLASS_RT, CLASS_BE, CLASS_IDLE };

/* Linux's default: class none, level 0 (the CPU nice value decides). */
static int ioprio;

/* which/who of the caller itself: 0; another target: ESRCH; a bad which:
 * EINVAL. */
static long target(uint64_t which, int who)
{
    struct creds_ids id;
    switch (which) {
    case WHO_PROCESS: return who == 0 || who == libos_pid || ns_own_id(who) ? 0 : -PAL_ESRCH;
    case WHO_PGRP: return who == 0 ? 0 : -PAL_ESRCH;
    case WHO_USER:
        creds_ids(&id);
        return who == 0 || (uint32_t)who == id.uid ? 0 : -PAL_ESRCH;
    default: return -PAL_EINVAL;
    }
}

SYS(ioprio_get)
{
    long r = target(A(0), (int)A(1));
    return r < 0 ? r : __atomic_load_n(&ioprio, __ATOMIC_RELAXED);
}

SYS(ioprio_set)
{
    int value = (int)A(2), level = value & LEVEL_MASK;
    struct creds_ids id;
    creds_ids(&id);
    switch ((value >> CLASS_SHIFT) & 7) {
    case CLASS_RT:
        if (id.euid != 0)
            return -PAL_EPERM; /* CAP_SYS_NICE or CAP_SYS_ADMIN */
        break;
    case CLASS_BE: break; /* every level of three bits is one */
    case CLASS_IDLE: break;
    case CLASS_NONE:
        if (level)
            return -PAL_EINVAL;
        break;
    default: return -PAL_EINVAL;
    }
    long r = target(A(0), (int)A(1));
    if (r == 0)
        __atomic_store_n(&ioprio, value, __ATOMIC_RELAXED);
    return r;
}
