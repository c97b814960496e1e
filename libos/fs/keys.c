/* The named-key table (fs/keys.h). Keys live in libOS memory only, which
 * is enclave memory in sgx and sim modes; a replaced or dropped key is
 * wiped. Platform keys are not stored here: fs_key_get asks
 * fs_key_platform() each time, so they never sit in the table. */
#include "fs/keys.h"

#include "libos.h"

struct named_key {
    char name[FS_KEY_NAME_MAX + 1];
    uint8_t key[FS_KEY_SIZE];
};

static struct named_key table[FS_KEYS_MAX];
static int n_keys;
static spinlock_t keys_lock;

int fs_key_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > FS_KEY_NAME_MAX || !strcmp(name, ".") || !strcmp(name, ".."))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return 0;
    }
    return 1;
}

int fs_key_is_platform(const char *name)
{
    return name && (!strcmp(name, "_sgx_mrenclave") || !strcmp(name, "_sgx_mrsigner"));
}

static struct named_key *find(const char *name)
{
    for (int i = 0; i < n_keys; i++)
        if (!strcmp(table[i].name, name))
            return &table[i];
    return NULL;
}

long fs_key_set(const char *name, const uint8_t key[FS_KEY_SIZE])
{
    if (!fs_key_name_ok(name))
        return -PAL_EINVAL;
    if (fs_key_is_platform(name))
        return -PAL_EPERM;
    long r = 0;
    spin_lock(&keys_lock);
    struct named_key *k = find(name);
    if (!k) {
        if (n_keys == FS_KEYS_MAX) {
            r = -PAL_ENOMEM;
            goto out;
        }
        k = &table[n_keys++];
        memcpy(k->name, name, strlen(name) + 1);
    }
    memcpy(k->key, key, FS_KEY_SIZE);
out:
    spin_unlock(&keys_lock);
    return r;
}

long fs_key_get(const char *name, uint8_t key[FS_KEY_SIZE])
{
    if (!fs_key_name_ok(name))
        return -PAL_EINVAL;
    if (fs_key_is_platform(name))
        return fs_key_platform(name, key);
    long r = -PAL_ENOENT;
    spin_lock(&keys_lock);
    struct named_key *k = find(name);
    if (k) {
        memcpy(key, k->key, FS_KEY_SIZE);
        r = 0;
    }
    spin_unlock(&keys_lock);
    return r;
}

void fs_key_each(void (*fn)(const char *name, void *arg), void *arg)
{
    char names[FS_KEYS_MAX][FS_KEY_NAME_MAX + 1];
    spin_lock(&keys_lock);
    int n = n_keys;
    for (int i = 0; i < n; i++)
        memcpy(names[i], table[i].name, sizeof(names[i]));
    spin_unlock(&keys_lock);
    for (int i = 0; i < n; i++)
        fn(names[i], arg);
}

/* EGETKEY through the PAL: bound to MRENCLAVE or MRSIGNER, and to the CPU
 * (in the sim, to its per-machine root key). */
long fs_key_platform(const char *name, uint8_t key[FS_KEY_SIZE])
{
    int policy = !strcmp(name, "_sgx_mrenclave") ? PAL_SEAL_MRENCLAVE
                 : !strcmp(name, "_sgx_mrsigner") ? PAL_SEAL_MRSIGNER
                                                  : 0;
    if (!policy)
        return -PAL_ENOENT;
    long r = PAL_HAS(pal, seal_key) ? pal->seal_key(policy, key) : -PAL_ENOSYS;
    if (r == -PAL_ENOSYS)
        log_error("key %s: a sealing key needs an enclave (run with --mode sgx or sim)", name);
    else if (r < 0)
        log_error("key %s: EGETKEY failed (%ld)", name, r);
    return r;
}
