// modes: direct sim
/* Capability sets as capabilities(7) keeps them, for a process that
 * starts as root: capset narrows the permitted and effective sets and
 * capget reads them back (here, in a new thread, in a forked child);
 * capset cannot raise the permitted set back, nor make the effective set
 * larger than the permitted; without CAP_SETUID setuid to another user is
 * EPERM; execve as root gives every capability back; capget with no data
 * only checks the version, a bad version is EINVAL with version 3 written
 * back, another process's set ESRCH, a NULL header EFAULT. */
#include "conf.h"
#include <linux/capability.h>
#include <pthread.h>
#include <sys/syscall.h>

#define BIT(c) (1u << (c))

static int get(struct __user_cap_data_struct d[2])
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    return (int)syscall(SYS_capget, &h, d);
}

static int set(uint32_t eff, uint32_t perm, uint32_t inh)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2] = {{eff, perm, inh}, {0, 0, 0}};
    return (int)syscall(SYS_capset, &h, d);
}

static void show(const char *who)
{
    struct __user_cap_data_struct d[2];
    if (get(d))
        say("%s: capget %s\n", who, ename(errno));
    else
        say("%s: eff %#x perm %#x inh %#x, high words %#x %#x\n", who, d[0].effective,
            d[0].permitted, d[0].inheritable, d[1].effective, d[1].permitted);
}

static void *thread_show(void *arg)
{
    show(arg);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 2) { /* the image execve started: root again */
        struct __user_cap_data_struct d[2];
        get(d);
        say("after execve: CAP_SETUID effective %d, permitted %d, CAP_CHOWN effective %d\n",
            !!(d[0].effective & BIT(CAP_SETUID)), !!(d[0].permitted & BIT(CAP_SETUID)),
            !!(d[0].effective & BIT(CAP_CHOWN)));
        return 0;
    }
    if (geteuid() != 0) {
        say("not root: nothing to check\n");
        return 0;
    }
    uint32_t keep = BIT(CAP_CHOWN) | BIT(CAP_AUDIT_WRITE) | BIT(CAP_SETPCAP);
    int r = set(keep, keep, 0);
    say("narrowed to CHOWN, SETPCAP, AUDIT_WRITE: %d\n", r);
    show("now");
    pthread_t t;
    pthread_create(&t, NULL, thread_show, "a new thread");
    pthread_join(t, NULL);
    fflush(stdout);
    if (fork() == 0) {
        show("a forked child");
        _exit(0);
    }
    wait(NULL);
    r = set(keep | BIT(CAP_SETUID), keep | BIT(CAP_SETUID), 0);
    say("raising CAP_SETUID back: %d %s\n", r, r ? ename(errno) : "");
    r = set(keep | BIT(CAP_KILL), keep, 0);
    say("effective beyond permitted: %d %s\n", r, r ? ename(errno) : "");
    r = set(BIT(CAP_CHOWN), keep, BIT(CAP_KILL));
    say("inheritable beyond permitted, with SETPCAP: %d %s\n", r, r ? ename(errno) : "");
    r = set(BIT(CAP_CHOWN), BIT(CAP_CHOWN), BIT(CAP_KILL));
    say("dropping SETPCAP, keeping CAP_KILL inheritable: %d %s\n", r, r ? ename(errno) : "");
    r = set(BIT(CAP_CHOWN), BIT(CAP_CHOWN), BIT(CAP_KILL) | BIT(CAP_NET_RAW));
    say("inheritable beyond, without SETPCAP: %d %s\n", r, r ? ename(errno) : "");
    show("now");
    r = setuid(12345);
    say("setuid(12345) without CAP_SETUID: %d %s\n", r, r ? ename(errno) : "");
    struct __user_cap_header_struct h = {0x12345678, 0};
    r = (int)syscall(SYS_capget, &h, NULL);
    say("capget of a bad version, no data: %d, version %#x\n", r, h.version);
    h.version = 0x12345678;
    struct __user_cap_data_struct d[2];
    r = (int)syscall(SYS_capget, &h, d);
    say("capget of a bad version: %d %s, version %#x\n", r, r ? ename(errno) : "", h.version);
    h = (struct __user_cap_header_struct){_LINUX_CAPABILITY_VERSION_3, 0x7fffffff};
    r = (int)syscall(SYS_capget, &h, d);
    say("capget of another process: %d %s\n", r, r ? ename(errno) : "");
    r = (int)syscall(SYS_capget, NULL, d);
    say("capget with no header: %d %s\n", r, r ? ename(errno) : "");
    h = (struct __user_cap_header_struct){_LINUX_CAPABILITY_VERSION_3, 0};
    r = (int)syscall(SYS_capset, &h, NULL);
    say("capset with no data: %d %s\n", r, r ? ename(errno) : "");
    fflush(stdout);
    execl("/proc/self/exe", argv[0], argc > 1 ? argv[1] : ".", "again", (char *)NULL);
    say("execl: %s\n", ename(errno));
    return 1;
}
