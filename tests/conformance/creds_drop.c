// modes: direct sim
/* Dropping privileges as a daemon does (setgroups(2), setgid(2),
 * setuid(2), chown(2), credentials(7)): root may give a file to another
 * user and become that user; afterwards it cannot become root again and
 * the file permissions apply. Each step runs in a child, so the parent
 * keeps its ids. A non-root start checks the refusals instead. */
#include "conf.h"
#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>

#define NOBODY 65534

int main(int argc, char **argv)
{
    char path[4096];
    if (argc < 2)
        return 2;
    snprintf(path, sizeof(path), "%s/owned", argv[1]);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return 1;
    int root = geteuid() == 0;
    say("started as root: %s\n", root ? "yes" : "no");
    pid_t pid = xfork();
    if (pid == 0) {
        struct stat st;
        chk("chown to nobody", chown(path, NOBODY, NOBODY));
        if (stat(path, &st) == 0)
            say("owner is nobody: %s\n", st.st_uid == NOBODY && st.st_gid == NOBODY ? "yes" : "no");
        chk("setgroups(0, NULL)", setgroups(0, NULL));
        chk("setgid(nobody)", setgid(NOBODY));
        chk("setuid(nobody)", setuid(NOBODY));
        say("ids now: uid %d euid %d gid %d egid %d\n", (int)getuid(), (int)geteuid(),
            (int)getgid(), (int)getegid());
        chk("setuid(0)", setuid(0));
        chk("seteuid(0)", seteuid(0));
        chk("setgroups(0, NULL)", setgroups(0, NULL));
        chk("chown back to 0", chown(path, 0, 0));
        _exit(0);
    }
    reap("child", pid);
    say("parent's euid unchanged: %s\n", geteuid() == (root ? 0 : geteuid()) ? "yes" : "no");
    if (root) {
        snprintf(path, sizeof(path), "%s/secret", argv[1]);
        close(open(path, O_RDWR | O_CREAT | O_TRUNC, 0600));
        pid = xfork();
        if (pid == 0) {
            chk("seteuid(nobody)", seteuid(NOBODY));
            snprintf(path, sizeof(path), "%s/secret", argv[1]);
            chk("open a 0600 root-owned file as nobody", open(path, O_RDONLY));
            chk("seteuid(0) back (saved uid 0)", seteuid(0));
            say("euid %d\n", (int)geteuid());
            _exit(0);
        }
        reap("child", pid);
    }
    return 0;
}
