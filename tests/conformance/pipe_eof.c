// modes: direct sim
/* End of file on a pipe (pipe(7), read(2)): read returns the data, then 0
 * once every write end is closed, and again 0; while a duplicate of the
 * write end is open there is no end of file (EAGAIN with O_NONBLOCK). */
#include "conf.h"
#include <fcntl.h>

int main(void)
{
    int fds[2];
    char b[8];
    if (pipe(fds))
        return 1;
    val("write", write(fds[1], "abc", 3));
    int dup_w = dup(fds[1]);
    close(fds[1]);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    val("read", read(fds[0], b, sizeof(b)));
    val("read, a duplicate of the write end open", read(fds[0], b, sizeof(b)));
    close(dup_w);
    val("read, write ends closed", read(fds[0], b, sizeof(b)));
    val("read again", read(fds[0], b, sizeof(b)));
    fcntl(fds[0], F_SETFL, 0);
    val("blocking read at end of file", read(fds[0], b, sizeof(b)));
    val("read of 0 bytes", read(fds[0], b, 0));
    return 0;
}
