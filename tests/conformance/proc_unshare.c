// modes: direct sim
/* unshare(2) in a process of one thread: nothing to unshare, so 0 for no
 * flags, CLONE_FILES, CLONE_FS, CLONE_SYSVSEM and the no-op CLONE_VM,
 * CLONE_SIGHAND, CLONE_THREAD; an unknown flag is EINVAL; the descriptors
 * and working directory are what they were. */
#include "conf.h"
#include <fcntl.h>
#include <sched.h>
#include <sys/syscall.h>

static void try(const char *what, unsigned long flags)
{
    long r = syscall(SYS_unshare, flags);
    say("%s: %ld %s\n", what, r, r < 0 ? ename(errno) : "");
}

int main(void)
{
    int fd = open("/", O_RDONLY | O_DIRECTORY);
    char before[256], after[256];
    if (!getcwd(before, sizeof(before)))
        return 1;
    try("no flags", 0);
    try("CLONE_FILES", CLONE_FILES);
    try("CLONE_FS", CLONE_FS);
    try("CLONE_SYSVSEM", CLONE_SYSVSEM);
    try("CLONE_FILES|CLONE_FS|CLONE_SYSVSEM", CLONE_FILES | CLONE_FS | CLONE_SYSVSEM);
    try("CLONE_VM|CLONE_SIGHAND|CLONE_THREAD", CLONE_VM | CLONE_SIGHAND | CLONE_THREAD);
    try("CSIGNAL bits", 0x11);
    try("CLONE_PTRACE", CLONE_PTRACE);
    say("descriptor still open: %d\n", fcntl(fd, F_GETFD) >= 0);
    say("same working directory: %d\n", getcwd(after, sizeof(after)) && !strcmp(before, after));
    return 0;
}
