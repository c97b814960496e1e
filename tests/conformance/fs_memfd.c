// modes: direct sim
/* memfd_create(2): flags (MFD_CLOEXEC, MFD_ALLOW_SEALING, MFD_EXEC,
 * MFD_NOEXEC_SEAL: mode 0666 and F_SEAL_EXEC), the name's limits, the
 * file's mode, size and link count, F_GETFL, seals without
 * MFD_ALLOW_SEALING, ftruncate and fallocate, fchmod of the unnamed file,
 * its /proc/self/fd link. */
#include "conf.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
int main(int argc, char **argv)
{
    if (argc < 2 || chdir(argv[1]))
        return 2;
    int m = memfd_create("name", MFD_CLOEXEC);
    chk("memfd_create", m);
    val("FD_CLOEXEC", fcntl(m, F_GETFD));
    val("F_GETFL", fcntl(m, F_GETFL));
    struct stat st;
    fstat(m, &st);
    say("mode %o size %lld nlink %ld\n", st.st_mode, (long long)st.st_size, (long)st.st_nlink);
    val("write", write(m, "abc", 3));
    val("lseek 0", lseek(m, 0, SEEK_SET));
    char b[8] = {0};
    val("read", read(m, b, 8));
    say("got %s\n", b);
    char p[64], l[128];
    snprintf(p, sizeof p, "/proc/self/fd/%d", m);
    long n = readlink(p, l, sizeof l);
    say("readlink: %.*s\n", n > 0 ? (int)n : 0, l);
    chk("memfd_create bad flags", memfd_create("x", 0x100));
    char longname[300];
    memset(longname, 'a', 299);
    longname[299] = 0;
    chk("memfd_create name of 299", memfd_create(longname, 0));
    longname[249] = 0;
    chk("memfd_create name of 249", memfd_create(longname, 0));
    chk("memfd_create NULL name", syscall(SYS_memfd_create, NULL, 0));
    val("F_GET_SEALS without ALLOW_SEALING", fcntl(m, F_GET_SEALS));
    chk("F_ADD_SEALS without ALLOW_SEALING", fcntl(m, F_ADD_SEALS, F_SEAL_WRITE));
    chk("ftruncate to 10000", ftruncate(m, 10000));
    fstat(m, &st);
    val("size", st.st_size);
    chk("fallocate", fallocate(m, 0, 0, 20000));
    fstat(m, &st);
    val("size", st.st_size);
    chk("fchmod", fchmod(m, 0600));
    fstat(m, &st);
    say("mode %o\n", st.st_mode);
    chk("MFD_EXEC|MFD_NOEXEC_SEAL", memfd_create("e", 0x10 | 0x8));
    int x = memfd_create("e", 0x10);
    chk("MFD_EXEC", x);
    fstat(x, &st);
    say("mode %o\n", st.st_mode);
    int ne = memfd_create("n", 0x8);
    chk("MFD_NOEXEC_SEAL", ne);
    fstat(ne, &st);
    say("mode %o\n", st.st_mode);
    val("its seals", fcntl(ne, F_GET_SEALS));
    chk("add F_SEAL_WRITE to it", fcntl(ne, F_ADD_SEALS, F_SEAL_WRITE));
    val("its seals", fcntl(ne, F_GET_SEALS));
    chk("fchmod +x on it", fchmod(ne, 0755));
    return 0;
}
