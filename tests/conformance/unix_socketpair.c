// modes: direct sim
/* socketpair(2) AF_UNIX (unix(7)): a stream has no record boundaries and
 * reads end of file after shutdown(SHUT_WR); datagram and seqpacket keep
 * boundaries and truncate with MSG_TRUNC; a closed peer gives EPIPE to a
 * stream writer and end of file to its reader; errors for bad types. */
#include "conf.h"
#include <sys/socket.h>

int main(void)
{
    int s[2], d[2], q[2];
    char buf[16];
    signal(SIGPIPE, SIG_IGN);
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, s) || socketpair(AF_UNIX, SOCK_DGRAM, 0, d) ||
        socketpair(AF_UNIX, SOCK_SEQPACKET, 0, q))
        return 1;
    val("stream send ab", send(s[0], "ab", 2, 0));
    val("stream send cd", send(s[0], "cd", 2, 0));
    ssize_t n = recv(s[1], buf, sizeof(buf), MSG_WAITALL | MSG_DONTWAIT);
    say("stream recv: %zd \"%.*s\"\n", n, n > 0 ? (int)n : 0, buf);
    chk("shutdown SHUT_WR", shutdown(s[0], SHUT_WR));
    val("stream recv after the peer's shutdown", recv(s[1], buf, sizeof(buf), 0));
    val("stream send after own SHUT_WR", send(s[0], "x", 1, 0));
    val("the other way still works", send(s[1], "y", 1, 0));
    val("recv it", recv(s[0], buf, sizeof(buf), 0));

    val("dgram send abc", send(d[0], "abc", 3, 0));
    val("dgram send de", send(d[0], "de", 2, 0));
    val("dgram recv 16", recv(d[1], buf, sizeof(buf), 0));
    val("dgram recv 1 of 2 with MSG_TRUNC", recv(d[1], buf, 1, MSG_TRUNC));
    val("dgram recv empty, MSG_DONTWAIT", recv(d[1], buf, sizeof(buf), MSG_DONTWAIT));

    val("seqpacket send abc", send(q[0], "abc", 3, 0));
    val("seqpacket recv 2 of 3", recv(q[1], buf, 2, 0));
    val("seqpacket recv next (the rest is gone)", recv(q[1], buf, sizeof(buf), MSG_DONTWAIT));
    close(q[0]);
    val("seqpacket recv, peer closed", recv(q[1], buf, sizeof(buf), 0));

    close(s[1]);
    val("stream send, peer closed", send(s[0], "z", 1, 0));
    chk("socketpair AF_INET", socketpair(AF_INET, SOCK_STREAM, 0, s));
    chk("socketpair bad type", socketpair(AF_UNIX, 12345, 0, s));
    chk("socketpair bad pointer", socketpair(AF_UNIX, SOCK_STREAM, 0, BAD));
    return 0;
}
