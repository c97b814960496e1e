// modes: direct sim
/* proc(5): opening /proc/self/fd/N of a memfd opens the memfd anew (a new
 * open file: its own position and access mode). */
#include "conf.h"
#include <fcntl.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
    if (argc < 2 || chdir(argv[1]))
        return 2;
    int m = memfd_create("name", MFD_CLOEXEC);
    char p[64], b[8] = {0};
    if (m < 0 || write(m, "abc", 3) != 3)
        return 1;
    snprintf(p, sizeof(p), "/proc/self/fd/%d", m);
    int r = open(p, O_RDONLY);
    chk("reopen through /proc/self/fd", r);
    val("its position is its own", lseek(r, 0, SEEK_CUR));
    val("read from it", read(r, b, 3));
    say("got %s\n", b);
    chk("write through it (read-only)", write(r, "x", 1));
    return 0;
}
