/* epoll across fork when parent and child both register after the fork
 * (epoll(7): the instance is shared): the parent adds r (data 3), then the
 * child adds q (data 2) and makes q readable. Natively the parent's wait
 * reports q with the child's data 2. In an enclave the child's
 * registration is the child's own (docs/sgx-pal.md): the parent must not
 * report it as its own r (data 3) either. Prints the parent's wait. */
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    int ep = epoll_create1(0), q[2], r[2], go[2], done[2];
    struct epoll_event ev, out[4];
    char c;

    if (ep < 0 || pipe(q) || pipe(r) || pipe(go) || pipe(done))
        return 1;
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        if (read(go[0], &c, 1) != 1)
            _exit(1);
        ev = (struct epoll_event){.events = EPOLLIN, .data.u64 = 2};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev) || write(q[1], "q", 1) != 1 ||
            write(done[1], "d", 1) != 1)
            _exit(1);
        _exit(0);
    }
    ev = (struct epoll_event){.events = EPOLLIN, .data.u64 = 3};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, r[0], &ev) || write(go[1], "g", 1) != 1 ||
        read(done[0], &c, 1) != 1)
        return 1;
    int n = epoll_wait(ep, out, 4, 200);
    unsigned long long sum = 0;
    for (int i = 0; i < n; i++)
        sum += out[i].data.u64;
    printf("parent's wait after the child's add: %d ready, data sum %llu\n", n, sum);
    int st;
    waitpid(pid, &st, 0);
    printf("child: %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    return 0;
}
