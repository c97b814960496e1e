// modes: direct sim
/* /proc/net: the network's files are the host's live view. The loopback
 * interface in dev, its IPv6 address in if_inet6 (Java's test for IPv6),
 * a listening TCP socket of this process in tcp and tcp6 while it is
 * open, gone after close; an unknown file is ENOENT. */
#include "conf.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

static char buf[1 << 20];

static long slurp(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    long got = 0, n;
    while ((n = read(fd, buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
        got += n;
    close(fd);
    buf[got] = 0;
    return got;
}

/* A listening socket on the loopback address of family af; its port. */
static int listener(int af, int *port)
{
    int s = socket(af, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_storage ss = {0};
    socklen_t sl = af == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
    if (af == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET, a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    } else {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6, a->sin6_addr = in6addr_loopback;
    }
    if (s < 0 || bind(s, (struct sockaddr *)&ss, sl) || listen(s, 4) ||
        getsockname(s, (struct sockaddr *)&ss, &sl))
        return -1;
    *port = ntohs(af == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                : ((struct sockaddr_in6 *)&ss)->sin6_port);
    return s;
}

/* Whether file lists a listening socket (state 0A) on port. */
static int listed(const char *file, int port)
{
    char want[16];
    if (slurp(file) < 0)
        return -1;
    snprintf(want, sizeof(want), ":%04X ", port);
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        char *local = strchr(line, ':') ? strstr(line, want) : NULL;
        if (local && strstr(local + 6, " 0A "))
            return 1;
    }
    return 0;
}

int main(void)
{
    long n = slurp("/proc/net/dev");
    say("dev: %s, lo listed %d\n", n > 0 ? "read" : ename((int)-n), n > 0 && strstr(buf, " lo:") != NULL);
    n = slurp("/proc/net/if_inet6");
    say("if_inet6: %s, ::1 on lo listed %d\n", n > 0 ? "read" : ename((int)-n),
        n > 0 && strstr(buf, "00000000000000000000000000000001 01 80 10 80") != NULL);
    n = slurp("/proc/net/nosuch");
    say("nosuch: %s\n", n >= 0 ? "read" : ename((int)-n));
    int afs[2] = {AF_INET, AF_INET6};
    const char *files[2] = {"/proc/net/tcp", "/proc/net/tcp6"};
    for (int i = 0; i < 2; i++) {
        int port = 0, s = listener(afs[i], &port);
        if (s < 0) {
            say("%s: no listening socket: %s\n", files[i], ename(errno));
            continue;
        }
        say("%s: the listening socket listed %d\n", files[i], listed(files[i], port));
        close(s);
        say("%s: after close %d\n", files[i], listed(files[i], port));
    }
    return 0;
}
