// modes: direct sim
/* MAP_SHARED|MAP_ANONYMOUS across fork (mmap(2), fork(2)): the pages are
 * the same in parent, child and grandchild, both ways; MAP_PRIVATE pages
 * are copied; a child's munmap leaves the parent's mapping. */
#include "conf.h"
#include <sys/mman.h>

#define LEN (16 * 4096)

int main(void)
{
    int *sh = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int *pv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int last = LEN / sizeof(int) - 1;
    int c2p[2], p2c[2];
    if (sh == MAP_FAILED || pv == MAP_FAILED || pipe(c2p) || pipe(p2c))
        return 1;
    sh[0] = 1;
    pv[0] = 1;
    pid_t pid = xfork();
    if (pid == 0) {
        sh[0] = 42;
        sh[last] = 43;
        pv[0] = 44;
        post(c2p[1]);
        await(p2c[0]);
        say("child sees the parent's shared write: %d\n", sh[1]);
        say("child's private page after the parent's write: %d\n", pv[1]);
        pid_t g = xfork();
        if (g == 0) {
            sh[2] = 45;
            _exit(0);
        }
        reap("grandchild", g);
        say("child sees the grandchild's write: %d\n", sh[2]);
        munmap(sh, LEN);
        _exit(0);
    }
    await(c2p[0]);
    say("parent sees the child's shared writes: %d %d\n", sh[0], sh[last]);
    say("parent's private page after the child's write: %d\n", pv[0]);
    sh[1] = 7;
    pv[1] = 8;
    post(p2c[1]);
    reap("child", pid);
    say("parent sees the grandchild's write: %d\n", sh[2]);
    say("parent's mapping after the child's munmap: %d\n", sh[0]);
    return 0;
}
