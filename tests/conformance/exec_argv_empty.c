// modes: direct sim
/* execve with a NULL argv, or an empty one: the new program still gets
 * argc 1 and an empty argv[0], as Linux gives since 5.18, and argv[1] is
 * NULL; a NULL envp gives an empty environment. */
#include "conf.h"
#include <stdint.h>

extern char **environ;

static void run(const char *what, char *const *argv)
{
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        execve("/proc/self/exe", argv, NULL);
        _exit(99);
    }
    int st = 0;
    waitpid(p, &st, 0);
    say("%s: exit %d\n", what, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

int main(int argc, char **argv)
{
    if (argc <= 1 && (!argv[0] || !argv[0][0])) { /* the re-executed image */
        say("  argc %d, argv[0] %s, argv[1] %s, environ[0] %s\n", argc,
            argv[0] ? "\"\"" : "NULL", argv[argc] ? "set" : "NULL",
            environ && environ[0] ? "set" : "NULL");
        return 7;
    }
    run("argv NULL", NULL);
    char *none[] = {NULL};
    run("argv {NULL}", none);
    return 0;
}
