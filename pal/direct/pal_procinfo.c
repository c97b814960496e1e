/* Direct PAL: what the host knows of a process of the program's tree
 * (state, times, threads, sizes: the host's /proc/<pid>/stat), with every
 * id translated into the pid namespace, and the process's name. */
#include <fcntl.h>
#include <stdbool.h>
#include <linux/prctl.h>
#include <sys/syscall.h>

#include "host.h"
#include "pidns.h"

#define TICK_NS 10000000ULL /* USER_HZ is 100 on x86-64 */
#define STAT_MAX 1024

int direct_fmt_u32(char *p, uint32_t v)
{
    char tmp[12];
    int n = 0, len = 0;
    do
        tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (n)
        p[len++] = tmp[--n];
    return len;
}

/* Reads the host's /proc/<host>/stat into buf (NUL-terminated). */
static long read_stat(int32_t host, char *buf, size_t size)
{
    char path[32] = "/proc/";
    int n = 6 + direct_fmt_u32(path + 6, (uint32_t)host);
    const char *tail = "/stat";
    for (int i = 0; tail[i]; i++)
        path[n++] = tail[i];
    path[n] = 0;
    long fd = HS4(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0)
        return fd == -PAL_ENOENT ? -PAL_ESRCH : fd;
    long len = HS3(SYS_read, fd, buf, size - 1);
    HS1(SYS_close, fd);
    if (len <= 0)
        return len < 0 ? len : -PAL_ESRCH;
    buf[len] = 0;
    return len;
}

static uint64_t next_num(const char **p)
{
    uint64_t v = 0;
    while (**p == ' ')
        (*p)++;
    if (**p == '-')
        (*p)++;
    while (**p >= '0' && **p <= '9')
        v = v * 10 + (uint64_t)(*(*p)++ - '0');
    return v;
}

/* Fields 3.. of a host stat line, after the comm's closing parenthesis:
 * state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
 * utime stime cutime cstime priority nice num_threads itrealvalue
 * starttime vsize rss. */
static int parse_stat(const char *buf, struct pal_proc_info *out, int32_t *host_ppid)
{
    const char *open = NULL, *close = NULL;
    for (const char *c = buf; *c; c++) {
        if (*c == '(' && !open)
            open = c;
        if (*c == ')')
            close = c;
    }
    if (!open || !close || close < open || close[1] != ' ')
        return -PAL_EIO;
    size_t n = (size_t)(close - open - 1);
    n = n < sizeof(out->comm) - 1 ? n : sizeof(out->comm) - 1;
    for (size_t i = 0; i < n; i++)
        out->comm[i] = open[1 + i];
    out->comm[n] = 0;
    out->state = close[2];
    const char *p = close + 3;
    uint64_t f[22] = {0}; /* f[k]: field 4 + k */
    for (int k = 0; k < 21; k++)
        f[k] = next_num(&p);
    *host_ppid = (int32_t)f[0];
    out->utime_ns = f[10] * TICK_NS;
    out->stime_ns = f[11] * TICK_NS;
    out->threads = (int32_t)f[16];
    out->start_ns = f[18] * TICK_NS;
    out->vsize = f[19];
    out->rss = f[20] * 4096;
    return 0;
}

static long direct_process_info(pal_handle id, struct pal_proc_info *out)
{
    char buf[STAT_MAX];
    int32_t host_ppid = 0;
    long r = -PAL_ESRCH;
    *out = (struct pal_proc_info){0};
    /* Under the lock: the host pid cannot be reaped and reused meanwhile. */
    pidns_lock();
    const struct ns_entry *e = id == 0 ? pidns_self() : pidns_find((int32_t)id);
    if (e && e->kind == NS_PROCESS && e->host > 0) {
        r = read_stat(e->host, buf, sizeof(buf));
        if (r >= 0)
            r = parse_stat(buf, out, &host_ppid);
        out->pgid = e->pgid, out->sid = e->sid;
    }
    if (r >= 0) {
        const struct ns_entry *parent = pidns_find_host(host_ppid);
        out->ppid = parent ? parent->id : 0;
    }
    pidns_unlock();
    return r < 0 ? r : 0;
}

static long direct_process_set_name(const char *name)
{
    return HS2(SYS_prctl, PR_SET_NAME, name);
}

static long direct_process_list(pal_handle owner, int32_t *ids, size_t max)
{
    size_t n = 0;
    pidns_lock();
    for (int i = 0; i < pidns_slots(); i++) {
        const struct ns_entry *e = pidns_slot(i);
        bool want = owner == 0 ? e->kind == NS_PROCESS && e->host > 0
                               : e->kind == NS_THREAD && e->owner == owner;
        if (!e->id || !want)
            continue;
        if (n < max)
            ids[n] = e->id;
        n++;
    }
    pidns_unlock();
    return (long)n;
}

void direct_fill_procinfo(struct pal_api *api)
{
    api->process_info = direct_process_info;
    api->process_set_name = direct_process_set_name;
    api->process_list = direct_process_list;
}
