/* libOS unit tier: the descriptor table (core/fd.c), file references
 * (core/file.c) and the syscalls that work on descriptors alone (close, dup,
 * dup2, dup3, fcntl F_DUPFD/F_GETFD/F_SETFD of sys/fs_io.c), as the real
 * files, with Linux's semantics from dup(2), close(2) and fcntl(2): the
 * lowest free descriptor, dup2 closing its target, O_CLOEXEC per
 * descriptor, RLIMIT_NOFILE (1024: getrlimit's answer) and its EMFILE,
 * EBADF for a descriptor that is not open. A file is released once, when
 * its last reference goes, and each close of a descriptor tells the
 * record locks (file_ops.fd_closed). */
#include <asm/prctl.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/process.h"
#include "fake_pal.h"
#include "fs/vfs.h"
#include "sys/sys.h"

/* --- fakes for what sys/fs_io.c calls beyond descriptors ------------------ */
long fcntl_lock(int fd, int cmd, void *arg)
{
    (void)fd, (void)cmd, (void)arg;
    return -PAL_ENOSYS;
}
long fcntl_owner(int fd, int cmd, uint64_t arg)
{
    (void)fd, (void)cmd, (void)arg;
    return -PAL_ENOSYS;
}
long fcntl_seals(int fd, int cmd, unsigned long arg)
{
    (void)fd, (void)cmd, (void)arg;
    return -PAL_ENOSYS;
}
long file_set_async(struct file *f, bool on)
{
    (void)f, (void)on;
    return 0;
}
long signal_epipe(long r)
{
    return r;
}
int vfs_open(const char *inside, int flags, uint32_t mode, struct file **out)
{
    (void)inside, (void)flags, (void)mode, (void)out;
    return -PAL_ENOENT;
}
int vfs_resolve(int dirfd, const char *path, char *out, size_t size)
{
    (void)dirfd, (void)path, (void)out, (void)size;
    return -PAL_ENOENT;
}
const struct file_ops host_file_ops;

/* Which files were released, and which had a descriptor closed. */
static int released[2048], lock_closes[2048];
static int file_id(struct file *f)
{
    return (int)(uintptr_t)f->h;
}
static void t_fd_closed(struct file *f)
{
    lock_closes[file_id(f)]++;
}
static void t_release(struct file *f)
{
    released[file_id(f)]++;
}
static const struct file_ops test_ops = {.release = t_release, .fd_closed = t_fd_closed};
static const struct file_ops other_ops = {.release = t_release, .fd_closed = t_fd_closed};

static int closed_handles;
static long fake_close(pal_handle h)
{
    (void)h;
    closed_handles++;
    return 0;
}
static struct pal_api my_pal;

static struct file *new_file(int id)
{
    return file_new(&test_ops, (pal_handle)(uintptr_t)id, 0);
}

static long call(long (*fn)(struct sc_args *), uint64_t a0, uint64_t a1, uint64_t a2)
{
    struct sc_args args = {.a = {a0, a1, a2}};
    return fn(&args);
}
#define DUP(fd) call(sys_dup, (uint64_t)(fd), 0, 0)
#define DUP2(a, b) call(sys_dup2, (uint64_t)(a), (uint64_t)(b), 0)
#define DUP3(a, b, fl) call(sys_dup3, (uint64_t)(a), (uint64_t)(b), (uint64_t)(fl))
#define CLOSE(fd) call(sys_close, (uint64_t)(fd), 0, 0)
#define FCNTL(fd, cmd, arg) call(sys_fcntl, (uint64_t)(fd), (uint64_t)(cmd), (uint64_t)(arg))

/* Closes every descriptor. */
static void close_all(void)
{
    for (int fd = 0; fd < FD_MAX; fd++)
        fd_close(fd);
}

static void lowest_free(void)
{
    CHECK(fd_install(new_file(1), 0, false) == 0 && fd_install(new_file(2), 0, false) == 1 &&
              fd_install(new_file(3), 0, false) == 2,
          "an empty table hands out 0, 1, 2");
    CHECK(CLOSE(1) == 0 && released[2] == 1 && lock_closes[2] == 1,
          "close(1): the file is released, its locks told once");
    CHECK(fd_install(new_file(4), 0, false) == 1, "the next descriptor is the lowest free: 1");
    CHECK(fd_install(new_file(5), 10, false) == 10, "from 10 (F_DUPFD's minimum): 10");
    CHECK(DUP(0) == 3, "dup(0): 3, the lowest free");
    CHECK(FCNTL(0, F_DUPFD, 5) == 5 && FCNTL(0, F_DUPFD, 5) == 6,
          "F_DUPFD 5: 5, then 6 (the lowest free at or above it)");
    CHECK(FCNTL(0, F_DUPFD, 1024) == -PAL_EINVAL && FCNTL(0, F_DUPFD, -1) == -PAL_EINVAL,
          "F_DUPFD at or above RLIMIT_NOFILE, or negative: EINVAL");
    CHECK(FCNTL(900, F_DUPFD, 0) == -PAL_EBADF, "F_DUPFD of a closed descriptor: EBADF");
    CHECK(FCNTL(900, F_DUPFD, 5000) == -PAL_EBADF, "... EBADF before EINVAL");
    close_all();
    CHECK(released[1] == 1 && released[4] == 1 && released[5] == 1,
          "after closing all: each file released once, with its duplicates");
}

static void bad_close(void)
{
    CHECK(CLOSE(7) == -PAL_EBADF, "close of an unused descriptor: EBADF");
    CHECK(CLOSE(-1) == -PAL_EBADF && CLOSE(FD_MAX) == -PAL_EBADF && CLOSE(1u << 31) == -PAL_EBADF,
          "close(-1), close(1024), close(INT_MIN): EBADF");
    int fd = fd_install(new_file(20), 0, false);
    CHECK(CLOSE(fd) == 0 && CLOSE(fd) == -PAL_EBADF, "the second close of a descriptor: EBADF");
    CHECK(released[20] == 1 && lock_closes[20] == 1, "released once, locks told once");
    CHECK(fd_get(fd) == NULL && fd_get(-5) == NULL && fd_get(FD_MAX) == NULL,
          "fd_get of a closed or out-of-range descriptor: NULL");
}

static void dups(void)
{
    int a = fd_install(new_file(30), 0, /*cloexec=*/true); /* 0 */
    int b = fd_install(new_file(31), 0, false);            /* 1 */
    CHECK(a == 0 && b == 1, "two files at 0 and 1");
    CHECK(DUP2(a, a) == a && released[30] == 0 && fd_get_cloexec(a) == 1,
          "dup2(fd, fd): fd, nothing closed, FD_CLOEXEC kept");
    CHECK(DUP2(5, 5) == -PAL_EBADF, "dup2(closed, same): EBADF");
    CHECK(DUP2(5, b) == -PAL_EBADF && released[31] == 0 && fd_get_cloexec(b) == 0,
          "dup2(closed, open): EBADF and the target stays open");
    CHECK(DUP2(a, b) == b && released[31] == 1 && lock_closes[31] == 1,
          "dup2 onto an open descriptor closes what was there");
    CHECK(fd_get_cloexec(b) == 0 && fd_get_cloexec(a) == 1,
          "the copy has no FD_CLOEXEC, the original keeps it");
    struct file *fa = fd_get(a), *fb = fd_get(b);
    CHECK(fa && fa == fb, "both descriptors share one open file");
    file_put(fa), file_put(fb);
    CHECK(DUP2(a, 1023) == 1023 && DUP2(a, 1024) == -PAL_EBADF && DUP2(a, -1) == -PAL_EBADF,
          "dup2 to 1023 works; to 1024 (RLIMIT_NOFILE) or -1: EBADF");
    CHECK(DUP3(a, a, 0) == -PAL_EINVAL && DUP3(a, a, O_CLOEXEC) == -PAL_EINVAL,
          "dup3(fd, fd): EINVAL");
    CHECK(DUP3(a, 7, O_NONBLOCK) == -PAL_EINVAL && fd_get_cloexec(7) == -PAL_EBADF,
          "dup3 with a flag other than O_CLOEXEC: EINVAL, nothing made");
    CHECK(DUP3(a, -1, 0) == -PAL_EBADF && DUP3(a, 1024, O_CLOEXEC) == -PAL_EBADF,
          "dup3 to -1 or 1024: EBADF");
    CHECK(DUP3(a, 7, O_CLOEXEC) == 7 && fd_get_cloexec(7) == 1, "dup3 O_CLOEXEC: FD_CLOEXEC set");
    CHECK(DUP3(a, 8, 0) == 8 && fd_get_cloexec(8) == 0, "dup3 without it: not set");
    CHECK(DUP3(40, 8, 0) == -PAL_EBADF, "dup3 of a closed descriptor: EBADF");
    CHECK(DUP(a) == 2 && fd_get_cloexec(2) == 0, "dup: the lowest free, FD_CLOEXEC off");
    CHECK(FCNTL(a, F_DUPFD_CLOEXEC, 0) == 3 && fd_get_cloexec(3) == 1,
          "F_DUPFD_CLOEXEC: FD_CLOEXEC on");
    CHECK(FCNTL(b, F_GETFD, 0) == 0 && FCNTL(b, F_SETFD, FD_CLOEXEC) == 0 &&
              FCNTL(b, F_GETFD, 0) == FD_CLOEXEC && fd_get_cloexec(a) == 1,
          "F_SETFD FD_CLOEXEC on one descriptor");
    CHECK(FCNTL(b, F_SETFD, 0) == 0 && FCNTL(b, F_GETFD, 0) == 0 && FCNTL(a, F_GETFD, 0) == 1,
          "F_SETFD 0 clears it there alone");
    CHECK(FCNTL(9, F_GETFD, 0) == -PAL_EBADF && FCNTL(9, F_SETFD, 1) == -PAL_EBADF,
          "F_GETFD/F_SETFD of a closed descriptor: EBADF");
    close_all();
    CHECK(released[30] == 1 && lock_closes[30] == 7,
          "the shared file: released once, its locks told at each of its 7 closes");
}

static void limit(void)
{
    int n = 0;
    struct file *f;
    while (fd_install(f = new_file(100), 0, false) >= 0)
        n++;
    file_put(f);
    CHECK(n == 1024 && released[100] == 1, "1024 descriptors (RLIMIT_NOFILE) fit (%d)", n);
    f = new_file(101);
    CHECK(fd_install(f, 0, false) == -PAL_EMFILE, "the 1025th: EMFILE");
    file_put(f);
    CHECK(released[101] == 1, "(the file that found no slot is the caller's to put)");
    CHECK(DUP(3) == -PAL_EMFILE && FCNTL(3, F_DUPFD, 0) == -PAL_EMFILE, "dup, F_DUPFD: EMFILE");
    CHECK(DUP2(3, 1023) == 1023, "dup2 onto an open descriptor still works at the limit");
    static const struct file_ops anon_ops = {.release = anon_release};
    CHECK(anon_install(&anon_ops, (pal_handle)1, 0, false, NULL) == -PAL_EMFILE && closed_handles == 1,
          "anon_install at the limit: EMFILE, its host handle closed");
    CHECK(CLOSE(500) == 0 && DUP(3) == 500, "a close frees the slot");
    close_all();
    CHECK(released[100] == 1025, "every file released once (%d)", released[100]);
}

static void references(void)
{
    int fd = fd_install(new_file(200), 0, false);
    struct file *f = fd_get(fd);
    CHECK(f && f->refs == 2, "fd_get takes a reference");
    CHECK(CLOSE(fd) == 0 && released[200] == 0, "close while referenced: not released yet");
    file_put(f);
    CHECK(released[200] == 1, "released at the last put");

    fd = fd_install(new_file(201), 0, false);
    bool counted;
    libos_thread_count = 1;
    f = fd_borrow(fd, &counted);
    CHECK(f && !counted && f->refs == 1, "fd_borrow with one thread: no reference taken");
    fd_unborrow(f, counted);
    libos_thread_count = 2;
    f = fd_borrow(fd, &counted);
    CHECK(f && counted && f->refs == 2, "fd_borrow with two threads: a reference");
    fd_unborrow(f, counted);
    CHECK(f->refs == 1, "fd_unborrow drops it");
    CHECK(fd_borrow(fd + 1, &counted) == NULL, "fd_borrow of a closed descriptor: NULL");
    libos_thread_count = 1;

    struct file *out;
    CHECK(fd_get_of(fd, &other_ops, &out) == -PAL_EINVAL, "fd_get_of another kind: EINVAL");
    CHECK(fd_get_of(fd + 1, &test_ops, &out) == -PAL_EBADF, "fd_get_of a closed fd: EBADF");
    CHECK(fd_get_of(fd, &test_ops, &out) == 0 && out->refs == 2, "fd_get_of: a reference");
    file_put(out);
    close_all();
}

/* A vfork child's table (sys/vfork.c): the thread the child runs on sees
 * a copy in which it closes, dups and opens; every other thread sees the
 * process's, CLOEXEC bits too; dropping the copy releases what only the
 * child held, once; the child's closes tell no record locks (the child is
 * another process, which holds none of the parent's). Adopting the copy
 * (in the child's own process) makes it the process's table. */
static struct libos_thread me, other;
static void on_thread(struct libos_thread *t)
{
    t->self = t;
    syscall(SYS_arch_prctl, ARCH_SET_GS, t);
}

static void vfork_table(void)
{
    on_thread(&me);
    close_all();
    memset(released, 0, sizeof(released));
    memset(lock_closes, 0, sizeof(lock_closes));
    int a = fd_install(new_file(40), 0, false), b = fd_install(new_file(41), 0, true);
    CHECK(a == 0 && b == 1, "the parent's table: 0 and 1 (1 CLOEXEC)");
    fd_table_fork_child();
    vfork_child_thread = &me;
    CHECK(CLOSE(a) == 0 && DUP2(b, 5) == 5 && fd_install(new_file(42), 0, false) == 0 &&
              FCNTL(b, F_SETFD, 0) == 0,
          "the child closes 0, dups 1 to 5, opens at 0, clears 1's CLOEXEC");
    CHECK(released[40] == 0 && lock_closes[40] == 0, "the parent's file at 0 stays, no lock told");
    on_thread(&other);
    struct file *f0 = fd_get(0), *f5 = fd_get(5);
    CHECK(f0 && file_id(f0) == 40 && !f5 && fd_get_cloexec(1) == 1,
          "another thread meanwhile: 40 at 0, nothing at 5, 1 CLOEXEC");
    file_put(f0);
    on_thread(&me);
    vfork_child_thread = NULL;
    fd_table_child_drop();
    f0 = fd_get(0);
    struct file *f1 = fd_get(1);
    f5 = fd_get(5);
    CHECK(f0 && file_id(f0) == 40 && f1 && file_id(f1) == 41 && !f5 && fd_get_cloexec(1) == 1,
          "the parent's thread after the child: 40 at 0, 41 at 1 (CLOEXEC), nothing at 5");
    file_put(f0);
    file_put(f1);
    CHECK(released[42] == 1 && lock_closes[42] == 0 && released[41] == 0,
          "the child's own file released once (no lock told); 41 still held");
    fd_table_fork_child();
    vfork_child_thread = &me;
    CHECK(CLOSE(1) == 0 && released[41] == 0, "a child closes 1: still the parent's");
    fd_table_child_adopt();
    vfork_child_thread = NULL;
    f0 = fd_get(0);
    CHECK(f0 && file_id(f0) == 40 && !fd_get(1) && released[41] == 1 && released[40] == 0,
          "adopted in the child's process: 40 at 0, no 1 (41 released once)");
    file_put(f0);
    close_all();
    CHECK(released[40] == 1, "40 released at its last close");
}

int main(void)
{
    fake_pal_init();
    my_pal = *pal;
    my_pal.close = fake_close;
    pal = &my_pal;
    lowest_free();
    bad_close();
    dups();
    limit();
    references();
    vfork_table();
    return fake_done();
}
