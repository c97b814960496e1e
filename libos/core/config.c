/* Manifest -> process settings, argv and envp. */
#include "core/config.h"
#include "core/file.h"
#include "libos.h"

struct libos_config libos_cfg;

#define DEFAULT_STACK (8UL << 20)
#define DEFAULT_BRK (8UL << 20)

const char *config_host_env(const char *name)
{
    size_t n = strlen(name);
    for (const char *const *e = pal_boot_info->envp; e && *e; e++)
        if (!strncmp(*e, name, n) && (*e)[n] == '=')
            return *e + n + 1;
    return NULL;
}

static bool rewrite_enabled(const Geode__Manifest *m)
{
    return m->geode ? m->geode->syscall_rewrite : true;
}

bool config_host_env_trusted(void)
{
    return !(pal_boot_info->flags & PAL_BOOT_ENCLAVE) || libos_cfg.use_host_env;
}

Geode__Manifest *config_load(const uint8_t *blob, size_t len)
{
    Geode__Manifest *m = geode__manifest__unpack(NULL, len, blob);
    if (!m) {
        log_error("the manifest blob handed to the libOS is malformed (%zu bytes)", len);
        return NULL;
    }
    if (!m->entrypoint || m->entrypoint[0] != '/') {
        log_error("libos.entrypoint must be an absolute path inside, got \"%s\"",
                  m->entrypoint ? m->entrypoint : "");
        return NULL;
    }
    libos_log_level = (int)m->log_level;
    libos_cfg.exec_path = m->entrypoint;
    libos_cfg.syscall_rewrite = rewrite_enabled(m);
    libos_cfg.stack_size = m->stack_size ? ALIGN_UP(m->stack_size, PAGE_SIZE) : DEFAULT_STACK;
    libos_cfg.brk_max = m->brk_max_size ? ALIGN_UP(m->brk_max_size, PAGE_SIZE) : DEFAULT_BRK;
    libos_cfg.uid = m->uid;
    libos_cfg.gid = m->gid;
    libos_cfg.sigterm_injection = m->enable_sigterm_injection;
    libos_cfg.shm_untrusted = m->shared_memory_untrusted;
    libos_cfg.eventfd_host = m->allow_eventfd;
    libos_cfg.no_subprocesses = m->disallow_subprocesses;
    libos_cfg.dns_conf = m->extra_domain_names_conf;
    if (m->fds_limit)
        fd_set_limit(m->fds_limit);
    libos_cfg.use_host_env = m->use_host_env;
    return m;
}

/* A growable NULL-terminated string vector. */
struct strvec {
    char **v;
    size_t n, cap;
};

static int vec_push(struct strvec *s, const char *str)
{
    if (s->n + 2 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        char **nv = realloc(s->v, cap * sizeof(char *));
        if (!nv)
            return -PAL_ENOMEM;
        s->v = nv;
        s->cap = cap;
    }
    s->v[s->n++] = (char *)str;
    s->v[s->n] = NULL;
    return 0;
}

static int build_argv(const Geode__Manifest *m, struct strvec *a)
{
    const char *argv0 = m->n_argv ? m->argv[0] : m->entrypoint;
    int r = vec_push(a, argv0);
    if (m->use_cmdline_argv) {
        for (int i = 0; r == 0 && i < pal_boot_info->argc; i++)
            r = vec_push(a, pal_boot_info->argv[i]);
        return r;
    }
    for (size_t i = 1; r == 0 && i < m->n_argv; i++)
        r = vec_push(a, m->argv[i]);
    return r;
}

static char *env_entry(const char *name, const char *value)
{
    size_t n = strlen(name), v = strlen(value);
    char *s = malloc(n + v + 2);
    if (!s)
        return NULL;
    memcpy(s, name, n);
    s[n] = '=';
    memcpy(s + n + 1, value, v + 1);
    return s;
}

static int build_envp(const Geode__Manifest *m, struct strvec *e)
{
    int r = 0;
    if (m->use_host_env)
        for (const char *const *h = pal_boot_info->envp; r == 0 && h && *h; h++)
            r = vec_push(e, *h);
    for (size_t i = 0; r == 0 && i < m->n_env; i++) {
        const Geode__EnvVar *ev = m->env[i];
        const char *val = ev->passthrough ? config_host_env(ev->name) : ev->value;
        if (!val)
            continue; /* passthrough of a variable the host does not set */
        char *s = env_entry(ev->name, val);
        r = s ? vec_push(e, s) : -PAL_ENOMEM;
    }
    if (r == 0 && !e->v)
        r = vec_push(e, NULL), e->n = 0;
    return r;
}

int config_build_args(const Geode__Manifest *m, char ***argv, char ***envp)
{
    struct strvec a = {0}, e = {0};
    if (build_argv(m, &a) < 0 || build_envp(m, &e) < 0) {
        log_error("out of memory building argv/envp");
        return -PAL_ENOMEM;
    }
    *argv = a.v;
    *envp = e.v;
    return 0;
}
