/* The process's credentials (credentials(7)) and capability sets
 * (capabilities(7)): their state, and the checks file systems and exec
 * make with them. The get/set id calls and capset that change them are
 * sys/creds.c's. A process that starts as root holds every capability;
 * the sets follow uid changes as the kernel's cap_emulate_setxuid and
 * setfsuid fixups make them, capset narrows them, and execve gives root
 * every capability again (no file capabilities, no ambient set). */
#include "core/creds.h"

static struct creds cr;
static spinlock_t cr_lock;

/* Bumped when the file system ids or the groups change; a thread whose
 * creds_gen differs hands them to its host thread (creds_sync_thread). */
volatile uint32_t creds_generation;
static bool host_fs_ids = true; /* false once the host refused */

/* Under cr_lock: the first use takes the manifest's ids; a process that
 * starts as uid 0 holds every capability, as root does natively. The
 * supplementary groups start as the primary group alone. */
struct creds *creds_locked(void)
{
    spin_lock(&cr_lock);
    if (!cr.ready) {
        uint32_t u = libos_cfg.uid, g = libos_cfg.gid;
        cr.id = (struct creds_ids){u, u, u, u, g, g, g, g};
        cr.cap_perm = cr.cap_eff = u == 0 ? CAP_ALL_ : 0;
        cr.cap_inh = 0;
        cr.groups = malloc(sizeof(uint32_t));
        if (cr.groups) {
            cr.groups[0] = g;
            cr.ngroups = 1;
        }
        cr.ready = true;
        /* Not root from the start: the host threads take these ids too. */
        if (u != 0 || g != 0)
            __atomic_store_n(&creds_generation, 1, __ATOMIC_RELEASE);
    }
    return &cr;
}

void creds_unlock(void)
{
    spin_unlock(&cr_lock);
}

void creds_ids(struct creds_ids *out)
{
    *out = creds_locked()->id;
    creds_unlock();
}

uint32_t creds_fsuid(void)
{
    uint32_t v = creds_locked()->id.fsuid;
    creds_unlock();
    return v;
}

uint32_t creds_fsgid(void)
{
    uint32_t v = creds_locked()->id.fsgid;
    creds_unlock();
    return v;
}

/* The kernel's cap_emulate_setxuid, after a change of the real, effective
 * or saved uid from old. */
void creds_fix_caps(struct creds *c, const struct creds_ids *old)
{
    bool had_root = old->uid == 0 || old->euid == 0 || old->suid == 0;
    bool has_root = c->id.uid == 0 || c->id.euid == 0 || c->id.suid == 0;
    if (had_root && !has_root && !c->keep_caps)
        c->cap_perm = c->cap_eff = 0;
    if (old->euid == 0 && c->id.euid != 0)
        c->cap_eff = 0;
    if (old->euid != 0 && c->id.euid == 0)
        c->cap_eff = c->cap_perm;
}

/* The setfsuid fixup: the file system set follows fsuid 0. */
void creds_fix_fs_caps(struct creds *c, uint32_t old_fsuid)
{
    if (old_fsuid == 0 && c->id.fsuid != 0)
        c->cap_eff &= ~CAP_FS_;
    if (old_fsuid != 0 && c->id.fsuid == 0)
        c->cap_eff |= c->cap_perm & CAP_FS_;
}

void creds_fs_changed(const struct creds *c, const struct creds_ids *old)
{
    if (c->id.fsuid != old->fsuid || c->id.fsgid != old->fsgid)
        __atomic_add_fetch(&creds_generation, 1, __ATOMIC_RELEASE);
}

void creds_sync_thread(void)
{
    struct libos_thread *t = cur_thread();
    uint32_t gen = __atomic_load_n(&creds_generation, __ATOMIC_ACQUIRE), g[64];
    t->creds_gen = gen;
    if (!host_fs_ids || !PAL_HAS(pal, set_fs_ids))
        return;
    struct creds *c = creds_locked();
    uint32_t fsuid = c->id.fsuid, fsgid = c->id.fsgid, n = c->ngroups < 64 ? c->ngroups : 64;
    memcpy(g, c->groups, n * sizeof(uint32_t));
    creds_unlock();
    if (pal->set_fs_ids(fsuid, fsgid, g, n) == -PAL_EPERM)
        host_fs_ids = false;
}

void creds_exec(void)
{
    struct creds *c = creds_locked();
    struct creds_ids old = c->id;
    c->id.suid = c->id.euid;
    c->id.sgid = c->id.egid;
    c->id.fsuid = c->id.euid;
    c->id.fsgid = c->id.egid;
    /* capabilities(7), "Capabilities and execution of programs by root":
     * root's file sets are all ones (P' = I | bounding set), anyone
     * else's program has none (P' = 0); the inheritable set stays. */
    c->cap_perm = c->id.uid == 0 || c->id.euid == 0 ? CAP_ALL_ : 0;
    c->cap_eff = c->id.euid == 0 ? c->cap_perm : 0;
    c->keep_caps = false;
    creds_fs_changed(c, &old);
    creds_unlock();
}

long creds_keepcaps(int set, unsigned long value)
{
    struct creds *c = creds_locked();
    long r = c->keep_caps;
    if (set) {
        r = value > 1 ? -PAL_EINVAL : 0;
        if (r == 0)
            c->keep_caps = value == 1;
    }
    creds_unlock();
    return r;
}

bool creds_in_groups(const struct creds *c, uint32_t gid)
{
    if (gid == c->id.fsgid)
        return true;
    for (uint32_t i = 0; i < c->ngroups; i++)
        if (c->groups[i] == gid)
            return true;
    return false;
}

/* chown(2): only CAP_CHOWN changes the owner (or the owner "changing" it
 * to itself); the owner may change the group to one of its groups. */
long creds_may_chown(uint32_t owner_uid, uint32_t owner_gid, uint32_t uid, uint32_t gid)
{
    struct creds *c = creds_locked();
    bool owner = c->id.fsuid == owner_uid;
    bool ok =
        creds_capable(c, CAP_CHOWN_) || ((uid == NOID || (owner && uid == owner_uid)) &&
                      (gid == NOID || (owner && (gid == owner_gid || creds_in_groups(c, gid)))));
    creds_unlock();
    return ok ? 0 : -PAL_EPERM;
}

long creds_may_access(uint32_t uid, uint32_t gid, uint32_t mode, int want)
{
    struct creds *c = creds_locked();
    bool cap = creds_capable(c, CAP_DAC_OVERRIDE_);
    bool search = creds_capable(c, CAP_DAC_READ_SEARCH_);
    uint32_t bits = c->id.fsuid == uid ? mode >> 6 : creds_in_groups(c, gid) ? mode >> 3 : mode;
    creds_unlock();
    if (cap && (!(want & 1) || (mode & 0111)))
        return 0;
    if (search && want == 4) /* CAP_DAC_READ_SEARCH: reading any file */
        return 0;
    return ((bits & 7) & (uint32_t)want) == (uint32_t)want ? 0 : -PAL_EACCES;
}
