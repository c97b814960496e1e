/* The get/set id calls of credentials(7) and supplementary groups, on the
 * credentials core/creds.c keeps. "privileged" below is capabilities(7)'s
 * CAP_SETUID for the user ids, CAP_SETGID for the group ids. */
#include "core/creds.h"
#include "core/user.h"
#include "sys/sys.h"

#define NGROUPS_MAX_ 65536

SYS(getuid)
{
    struct creds_ids id;
    creds_ids(&id);
    return id.uid;
}

SYS(geteuid)
{
    struct creds_ids id;
    creds_ids(&id);
    return id.euid;
}

SYS(getgid)
{
    struct creds_ids id;
    creds_ids(&id);
    return id.gid;
}

SYS(getegid)
{
    struct creds_ids id;
    creds_ids(&id);
    return id.egid;
}

static long put_three(uint32_t *a, uint32_t *b, uint32_t *c, const uint32_t v[3])
{
    *a = v[0];
    *b = v[1];
    *c = v[2];
    return 0;
}

SYS(getresuid)
{
    struct creds_ids id;
    creds_ids(&id);
    return put_three(PTR(0), PTR(1), PTR(2), (uint32_t[3]){id.uid, id.euid, id.suid});
}

SYS(getresgid)
{
    struct creds_ids id;
    creds_ids(&id);
    return put_three(PTR(0), PTR(1), PTR(2), (uint32_t[3]){id.gid, id.egid, id.sgid});
}

/* One of the three ids (-1 never matches: it is not a valid id). */
static bool one_of(uint32_t v, uint32_t a, uint32_t b, uint32_t c)
{
    return v == a || v == b || v == c;
}

/* The ids of one kind (user or group) inside struct creds_ids, so that the
 * rules below are written once for both. */
struct idset {
    uint32_t *r, *e, *s, *fs;
};

static struct idset uids(struct creds *c)
{
    return (struct idset){&c->id.uid, &c->id.euid, &c->id.suid, &c->id.fsuid};
}

static struct idset gids(struct creds *c)
{
    return (struct idset){&c->id.gid, &c->id.egid, &c->id.sgid, &c->id.fsgid};
}

/* setuid(2) / setgid(2): privileged, all four ids; otherwise the
 * effective (and file system) id may become the real or the saved one. */
static long set_one(struct idset s, bool priv, uint32_t v)
{
    if (v == NOID)
        return -PAL_EINVAL;
    if (priv)
        *s.r = *s.s = v;
    else if (v != *s.r && v != *s.s)
        return -PAL_EPERM;
    *s.e = *s.fs = v;
    return 0;
}

/* setreuid(2) / setregid(2), as the kernel's __sys_setreuid. */
static long set_re(struct idset s, bool priv, uint32_t r, uint32_t e)
{
    uint32_t old_r = *s.r;
    if (r != NOID && !priv && r != *s.r && r != *s.e)
        return -PAL_EPERM;
    if (e != NOID && !priv && !one_of(e, *s.r, *s.e, *s.s))
        return -PAL_EPERM;
    if (r != NOID)
        *s.r = r;
    if (e != NOID)
        *s.e = e;
    if (r != NOID || (e != NOID && e != old_r))
        *s.s = *s.e;
    *s.fs = *s.e;
    return 0;
}

/* setresuid(2) / setresgid(2): unprivileged, each new id must be one of
 * the current real, effective and saved ids. */
static long set_res(struct idset s, bool priv, uint32_t r, uint32_t e, uint32_t sv)
{
    uint32_t v[3] = {r, e, sv};
    for (int i = 0; i < 3; i++)
        if (v[i] != NOID && !priv && !one_of(v[i], *s.r, *s.e, *s.s))
            return -PAL_EPERM;
    if (r != NOID)
        *s.r = r;
    if (e != NOID)
        *s.e = e;
    if (sv != NOID)
        *s.s = sv;
    *s.fs = *s.e;
    return 0;
}

/* setfsuid(2) / setfsgid(2): always returns the previous id; changes it
 * when privileged or to one of the real, effective, saved or current
 * file system ids. */
static long set_fs(struct idset s, bool priv, uint32_t v)
{
    uint32_t old = *s.fs;
    if (v != NOID && (priv || one_of(v, *s.r, *s.e, *s.s) || v == *s.fs))
        *s.fs = v;
    return old;
}

enum setid { SET_ONE, SET_RE, SET_RES, SET_FS };

/* Runs one set*id rule on the user ids (then the capability fixups) or
 * the group ids (CAP_SETGID, no fixups). */
static long set_ids(bool user, enum setid how, uint32_t a, uint32_t b, uint32_t c3)
{
    struct creds *c = creds_locked();
    struct creds_ids old = c->id;
    struct idset s = user ? uids(c) : gids(c);
    bool priv = creds_capable(c, user ? CAP_SETUID_ : CAP_SETGID_);
    long r;
    switch (how) {
    case SET_ONE:
        r = set_one(s, priv, a);
        break;
    case SET_RE:
        r = set_re(s, priv, a, b);
        break;
    case SET_RES:
        r = set_res(s, priv, a, b, c3);
        break;
    default:
        r = set_fs(s, priv, a);
        break;
    }
    if (r >= 0 && user)
        how == SET_FS ? creds_fix_fs_caps(c, old.fsuid) : creds_fix_caps(c, &old);
    creds_fs_changed(c, &old);
    creds_unlock();
    return r;
}

SYS(setuid)
{
    return set_ids(true, SET_ONE, (uint32_t)A(0), 0, 0);
}
SYS(setgid)
{
    return set_ids(false, SET_ONE, (uint32_t)A(0), 0, 0);
}
SYS(setreuid)
{
    return set_ids(true, SET_RE, (uint32_t)A(0), (uint32_t)A(1), 0);
}
SYS(setregid)
{
    return set_ids(false, SET_RE, (uint32_t)A(0), (uint32_t)A(1), 0);
}
SYS(setresuid)
{
    return set_ids(true, SET_RES, (uint32_t)A(0), (uint32_t)A(1), (uint32_t)A(2));
}
SYS(setresgid)
{
    return set_ids(false, SET_RES, (uint32_t)A(0), (uint32_t)A(1), (uint32_t)A(2));
}
SYS(setfsuid)
{
    return set_ids(true, SET_FS, (uint32_t)A(0), 0, 0);
}
SYS(setfsgid)
{
    return set_ids(false, SET_FS, (uint32_t)A(0), 0, 0);
}

SYS(getgroups)
{
    int size = (int)A(0);
    if (size < 0)
        return -PAL_EINVAL;
    struct creds *c = creds_locked();
    uint32_t n = c->ngroups;
    long r = (long)n;
    if (size > 0 && (uint32_t)size < n)
        r = -PAL_EINVAL;
    else if (size > 0 && n)
        memcpy(PTR(1), c->groups, n * sizeof(uint32_t)); /* a fault: -EFAULT, lock released */
    creds_unlock();
    return r;
}

static void sort_ids(uint32_t *v, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++) {
        uint32_t x = v[i], j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

/* setgroups(2): CAP_SETGID only; the list is copied in before anything
 * changes, and kept sorted as the kernel keeps it. */
SYS(setgroups)
{
    uint64_t n = A(0);
    struct creds *c = creds_locked();
    bool priv = creds_capable(c, CAP_SETGID_);
    creds_unlock();
    if (!priv)
        return -PAL_EPERM;
    if (n > NGROUPS_MAX_)
        return -PAL_EINVAL;
    long r = n ? user_check_read(PTR(1), n * sizeof(uint32_t)) : 0;
    uint32_t *g = r < 0 ? NULL : malloc(n ? n * sizeof(uint32_t) : 1);
    if (!g)
        return r < 0 ? r : -PAL_ENOMEM;
    memcpy(g, PTR(1), n * sizeof(uint32_t));
    sort_ids(g, (uint32_t)n);
    c = creds_locked();
    uint32_t *old = c->groups;
    c->groups = g;
    c->ngroups = (uint32_t)n;
    __atomic_add_fetch(&creds_generation, 1, __ATOMIC_RELEASE);
    creds_unlock();
    free(old);
    return 0;
}

/* capget(2) / capset(2) with _LINUX_CAPABILITY_VERSION_3 (two 32-bit
 * words per set; version 1 has the low words, and its capset clears the
 * high ones as the kernel's does):
 * the process's own sets. capset follows the kernel's cap_capset: the new
 * permitted set within the old, the effective within the new permitted,
 * the inheritable within the old inheritable and permitted unless
 * CAP_SETPCAP is effective; EPERM otherwise. */
#define CAP_V3 0x20080522u
#define CAP_V1 0x19980330u

struct cap_header {
    uint32_t version;
    int pid;
};

struct cap_data {
    uint32_t effective, permitted, inheritable;
};

static void cap_sets(const struct creds *c, struct cap_data d[2])
{
    d[0] = (struct cap_data){(uint32_t)c->cap_eff, (uint32_t)c->cap_perm, (uint32_t)c->cap_inh};
    d[1] = (struct cap_data){(uint32_t)(c->cap_eff >> 32), (uint32_t)(c->cap_perm >> 32),
                             (uint32_t)(c->cap_inh >> 32)};
}

/* The header's version: 3, 2 or 1 (2 is answered as 3 is); another is
 * EINVAL with version 3 written back, as the kernel's cap_validate_magic.
 * The number of 32-bit words per set in *words. */
static long cap_version_ok(struct cap_header *h, unsigned *words)
{
    if (h->version != CAP_V3 && h->version != CAP_V1 && h->version != 0x20071026u) {
        h->version = CAP_V3;
        return -PAL_EINVAL;
    }
    *words = h->version == CAP_V1 ? 1 : 2;
    return 0;
}

void creds_caps(uint64_t *permitted, uint64_t *effective)
{
    struct cap_data d[2];
    cap_sets(creds_locked(), d);
    creds_unlock();
    *permitted = (uint64_t)d[1].permitted << 32 | d[0].permitted;
    *effective = (uint64_t)d[1].effective << 32 | d[0].effective;
}

uint32_t creds_groups(uint32_t *out, uint32_t max)
{
    struct creds *c = creds_locked();
    uint32_t n = c->ngroups;
    memcpy(out, c->groups, (n < max ? n : max) * sizeof(uint32_t));
    creds_unlock();
    return n;
}

SYS(capget)
{
    struct cap_header *h = PTR(0);
    struct cap_data d[2];
    unsigned n;
    if (user_check_write(h, sizeof(*h)) < 0)
        return -PAL_EFAULT;
    long r = cap_version_ok(h, &n);
    if (!PTR(1)) /* a probe of the version: 0 even for a bad one */
        return r == -PAL_EINVAL ? 0 : r;
    if (r < 0)
        return r;
    if (h->pid < 0)
        return -PAL_EINVAL;
    if (h->pid != 0 && h->pid != libos_pid && !ns_own_id(h->pid))
        return -PAL_ESRCH; /* other processes' sets are not known here */
    if (user_check_write(PTR(1), n * sizeof(d[0])) < 0)
        return -PAL_EFAULT;
    cap_sets(creds_locked(), d);
    creds_unlock();
    memcpy(PTR(1), d, n * sizeof(d[0]));
    return 0;
}

SYS(capset)
{
    struct cap_header *h = PTR(0);
    struct cap_data want[2] = {{0}};
    unsigned n;
    if (user_check_write(h, sizeof(*h)) < 0)
        return -PAL_EFAULT;
    long r = cap_version_ok(h, &n);
    if (r < 0)
        return r;
    if (h->pid != 0 && h->pid != libos_pid)
        return -PAL_EPERM;
    if (!PTR(1) || user_check_read(PTR(1), n * sizeof(want[0])) < 0)
        return -PAL_EFAULT;
    memcpy(want, PTR(1), n * sizeof(want[0]));
    struct creds *c = creds_locked();
    if (n == 1) /* the kernel clears the high words for version 1 */
        want[1] = (struct cap_data){0, 0, 0};
    uint64_t eff = ((uint64_t)want[1].effective << 32 | want[0].effective) & CAP_ALL_,
             perm = ((uint64_t)want[1].permitted << 32 | want[0].permitted) & CAP_ALL_,
             inh = ((uint64_t)want[1].inheritable << 32 | want[0].inheritable) & CAP_ALL_;
    if ((inh & ~(c->cap_inh | c->cap_perm)) && !creds_capable(c, CAP_SETPCAP_))
        r = -PAL_EPERM;
    else if ((perm & ~c->cap_perm) || (eff & ~perm))
        r = -PAL_EPERM;
    else
        c->cap_eff = eff, c->cap_perm = perm, c->cap_inh = inh;
    creds_unlock();
    return r;
}
