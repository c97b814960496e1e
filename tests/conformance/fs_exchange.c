// modes: direct
/* renameat2(2) RENAME_EXCHANGE "atomically exchanges oldpath and newpath":
 * another process opening either name meanwhile always finds it. RENAME_NOREPLACE never replaces a
 * name another process made. */
#include "conf.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
    if (argc < 2 || chdir(argv[1]))
        return 2;
    int a = open("a", O_RDWR | O_CREAT | O_TRUNC, 0600),
        b = open("b", O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (a < 0 || b < 0 || write(a, "A", 1) != 1 || write(b, "B", 1) != 1)
        return 1;
    int go[2], done[2];
    if (pipe(go) || pipe(done))
        return 1;
    pid_t pid = xfork();
    if (pid == 0) {
        post(go[1]);
        long bad = 0;
        for (int i = 0; i < 20000; i++)
            if (syscall(SYS_renameat2, AT_FDCWD, "a", AT_FDCWD, "b", RENAME_EXCHANGE))
                bad++;
        _exit(bad ? 1 : 0);
    }
    await(go[0]);
    long missing = 0, looks = 0;
    int st;
    while (waitpid(pid, &st, WNOHANG) == 0) {
        int fa = open("a", O_RDONLY), fb = open("b", O_RDONLY);
        if (fa < 0 || fb < 0)
            missing++;
        looks++;
        close(fa);
        close(fb);
    }
    say("exchanger: %s\n", wstr(st));
    say("a name missing meanwhile: %s\n", missing ? "yes" : "no");
    say("looked at least once: %s\n", looks ? "yes" : "no");
    struct stat sa, sb;
    say("two files at the end: %s\n",
        !stat("a", &sa) && !stat("b", &sb) && sa.st_ino != sb.st_ino ? "yes" : "no");
    chk("RENAME_NOREPLACE onto b",
        syscall(SYS_renameat2, AT_FDCWD, "a", AT_FDCWD, "b", RENAME_NOREPLACE));
    chk("RENAME_NOREPLACE onto c",
        syscall(SYS_renameat2, AT_FDCWD, "a", AT_FDCWD, "c", RENAME_NOREPLACE));
    chk("RENAME_EXCHANGE b with itself",
        syscall(SYS_renameat2, AT_FDCWD, "b", AT_FDCWD, "b", RENAME_EXCHANGE));
    chk("RENAME_EXCHANGE with a missing name",
        syscall(SYS_renameat2, AT_FDCWD, "b", AT_FDCWD, "a", RENAME_EXCHANGE));
    if (mkdir("d", 0700) || close(open("d/in", O_CREAT | O_WRONLY, 0600)))
        return 1;
    chk("RENAME_EXCHANGE a file and a directory",
        syscall(SYS_renameat2, AT_FDCWD, "b", AT_FDCWD, "d", RENAME_EXCHANGE));
    say("b is now a directory holding in: %s\n", access("b/in", F_OK) ? "no" : "yes");
    chk("RENAME_EXCHANGE a directory into itself",
        syscall(SYS_renameat2, AT_FDCWD, "b", AT_FDCWD, "b/in", RENAME_EXCHANGE));
    return 0;
}
