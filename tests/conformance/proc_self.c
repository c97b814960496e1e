// modes: direct sim
/* /proc/self (proc(5)): the link itself names the process, exe is the
 * program, cwd follows chdir, fd/ lists and resolves the descriptors,
 * maps lists the program's file, stat and status carry the pid, cmdline
 * holds argv. */
#include "conf.h"
#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>

static int has_line(const char *file, const char *needle)
{
    FILE *f = fopen(file, "r");
    char line[4096];
    int found = 0;
    if (!f)
        return -1;
    while (!found && fgets(line, sizeof(line), f))
        found = strstr(line, needle) != NULL;
    fclose(f);
    return found;
}

int main(int argc, char **argv)
{
    char buf[PATH_MAX], want[PATH_MAX], exe[PATH_MAX];
    ssize_t n;
    if (argc < 2)
        return 2;
    n = readlink("/proc/self", buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = 0;
    say("/proc/self names getpid: %s\n", n > 0 && atoi(buf) == getpid() ? "yes" : "no");
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    exe[n > 0 ? n : 0] = 0;
    strcpy(buf, exe);
    say("exe: absolute %s, basename %s\n", exe[0] == '/' ? "yes" : "no", basename(buf));
    say("exe opens: %s\n", access("/proc/self/exe", R_OK) == 0 ? "yes" : "no");

    if (chdir(argv[1]))
        return 1;
    n = readlink("/proc/self/cwd", buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = 0;
    say("cwd equals getcwd after chdir: %s\n",
        getcwd(want, sizeof(want)) && strcmp(buf, want) == 0 ? "yes" : "no");

    int fd = open("probe", O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || dup2(fd, 40) != 40)
        return 1;
    close(fd);
    n = readlink("/proc/self/fd/40", buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = 0;
    snprintf(want + strlen(want), sizeof(want) - strlen(want), "/probe");
    say("fd/40 resolves to the file: %s\n", strcmp(buf, want) == 0 ? "yes" : "no");
    DIR *d = opendir("/proc/self/fd");
    int saw40 = 0, saw0 = 0, saw41 = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        saw0 |= strcmp(e->d_name, "0") == 0;
        saw40 |= strcmp(e->d_name, "40") == 0;
        saw41 |= strcmp(e->d_name, "41") == 0;
    }
    say("fd/ lists 0 %s, 40 %s, 41 %s\n", saw0 ? "yes" : "no", saw40 ? "yes" : "no",
        saw41 ? "yes" : "no");
    if (d)
        closedir(d);
    close(40);
    say("fd/40 after close: %s\n", access("/proc/self/fd/40", F_OK) == 0 ? "exists" : ename(errno));

    say("maps has the program: %s\n", has_line("/proc/self/maps", exe) == 1 ? "yes" : "no");
    snprintf(want, sizeof(want), "%d (", (int)getpid());
    FILE *f = fopen("/proc/self/stat", "r");
    say("stat starts with the pid: %s\n",
        f && fgets(buf, sizeof(buf), f) && strncmp(buf, want, strlen(want)) == 0 ? "yes" : "no");
    if (f)
        fclose(f);
    snprintf(want, sizeof(want), "Pid:\t%d\n", (int)getpid());
    say("status has Pid: %s\n", has_line("/proc/self/status", want) == 1 ? "yes" : "no");
    fd = open("/proc/self/cmdline", O_RDONLY);
    n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
    say("cmdline second word is argv[1]: %s\n",
        n > 0 && strcmp(buf + strlen(buf) + 1, argv[1]) == 0 ? "yes" : "no");
    return 0;
}
