// modes: direct sim
/* memfd_create(2) and file seals (fcntl(2) F_ADD_SEALS): a memfd is an
 * anonymous file of size 0 named memfd:NAME; seals forbid growing,
 * shrinking and writing; F_SEAL_SEAL forbids more seals; without
 * MFD_ALLOW_SEALING it carries F_SEAL_SEAL. */
#include "conf.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/stat.h>

int main(void)
{
    char link[64], buf[PATH_MAX];
    struct stat st;
    int fd = memfd_create("conf", MFD_ALLOW_SEALING);
    if (fd < 0)
        return 1;
    chk("fstat", fstat(fd, &st));
    say("size %lld, regular %s\n", (long long)st.st_size, S_ISREG(st.st_mode) ? "yes" : "no");
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = 0;
    say("link: %s\n", buf);
    val("write", write(fd, "hello", 5));
    val("F_GET_SEALS", fcntl(fd, F_GET_SEALS));
    chk("F_ADD_SEALS grow|shrink", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK));
    chk("ftruncate bigger", ftruncate(fd, 100));
    chk("ftruncate smaller", ftruncate(fd, 1));
    val("pwrite inside", pwrite(fd, "J", 1, 0));
    chk("pwrite past the end", pwrite(fd, "x", 1, 5));
    chk("F_ADD_SEALS write", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
    chk("pwrite after F_SEAL_WRITE", pwrite(fd, "x", 1, 0));
    chk("mmap shared writable after F_SEAL_WRITE",
        (long)mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
    chk("F_ADD_SEALS seal", fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL));
    chk("F_ADD_SEALS after F_SEAL_SEAL", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
    val("F_GET_SEALS", fcntl(fd, F_GET_SEALS));
    char b[8] = {0};
    val("pread", pread(fd, b, 8, 0));
    say("content: %c%c%c%c%c%c\n", pc(b[0]), pc(b[1]), pc(b[2]), pc(b[3]), pc(b[4]), pc(b[5]));
    int plain = memfd_create("plain", 0);
    val("F_GET_SEALS without MFD_ALLOW_SEALING", fcntl(plain, F_GET_SEALS));
    chk("F_ADD_SEALS without MFD_ALLOW_SEALING", fcntl(plain, F_ADD_SEALS, F_SEAL_GROW));
    chk("memfd_create bad flags", memfd_create("x", 0x1000));
    char longname[300];
    memset(longname, 'n', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = 0;
    chk("memfd_create a name of 299 bytes", memfd_create(longname, 0));
    return 0;
}
