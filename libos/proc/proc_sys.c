/* /proc/sys: the values programs read at start. Where the libOS decides
 * (pid numbers, descriptors, mappings, threads), the value is the libOS's
 * own limit, not the host's; elsewhere it is Linux's default. Read-only:
 * the libOS has no tunables to change. */
#include "proc/proc.h"
#include "sys/sys.h"

enum sysval {
    V_DIR, V_PID_MAX, V_OSRELEASE, V_OSTYPE, V_HOSTNAME, V_DOMAINNAME, V_BOOT_ID, V_UUID,
    V_NGROUPS_MAX, V_CAP_LAST_CAP, V_THREADS_MAX, V_OVERCOMMIT, V_MAX_MAP_COUNT, V_FILE_MAX,
    V_NR_OPEN, V_PIPE_MAX_SIZE, V_SOMAXCONN, V_VERSION, V_TAINTED, V_ENTROPY, V_POOLSIZE,
    V_OVERCOMMIT_RATIO,
};

static const struct {
    const char *path;
    enum sysval v;
} sys_nodes[] = {
    {"/proc/sys", V_DIR},
    {"/proc/sys/kernel", V_DIR},
    {"/proc/sys/kernel/pid_max", V_PID_MAX},
    {"/proc/sys/kernel/osrelease", V_OSRELEASE},
    {"/proc/sys/kernel/version", V_VERSION},
    {"/proc/sys/kernel/tainted", V_TAINTED},
    {"/proc/sys/kernel/ostype", V_OSTYPE},
    {"/proc/sys/kernel/hostname", V_HOSTNAME},
    {"/proc/sys/kernel/domainname", V_DOMAINNAME},
    {"/proc/sys/kernel/ngroups_max", V_NGROUPS_MAX},
    {"/proc/sys/kernel/cap_last_cap", V_CAP_LAST_CAP},
    {"/proc/sys/kernel/threads-max", V_THREADS_MAX},
    {"/proc/sys/kernel/random", V_DIR},
    {"/proc/sys/kernel/random/boot_id", V_BOOT_ID},
    {"/proc/sys/kernel/random/uuid", V_UUID},
    {"/proc/sys/kernel/random/entropy_avail", V_ENTROPY},
    {"/proc/sys/kernel/random/poolsize", V_POOLSIZE},
    {"/proc/sys/vm", V_DIR},
    {"/proc/sys/vm/overcommit_memory", V_OVERCOMMIT},
    {"/proc/sys/vm/overcommit_ratio", V_OVERCOMMIT_RATIO},
    {"/proc/sys/vm/max_map_count", V_MAX_MAP_COUNT},
    {"/proc/sys/fs", V_DIR},
    {"/proc/sys/fs/file-max", V_FILE_MAX},
    {"/proc/sys/fs/nr_open", V_NR_OPEN},
    {"/proc/sys/fs/pipe-max-size", V_PIPE_MAX_SIZE},
    {"/proc/sys/net", V_DIR},
    {"/proc/sys/net/core", V_DIR},
    {"/proc/sys/net/core/somaxconn", V_SOMAXCONN},
};

/* The pid namespace's ids stay below 2^22 (pal/direct/pidns.c), Linux's
 * largest pid_max; without one, the libOS's counter is not limited lower. */
#define PID_MAX 4194304
/* pal/direct/pidns.c: processes and threads share a 4096-slot table. */
#define NS_SLOTS 4096
/* core/vma.c: MAX_VMAS entries in the mapping table. */
#define MAP_MAX 4096

static uint8_t boot_id[16];
static bool boot_id_set;
static int threads_max;

int proc_sys_find(const char *inside, bool *is_dir)
{
    for (size_t i = 0; i < ARRAY_LEN(sys_nodes); i++)
        if (!strcmp(inside, sys_nodes[i].path)) {
            *is_dir = sys_nodes[i].v == V_DIR;
            return (int)i;
        }
    return -1;
}

/* A random (version 4) UUID in its text form. */
static void uuid_text(const uint8_t in[16], char out[37])
{
    uint8_t b[16];
    memcpy(b, in, 16);
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    size_t n = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[n++] = '-';
        out[n++] = "0123456789abcdef"[b[i] >> 4];
        out[n++] = "0123456789abcdef"[b[i] & 15];
    }
    out[n] = 0;
}

/* The boot id: one per program tree (made at start, so forked children
 * inherit it), as Linux keeps one per boot. threads-max: the namespace's
 * table in direct mode, the enclave's thread slots (sgx.max_threads)
 * without one. */
void proc_sys_init(const Geode__Manifest *m)
{
    boot_id_set = pal->random(boot_id, sizeof(boot_id)) >= 0;
    threads_max = ns_enabled() || !m->sgx || !m->sgx->max_threads ? NS_SLOTS
                                                                   : (int)m->sgx->max_threads;
}

static long value_text(enum sysval v, char *t, size_t cap)
{
    uint8_t fresh[16];
    char u[37];
    switch (v) {
    case V_PID_MAX: return snprintf(t, cap, "%d\n", PID_MAX);
    case V_OSRELEASE: return snprintf(t, cap, "%s\n", LIBOS_UTS_RELEASE);
    case V_OSTYPE: return snprintf(t, cap, "Linux\n");
    case V_HOSTNAME: return snprintf(t, cap, "%s\n", etc_conf_hostname());
    case V_DOMAINNAME: return snprintf(t, cap, "(none)\n");
    case V_BOOT_ID:
        if (!boot_id_set)
            return -PAL_EIO;
        uuid_text(boot_id, u);
        return snprintf(t, cap, "%s\n", u);
    case V_UUID:
        if (pal->random(fresh, sizeof(fresh)) < 0)
            return -PAL_EIO;
        uuid_text(fresh, u);
        return snprintf(t, cap, "%s\n", u);
    case V_NGROUPS_MAX: return snprintf(t, cap, "65536\n");
    case V_CAP_LAST_CAP: return snprintf(t, cap, "40\n");
    case V_THREADS_MAX: return snprintf(t, cap, "%d\n", threads_max);
    case V_OVERCOMMIT: return snprintf(t, cap, "0\n");
    case V_MAX_MAP_COUNT: return snprintf(t, cap, "%d\n", MAP_MAX);
    case V_FILE_MAX: return snprintf(t, cap, "9223372036854775807\n");
    case V_NR_OPEN: return snprintf(t, cap, "%d\n", FD_MAX);
    case V_PIPE_MAX_SIZE: return snprintf(t, cap, "1048576\n");
    case V_SOMAXCONN: return snprintf(t, cap, "4096\n");
    case V_VERSION: return snprintf(t, cap, "%s\n", LIBOS_UTS_VERSION);
    case V_TAINTED: return snprintf(t, cap, "0\n");
    /* The PAL's random source never runs dry: a full pool, as Linux 5.18+. */
    case V_ENTROPY: return snprintf(t, cap, "256\n");
    case V_POOLSIZE: return snprintf(t, cap, "256\n");
    case V_OVERCOMMIT_RATIO: return snprintf(t, cap, "50\n");
    case V_DIR: break;
    }
    return 0;
}

/* "T name\n" lines: the nodes whose parent is path. */
static size_t dir_listing(const char *path, char *t, size_t cap)
{
    size_t n = (size_t)snprintf(t, cap, "d .\nd ..\n"), pl = strlen(path);
    for (size_t i = 0; i < ARRAY_LEN(sys_nodes); i++) {
        const char *p = sys_nodes[i].path;
        if (strncmp(p, path, pl) || p[pl] != '/' || strchr(p + pl + 1, '/'))
            continue;
        n += (size_t)snprintf(t + n, cap - n, "%c %s\n", sys_nodes[i].v == V_DIR ? 'd' : 'r',
                              p + pl + 1);
    }
    return n;
}

char *proc_sys_text(int idx, size_t *len)
{
    size_t cap = 1024;
    char *t = malloc(cap);
    *len = 0;
    if (!t)
        return NULL;
    if (sys_nodes[idx].v == V_DIR) {
        *len = dir_listing(sys_nodes[idx].path, t, cap);
        return t;
    }
    long n = value_text(sys_nodes[idx].v, t, cap);
    if (n < 0) {
        free(t);
        return NULL;
    }
    *len = (size_t)n;
    return t;
}
