// modes: direct sim
/* ioctl(2) on pipes, sockets and files (ioctl_tty(2), tty_ioctl(4),
 * unix(7), tcp(7)): FIONREAD on a pipe, a socketpair, a TCP connection and
 * a regular file, TIOCOUTQ, terminal requests on what is no terminal
 * (ENOTTY), an unknown request, FIONBIO and FIOCLEX. */
#include "conf.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>

static void inq(const char *what, int fd)
{
    int n = -1;
    if (ioctl(fd, FIONREAD, &n) == 0)
        say("%s: %d\n", what, n);
    else
        chk(what, -1);
}

int main(int argc, char **argv)
{
    int p[2], sp[2];
    if (argc < 2 || pipe(p) || socketpair(AF_UNIX, SOCK_STREAM, 0, sp))
        return 1;
    inq("FIONREAD empty pipe", p[0]);
    if (write(p[1], "12345", 5) != 5 || write(sp[0], "abc", 3) != 3)
        return 1;
    inq("FIONREAD pipe", p[0]);
    inq("FIONREAD socketpair", sp[1]);
    int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof(a);
    if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
        getsockname(l, (struct sockaddr *)&a, &al) || connect(c, (struct sockaddr *)&a, sizeof(a)))
        return 1;
    int s = accept(l, NULL, NULL);
    char big[100] = {0};
    if (s < 0 || write(c, big, sizeof(big)) != sizeof(big))
        return 1;
    char one;
    if (recv(s, &one, 1, MSG_PEEK) != 1) /* the bytes have arrived */
        return 1;
    inq("FIONREAD tcp", s);
    int q = -1;
    chk("TIOCOUTQ tcp", ioctl(c, TIOCOUTQ, &q));
    char path[4096];
    snprintf(path, sizeof(path), "%s/f", argv[1]);
    int f = open(path, O_RDWR | O_CREAT, 0644);
    if (f < 0 || write(f, "0123456789", 10) != 10 || lseek(f, 4, SEEK_SET) != 4)
        return 1;
    inq("FIONREAD file at 4 of 10", f);
    struct termios t;
    struct winsize ws;
    chk("TCGETS pipe", ioctl(p[0], TCGETS, &t));
    chk("TIOCGWINSZ socket", ioctl(sp[0], TIOCGWINSZ, &ws));
    chk("TCSETS file", ioctl(f, TCSETS, &t));
    chk("TCFLSH pipe", ioctl(p[0], TCFLSH, TCIFLUSH));
    chk("tcdrain pipe", tcdrain(p[1]));
    chk("unknown request", ioctl(p[0], 0x7fff1234, 0));
    chk("isatty pipe", isatty(p[0]) ? 0 : -1);
    int on = 1;
    chk("FIONBIO", ioctl(p[0], FIONBIO, &on));
    say("O_NONBLOCK after FIONBIO: %s\n", fcntl(p[0], F_GETFL) & O_NONBLOCK ? "yes" : "no");
    chk("FIOCLEX", ioctl(p[0], FIOCLEX));
    say("FD_CLOEXEC after FIOCLEX: %s\n", fcntl(p[0], F_GETFD) & FD_CLOEXEC ? "yes" : "no");
    chk("FIONREAD bad fd", ioctl(99, FIONREAD, &on));
    return 0;
}
