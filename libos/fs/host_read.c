/* A whole host file read through the PAL, for the libOS's own files made
 * from the host's (etc_conf.c, proc/proc_net.c). */
#include <linux/fcntl.h>

#include "fs/vfs.h"

char *vfs_read_host(const char *path, size_t max, size_t *len)
{
    pal_handle h;
    *len = 0;
    if (pal->file_open(path, O_RDONLY | O_CLOEXEC, 0, &h) < 0)
        return NULL;
    size_t cap = max < 4096 ? max + 1 : 4096, got = 0;
    char *t = malloc(cap);
    long r = 0;
    while (t && got < max) {
        if (got + 1 >= cap) {
            size_t more = cap * 2 > max + 1 ? max + 1 : cap * 2;
            char *grown = realloc(t, more);
            if (!grown) {
                free(t), t = NULL;
                break;
            }
            t = grown, cap = more;
        }
        r = pal->read(h, t + got, cap - 1 - got);
        if (r <= 0)
            break;
        got += (size_t)r < cap - 1 - got ? (size_t)r : cap - 1 - got;
    }
    pal->close(h);
    if (!t || r < 0) {
        free(t);
        return NULL;
    }
    t[got] = 0;
    *len = got;
    return t;
}
