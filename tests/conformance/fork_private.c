// modes: direct sim
/* fork(2) copies the address space: a child's stores to globals, heap and
 * stack stay in the child, and the parent's later stores stay in the
 * parent. */
#include "conf.h"

static int global = 1;

int main(void)
{
    int *heap = malloc(sizeof(int));
    int stack = 1;
    int c2p[2], p2c[2];
    if (!heap || pipe(c2p) || pipe(p2c))
        return 1;
    *heap = 1;
    pid_t pid = xfork();
    if (pid == 0) {
        global = 2;
        *heap = 2;
        stack = 2;
        post(c2p[1]);
        await(p2c[0]);
        say("child after the parent's stores: %d %d %d\n", global, *heap, stack);
        _exit(0);
    }
    await(c2p[0]);
    say("parent after the child's stores: %d %d %d\n", global, *heap, stack);
    global = 3;
    *heap = 3;
    stack = 3;
    post(p2c[1]);
    reap("child", pid);
    return 0;
}
