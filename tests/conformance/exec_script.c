// modes: direct sim
/* execve(2) of "#!" scripts (Linux's binfmt_script): the interpreter's
 * path is resolved as execve resolves one (symlinks in it and to it
 * followed), argv becomes [interpreter as written, its argument, the
 * script as named, the script's arguments], a script may name a script
 * as its interpreter, and one that names itself fails with ELOOP. This
 * program is the interpreter (DIR/bin/interp, its argument "interp"): it
 * prints the arguments it got, with the test directory shown as DIR. */
#include "conf.h"

#include <fcntl.h>
#include <sys/stat.h>

extern char **environ;

static const char *dir;

static void show(const char *what, const char *s)
{
    size_t n = strlen(dir);
    if (!strncmp(s, dir, n))
        say("%s: DIR%s\n", what, s + n);
    else
        say("%s: %s\n", what, s);
}

static void write_file(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        _exit(80);
    close(fd);
}

/* Runs path with one argument in a child; prints what the child printed
 * (as the interpreter) or the exec's error. */
static void run(const char *what, const char *path)
{
    int fds[2];
    if (pipe(fds))
        _exit(81);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        char *argv[] = {"script-argv0", "first", NULL};
        execve(path, argv, environ);
        say("exec failed: %s\n", ename(errno));
        _exit(1);
    }
    close(fds[1]);
    char buf[2048];
    size_t got = 0;
    for (ssize_t n; got < sizeof(buf) - 1 && (n = read(fds[0], buf + got, sizeof(buf) - 1 - got)) > 0;)
        got += (size_t)n;
    buf[got] = 0;
    close(fds[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    say("== %s (exit %d)\n%s", what, WIFEXITED(st) ? WEXITSTATUS(st) : -1, buf);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    dir = argv[1];
    if (!strcmp(argv[1], "interp")) { /* run as the interpreter */
        static char d[512];
        const char *end = strstr(argv[0], "/bin/interp");
        snprintf(d, sizeof(d), "%.*s", end ? (int)(end - argv[0]) : 0, argv[0]);
        dir = d;
        for (int k = 0; k < argc; k++) {
            char what[32];
            snprintf(what, sizeof(what), "argv[%d]", k);
            show(what, argv[k]);
        }
        return 0;
    }
    char self[512], path[512];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0)
        return 3;
    self[n] = 0;
    /* The interpreter through a symlink in a symlinked directory: DIR/bin
     * -> real, DIR/real/interp -> this program. */
    snprintf(path, sizeof(path), "%s/real", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/real/interp", dir);
    unlink(path);
    if (symlink(self, path))
        return 4;
    snprintf(path, sizeof(path), "%s/bin", dir);
    unlink(path);
    if (symlink("real", path))
        return 5;
    /* Each script: its name, its first line (%s: DIR), what it shows. */
    static const struct {
        const char *name, *line, *what;
    } scripts[] = {
        {"plain.sh", "#!%s/bin/interp interp\n", "script, interpreter through symlinks"},
        {"spaces.sh", "#! %s/bin/interp\tinterp   \nignored\n",
         "blanks around the interpreter and its argument"},
        {"nested.sh", "#!%s/plain.sh\n", "a script as the interpreter"},
        {"self.sh", "#!%s/self.sh\n", "a script naming itself"},
        {"missing.sh", "#!%s/missing-interp\n", "a missing interpreter"},
    };
    size_t count = sizeof(scripts) / sizeof(scripts[0]);
    for (size_t i = 0; i < count; i++) {
        char text[600];
        snprintf(text, sizeof(text), scripts[i].line, dir);
        write_file(scripts[i].name, text);
    }
    for (size_t i = 0; i < count; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, scripts[i].name);
        run(scripts[i].what, path);
    }
    if (chdir(dir) == 0)
        run("relative script path", "./plain.sh");
    return 0;
}
