/* execve in place: the libOS stays, the program image is replaced. Every
 * mapping of the old program (its image and brk, its stack, what it
 * mapped) is released, shared file copies written back first
 * (vma_release_all). Scripts with "#!" run their interpreter. A vfork
 * child becomes a process of its own at the point of no return
 * (sys/vfork.c). */
#include <linux/fcntl.h>

#include "core/mm.h"
#include "core/signal.h"
#include "elf/elf.h"
#include "fs/trusted.h"
#include "fs/vfs.h"
#include "core/process.h"
#include "core/creds.h"
#include "sys/sys.h"
#include "sys/vfork.h"

#define ARG_MAX_ (2 * 1024 * 1024)
/* Interpreters of interpreters: Linux's BINPRM_MAX_RECURSION (4 in all,
 * the program itself included), then ELOOP. */
#define MAX_SHEBANG 4

/* Copies a NULL-terminated vector from program memory into the heap
 * (prefix: extra leading entries, e.g. an interpreter and its argument). */
static char **copy_vec(char *const *v, char **prefix, int nprefix, int skip)
{
    size_t n = 0, bytes = 0;
    for (; v && v[n]; n++)
        bytes += strlen(v[n]) + 1;
    if (bytes > ARG_MAX_)
        return NULL;
    size_t from = v && n > 0 ? (size_t)skip : 0;
    char **out = calloc((size_t)nprefix + n + 1, sizeof(char *));
    for (int i = 0; out && i < nprefix; i++)
        out[i] = strdup(prefix[i]);
    for (size_t i = from; out && i < n; i++)
        out[nprefix + i - from] = strdup(v[i]);
    return out;
}

static void free_vec(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

/* Reads "#!interp [arg]" from a script; returns 1 if it is one. */
static int read_shebang(const char *inside, char *interp, size_t size, char **arg)
{
    struct file *f;
    char buf[256];
    if (vfs_open(inside, O_RDONLY, 0, &f) < 0)
        return 0;
    long n = f->ops->pread ? f->ops->pread(f, buf, sizeof(buf) - 1, 0) : -1;
    file_put(f);
    if (n < 3 || buf[0] != '#' || buf[1] != '!')
        return 0;
    buf[n] = 0;
    char *p = buf + 2, *end = strchr(p, '\n');
    if (end)
        *end = 0;
    /* Blanks at the end of the line are not part of the argument. */
    for (size_t n = strlen(p); n && (p[n - 1] == ' ' || p[n - 1] == '\t');)
        p[--n] = 0;
    while (*p == ' ' || *p == '\t')
        p++;
    char *sp = p;
    while (*sp && *sp != ' ' && *sp != '\t')
        sp++;
    *arg = NULL;
    if (*sp) {
        *sp++ = 0;
        while (*sp == ' ' || *sp == '\t')
            sp++;
        *arg = *sp ? strdup(sp) : NULL;
    }
    snprintf(interp, size, "%s", p);
    return interp[0] == '/';
}

/* Resets what execve resets: handlers (ignored stay ignored), CLOEXEC
 * descriptors, the alternate stack. */
static void reset_process_state(void)
{
    for (int s = 1; s <= NSIG_; s++)
        if (sig_actions[s].handler > 1)
            memset(&sig_actions[s], 0, sizeof(sig_actions[s]));
    for (int fd = fd_next(0); fd >= 0; fd = fd_next(fd + 1))
        if (fd_get_cloexec(fd) > 0)
            fd_close(fd);
    cur_thread()->altstack_sp = cur_thread()->altstack_size = 0;
}

/* The file path names (symlinks followed, as execve does) into inside:
 * a regular file (execve(2): EACCES otherwise), or an error. */
static long exec_file(const char *path, char *inside)
{
    struct pal_stat st = {0};
    int r = vfs_resolve(-100 /* AT_FDCWD */, path, inside, PATH_MAX_LEN);
    if (r == 0)
        snprintf(inside, PATH_MAX_LEN, "%s", vfs_magic_link(inside));
    if (r == 0)
        r = vfs_stat(inside, 0, &st);
    if (r < 0)
        return r;
    return (st.mode & 0170000) == 0100000 ? 0 : -PAL_EACCES;
}

/* As Linux's binfmt_script: a "#!interp [arg]" file runs interp with
 * argv [interp, arg, the file as named, argv[1]...], interp itself
 * resolved as execve resolves a path (and it may be a script in turn). */
long exec_resolve(const char *path, char *inside, char ***argv, char *const *uargv)
{
    char interp[256], named[256], *iarg;
    long r = exec_file(path, inside);
    if (r < 0)
        return r;
    /* An empty argv (or none) gets one empty argv[0], as Linux does since
     * 5.18: programs take argv[0] for granted. */
    char *empty[1] = {""};
    char **v = uargv && uargv[0] ? copy_vec(uargv, NULL, 0, 0) : copy_vec(NULL, empty, 1, 0);
    const char *name = path;
    for (int depth = 1; v && read_shebang(inside, interp, sizeof(interp), &iarg); depth++) {
        if (depth == MAX_SHEBANG) {
            free(iarg);
            free_vec(v);
            return -PAL_ELOOP;
        }
        char *prefix[3] = {interp, iarg ? iarg : (char *)name, (char *)name};
        char **next = copy_vec(v, prefix, iarg ? 3 : 2, 1);
        free(iarg);
        free_vec(v);
        v = next;
        snprintf(named, sizeof(named), "%s", interp);
        name = named;
        r = exec_file(interp, inside);
        if (r < 0) {
            free_vec(v);
            return r;
        }
    }
    *argv = v;
    return v ? 0 : -PAL_E2BIG;
}

/* What can still fail as execve(2) does, before the old image goes: the
 * file must open for reading (an enclave's file policy refuses it here,
 * EACCES) and be an ELF image (ENOEXEC). */
static long exec_precheck(const char *inside)
{
    struct file *f;
    char magic[4];
    long r = vfs_open(inside, O_RDONLY, 0, &f);
    if (r < 0)
        return r;
    long n = f->ops->pread ? f->ops->pread(f, magic, sizeof(magic), 0) : -PAL_EACCES;
    file_put(f);
    if (n < 0)
        return n;
    return n == sizeof(magic) && !memcmp(magic, "\177ELF", 4) ? 0 : -PAL_ENOEXEC;
}

static void enter_new_image(struct pal_context *ctx, uint64_t entry, uint64_t sp)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->rip = entry;
    ctx->rsp = sp;
    ctx->rflags = 0x202;
}

/* The thread in execve while it ends the others, 0 otherwise. */
static volatile int exec_taker;

void exec_end_if_other(void)
{
    int taker = __atomic_load_n(&exec_taker, __ATOMIC_SEQ_CST);
    if (!taker || taker == cur_thread()->tid)
        return;
    __atomic_sub_fetch(&libos_thread_count, 1, __ATOMIC_SEQ_CST);
    thread_end(NULL); /* the old image's memory goes: no CLONE_CHILD_CLEARTID */
}

/* Linux's de_thread: every other thread ends before the new image comes,
 * at its next way out of the libOS (a blocking call is cut short, program
 * code interrupted: SIGKILL pending, which exec_end_if_other turns into
 * the thread's end before it could act). A thread that reaches execve
 * while another one is taking the process ends there too. Waits for them
 * (woken again every 10 ms, as a wake can come just before a thread
 * blocks). */
static void end_other_threads(void)
{
    int self = cur_thread()->tid, none = 0;
    while (!__atomic_compare_exchange_n(&exec_taker, &none, self, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST)) {
        exec_end_if_other(); /* another thread is in execve: it wins */
        none = 0;
    }
    for (int round = 0; __atomic_load_n(&libos_thread_count, __ATOMIC_SEQ_CST) > 1; round++) {
        if (round % 10 == 0)
            thread_wake_others(SIGBIT(9)); /* SIGKILL */
        pal->sleep(1000000);
    }
    cur_thread()->pending &= ~SIGBIT(9);
    if (cur_thread()->tid != libos_pid) { /* it takes the leader's id, as in Linux */
        ns_tid_free(cur_thread()->tid);
        cur_thread()->tid = libos_pid;
    }
}

/* After the new image is in place (or the process is gone). */
static void others_may_exec(void)
{
    __atomic_store_n(&exec_taker, 0, __ATOMIC_SEQ_CST);
}

SYS(execve)
{
    char inside[PATH_MAX_LEN];
    char **argv = NULL, **envp;
    trusted_keep_begin(); /* (its file read once from the host) */
    long r = exec_resolve(PTR(0), inside, &argv, PTR(1));
    envp = r == 0 ? copy_vec(PTR(2), NULL, 0, 0) : NULL;
    if (r == 0 && !envp)
        r = -PAL_E2BIG;
    if (r == 0)
        r = exec_precheck(inside);
    if (r < 0) {
        trusted_drop_kept();
        free_vec(argv);
        free_vec(envp);
        return r;
    }
    /* The new name is the file name execve was given (a symlink's or a
     * script's own), as Linux's comm; read before the old image goes. */
    char comm[16];
    const char *slash = strrchr(PTR(0), '/');
    snprintf(comm, sizeof(comm), "%s", slash ? slash + 1 : (const char *)PTR(0));
    /* A vfork child becomes a process of its own here: its parent resumes
     * (sys/vfork.c) and the new process goes on with the exec. */
    if (vfork_child_active()) {
        long parent = vfork_materialize(args->ctx, true);
        if (parent != 0) {
            trusted_drop_kept();
            free_vec(argv);
            free_vec(envp);
            return parent;
        }
    }
    end_other_threads();
    /* Past this point there is no old program to return an error to. */
    cur_thread()->clear_child_tid = NULL; /* an address of the old image */
    sysv_shm_detach_all();
    mm_release_images();
    rewrite_reset();
    reset_process_state();
    creds_exec();
    timers_exec();
    char *exec_path = strdup(inside);
    libos_cfg.exec_path = exec_path;
    proc_set_name(comm);
    uint64_t entry, sp;
    r = elf_exec(exec_path, argv, envp, &entry, &sp);
    trusted_drop_kept();
    if (r < 0) {
        log_error("execve %s failed after the old image was released: %s", exec_path, errno_name(r));
        libos_exit(127);
    }
    others_may_exec();
    enter_new_image(args->ctx, entry, sp);
    return 0;
}

/* execveat(2): the program named relative to dirfd, or dirfd itself with
 * AT_EMPTY_PATH (fexecve); then execve of that inside path. */
SYS(execveat)
{
    char inside[PATH_MAX_LEN];
    const char *path = PTR(1);
    int flags = (int)A(4);
    long r;
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -PAL_EINVAL;
    if (path && !path[0] && !(flags & AT_EMPTY_PATH))
        return -PAL_ENOENT;
    if ((flags & AT_EMPTY_PATH) && path && !path[0]) {
        struct file *f = fd_get((int)A(0));
        if (!f)
            return -PAL_EBADF;
        r = f->path ? (long)snprintf(inside, sizeof(inside), "%s", f->path) : -PAL_ENOENT;
        file_put(f);
    } else {
        r = vfs_resolve_at((int)A(0), path, !(flags & AT_SYMLINK_NOFOLLOW), inside, sizeof(inside));
    }
    if (r < 0)
        return r;
    struct pal_stat st;
    if ((flags & AT_SYMLINK_NOFOLLOW) && vfs_stat(inside, 1, &st) == 0 &&
        (st.mode & 0170000) == 0120000)
        return -PAL_ELOOP;
    struct sc_args ex = {{(uint64_t)inside, A(2), A(3)}, args->ctx};
    return sys_execve(&ex);
}
