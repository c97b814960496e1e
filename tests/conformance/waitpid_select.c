// modes: direct sim
/* Choosing which child to wait for (waitpid(2)): a given pid, any child
 * (-1), WNOHANG while children run, the caller's group (0) and another
 * group (-pgid), and ECHILD when nothing is left to wait for. */
#include "conf.h"

static pid_t child(int code, int gate, int own_group)
{
    pid_t p = xfork();
    if (p == 0) {
        if (own_group)
            setpgid(0, 0);
        await(gate);
        _exit(code);
    }
    if (own_group)
        setpgid(p, p);
    return p;
}

int main(void)
{
    int g[4][2];
    pid_t c[4];
    int st, codes[2];
    for (int i = 0; i < 4; i++)
        if (pipe(g[i]))
            return 1;
    for (int i = 0; i < 4; i++)
        c[i] = child(10 + i, g[i][0], i == 3);
    val("waitpid(c1, WNOHANG) while it runs", waitpid(c[1], &st, WNOHANG));
    val("waitpid(-1, WNOHANG) while all run", waitpid(-1, &st, WNOHANG));
    post(g[2][1]);
    post(g[0][1]);
    post(g[1][1]);
    reap("waitpid(c1)", c[1]);
    for (int i = 0; i < 2; i++) {
        pid_t r = waitpid(0, &st, 0);
        codes[i] = (r == c[0] || r == c[2]) && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    }
    say("waitpid(0) twice: exit codes %d and %d\n", codes[0] < codes[1] ? codes[0] : codes[1],
        codes[0] < codes[1] ? codes[1] : codes[0]);
    val("waitpid(0) with only another group's child left (WNOHANG)", waitpid(0, &st, WNOHANG));
    post(g[3][1]);
    pid_t r = waitpid(-c[3], &st, 0);
    say("waitpid(-pgid): %s, %s\n", r == c[3] ? "that child" : "another", wstr(st));
    val("waitpid(-1) with no children", waitpid(-1, &st, 0));
    val("waitpid(c0) already reaped", waitpid(c[0], &st, 0));
    val("waitpid(self)", waitpid(getpid(), &st, 0));
    val("waitpid bad options", waitpid(-1, &st, 0x10000));
    return 0;
}
