/* The registry of live sim enclaves, EPC loss and the counters. The signal
 * handlers look enclaves up by address, so the registry is a fixed array
 * read without locks; writers (create/close, ordinary host code) serialize
 * with a mutex and publish with atomic stores. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "sim_encl.h"

#define SIM_MAX_ENCLAVES 64

static struct sgx_driver_encl *registry[SIM_MAX_ENCLAVES];
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;

int sim_encl_register(struct sgx_driver_encl *encl)
{
    int ret = -ENOSPC;

    pthread_mutex_lock(&registry_lock);
    for (int i = 0; i < SIM_MAX_ENCLAVES && ret; i++)
        if (!__atomic_load_n(&registry[i], __ATOMIC_ACQUIRE)) {
            __atomic_store_n(&registry[i], encl, __ATOMIC_RELEASE);
            ret = 0;
        }
    pthread_mutex_unlock(&registry_lock);
    return ret;
}

void sim_encl_unregister(struct sgx_driver_encl *encl)
{
    pthread_mutex_lock(&registry_lock);
    for (int i = 0; i < SIM_MAX_ENCLAVES; i++)
        if (registry[i] == encl)
            __atomic_store_n(&registry[i], NULL, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&registry_lock);
}

struct sgx_driver_encl *sim_encl_find(uint64_t addr)
{
    for (int i = 0; i < SIM_MAX_ENCLAVES; i++) {
        struct sgx_driver_encl *e = __atomic_load_n(&registry[i], __ATOMIC_ACQUIRE);

        if (e && e->created && addr >= e->secs.base && addr - e->secs.base < e->secs.size)
            return e;
    }
    return NULL;
}

bool sim_encl_range_ok(const struct sgx_driver_encl *encl, uint64_t addr, uint64_t len, uint8_t perms)
{
    uint64_t off = addr - encl->secs.base;

    if (!len || addr < encl->secs.base || off >= encl->secs.size || len > encl->secs.size - off)
        return false;
    for (uint64_t p = off / SGX_PAGE_SIZE; p <= (off + len - 1) / SGX_PAGE_SIZE; p++) {
        const struct sgx_sim_epcm *m = &encl->epcm[p];

        if (!m->valid || m->type != SGX_PT_REG || (m->state & (SGX_SECINFO_PENDING | SGX_SECINFO_MODIFIED)) ||
            (m->perms & perms) != perms)
            return false;
    }
    return true;
}

void sim_encl_lose(struct sgx_driver_encl *encl)
{
    encl->lost = true;
    /* mprotect is async-signal-safe; the contents stay in the memfd but no
     * leaf reads them again once `lost` is set. */
    mprotect(encl->base, encl->map_len, PROT_NONE);
}

void sgx_sim_inject_epc_loss(struct sgx_driver_encl *encl)
{
    if (encl && encl->created)
        sim_encl_lose(encl);
}

void sgx_sim_inject_epc_loss_after(struct sgx_driver_encl *encl, uint64_t n)
{
    __atomic_store_n(&encl->loss_after_entries, n, __ATOMIC_RELEASE);
}

void sgx_sim_counters(const struct sgx_driver_encl *encl, struct sgx_sim_counters *out)
{
    const struct sgx_sim_counters *c = &encl->counters;

    out->eenter = __atomic_load_n(&c->eenter, __ATOMIC_RELAXED);
    out->eexit = __atomic_load_n(&c->eexit, __ATOMIC_RELAXED);
    out->aex = __atomic_load_n(&c->aex, __ATOMIC_RELAXED);
    out->eresume = __atomic_load_n(&c->eresume, __ATOMIC_RELAXED);
    out->edeccssa = __atomic_load_n(&c->edeccssa, __ATOMIC_RELAXED);
    out->ereport = __atomic_load_n(&c->ereport, __ATOMIC_RELAXED);
    out->egetkey = __atomic_load_n(&c->egetkey, __ATOMIC_RELAXED);
    out->base_syncs = __atomic_load_n(&c->base_syncs, __ATOMIC_RELAXED);
    out->enclu_fetch = __atomic_load_n(&c->enclu_fetch, __ATOMIC_RELAXED);
    out->xtrap_pages = __atomic_load_n(&c->xtrap_pages, __ATOMIC_RELAXED);
    out->xtrap_mixed = __atomic_load_n(&c->xtrap_mixed, __ATOMIC_RELAXED);
    out->eexit_direct = __atomic_load_n(&c->eexit_direct, __ATOMIC_RELAXED);
    out->xexit_rewinds = __atomic_load_n(&c->xexit_rewinds, __ATOMIC_RELAXED);
    out->eaug = __atomic_load_n(&c->eaug, __ATOMIC_RELAXED);
    out->eaccept = __atomic_load_n(&c->eaccept, __ATOMIC_RELAXED);
    out->emodpe = __atomic_load_n(&c->emodpe, __ATOMIC_RELAXED);
    out->emodpr = __atomic_load_n(&c->emodpr, __ATOMIC_RELAXED);
    out->emodt = __atomic_load_n(&c->emodt, __ATOMIC_RELAXED);
    out->eremove = __atomic_load_n(&c->eremove, __ATOMIC_RELAXED);
    out->eenter_direct = __atomic_load_n(&c->eenter_direct, __ATOMIC_RELAXED);
}

/* EDBGRD/EDBGWR: a debugger's access to a DEBUG enclave's pages (any valid
 * page, TCS and SSA included). */
static int dbg_check(const struct sgx_driver_encl *encl, uint64_t addr, size_t len)
{
    uint64_t off = addr - encl->secs.base;

    if (!encl->created || !(encl->secs.attributes.flags & SGX_ATTR_DEBUG))
        return -EPERM;
    if (encl->lost)
        return -EIO;
    if (!len || addr < encl->secs.base || off >= encl->secs.size || len > encl->secs.size - off)
        return -EFAULT;
    for (uint64_t p = off / SGX_PAGE_SIZE; p <= (off + len - 1) / SGX_PAGE_SIZE; p++)
        if (!encl->epcm[p].valid)
            return -EFAULT;
    return 0;
}

int sgx_sim_dbg_read(const struct sgx_driver_encl *encl, uint64_t addr, void *buf, size_t len)
{
    int ret = dbg_check(encl, addr, len);

    if (!ret)
        memcpy(buf, sim_alias(encl, addr - encl->secs.base), len);
    return ret;
}

int sgx_sim_dbg_write(struct sgx_driver_encl *encl, uint64_t addr, const void *buf, size_t len)
{
    int ret = dbg_check(encl, addr, len);

    if (!ret)
        memcpy(sim_alias(encl, addr - encl->secs.base), buf, len);
    return ret;
}

int sim_isolation_pkey(int *pkey)
{
    static int key = -1;
    int k;

    pthread_mutex_lock(&registry_lock);
    if (key < 0) {
        /* Denied in this thread now, and in every thread whose PKRU is the
         * default (all keys but 0 denied). */
        k = pkey_alloc(0, PKEY_DISABLE_ACCESS);
        key = k < 0 ? -errno : k;
    }
    k = key;
    pthread_mutex_unlock(&registry_lock);
    if (k < 0) {
        fprintf(stderr, "geode sim: isolation needs a protection key: %s\n", strerror(-k));
        return k;
    }
    *pkey = k;
    return 0;
}
