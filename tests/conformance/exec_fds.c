// modes: direct sim
/* Descriptors across execve(2) (open(2) O_CLOEXEC, fcntl(2) FD_CLOEXEC):
 * close-on-exec descriptors are closed, the others stay open at the same
 * number with their offset. The program execs itself through
 * /proc/self/exe with the numbers to check. */
#include "conf.h"
#include <fcntl.h>

int main(int argc, char **argv)
{
    char path[4096], a[16], b[16], c[16];
    if (argc > 5 && strcmp(argv[2], "after-exec") == 0) {
        int keep = atoi(argv[3]), cloexec = atoi(argv[4]), setfd = atoi(argv[5]);
        say("after exec: kept fd open %s at offset %lld\n",
            fcntl(keep, F_GETFD) != -1 ? "yes" : "no", (long long)lseek(keep, 0, SEEK_CUR));
        say("after exec: kept fd FD_CLOEXEC %s\n",
            fcntl(keep, F_GETFD) == FD_CLOEXEC ? "set" : "clear");
        chk("after exec: O_CLOEXEC fd F_GETFD", fcntl(cloexec, F_GETFD));
        chk("after exec: F_SETFD FD_CLOEXEC fd F_GETFD", fcntl(setfd, F_GETFD));
        return 0;
    }
    if (argc < 2)
        return 2;
    snprintf(path, sizeof(path), "%s/exec_fds", argv[1]);
    int keep = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    int cloexec = open(path, O_RDONLY | O_CLOEXEC);
    int setfd = dup(keep);
    if (keep < 0 || cloexec < 0 || setfd < 0 || write(keep, "12345", 5) != 5)
        return 1;
    fcntl(setfd, F_SETFD, FD_CLOEXEC);
    say("before exec: dup clears FD_CLOEXEC: %s\n",
        fcntl(dup(cloexec), F_GETFD) == 0 ? "yes" : "no");
    snprintf(a, sizeof(a), "%d", keep);
    snprintf(b, sizeof(b), "%d", cloexec);
    snprintf(c, sizeof(c), "%d", setfd);
    pid_t pid = xfork();
    if (pid == 0) {
        char *args[] = {argv[0], argv[1], "after-exec", a, b, c, NULL};
        execv("/proc/self/exe", args);
        say("execv: -1 %s\n", ename(errno));
        _exit(1);
    }
    reap("child", pid);
    return 0;
}
