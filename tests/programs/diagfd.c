/* The runtime's own lines never reach the program's descriptors: with its
 * standard error closed, the program's next socketpair may take the host's
 * descriptor 2; opening a file the enclave refuses makes geode log a line,
 * which must go to geode's own stream, not into the socket. argv[1]: a
 * path to open (refused in an enclave, missing natively). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int sv[2];
    char buf[256];

    close(2);
    if (argc < 2 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv))
        return 2;
    int fd = open(argv[1], O_RDONLY);
    if (fd >= 0)
        close(fd);
    ssize_t a = recv(sv[0], buf, sizeof(buf), 0), b = recv(sv[1], buf, sizeof(buf), 0);
    printf("open refused: %s\n", fd < 0 ? "yes" : "no");
    printf("sockets empty: %s\n", a < 0 && b < 0 && errno == EAGAIN ? "yes" : "no");
    return 0;
}
