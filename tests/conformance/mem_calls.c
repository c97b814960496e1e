// modes: direct sim
/* Memory calls' errors and edge cases (mmap(2), munmap(2), mprotect(2),
 * mremap(2), madvise(2), mincore(2), mlock(2), msync(2), brk(2)). */
#include "conf.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define PG 4096

int main(int argc, char **argv)
{
    if (argc < 2 || chdir(argv[1]))
        return 2;
    int f = open("file", O_RDWR | O_CREAT | O_TRUNC, 0600);
    int ro = open("file", O_RDONLY);
    if (f < 0 || ro < 0 || ftruncate(f, PG))
        return 1;
    chk("mmap length 0", (long)mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    chk("mmap no MAP_PRIVATE/SHARED", (long)mmap(NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0));
    chk("mmap both MAP_PRIVATE|MAP_SHARED",
        (long)mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    chk("mmap unaligned offset", (long)mmap(NULL, PG, PROT_READ, MAP_PRIVATE, f, 100));
    chk("mmap a bad fd", (long)mmap(NULL, PG, PROT_READ, MAP_PRIVATE, 999, 0));
    chk("mmap MAP_FIXED unaligned", (long)mmap((void *)0x10000001, PG, PROT_READ,
                                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    chk("mmap shared writable of an O_RDONLY fd",
        (long)mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0));
    chk("mmap private writable of an O_RDONLY fd",
        (long)mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0));
    chk("mmap a directory", (long)mmap(NULL, PG, PROT_READ, MAP_PRIVATE, open(".", O_RDONLY), 0));
    chk("mmap huge length",
        (long)mmap(NULL, (size_t)1 << 62, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    /* hole: an address range known to be unmapped */
    char *hole = mmap(NULL, 64 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (hole == MAP_FAILED || munmap(hole, 64 * PG))
        return 1;
    char *a = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (a == MAP_FAILED)
        return 1;
    chk("MAP_FIXED_NOREPLACE over a mapping",
        (long)mmap(a, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0));

    chk("munmap unaligned", munmap(a + 1, PG));
    chk("munmap length 0", munmap(a, 0));
    chk("munmap unmapped range", munmap(hole, PG));
    chk("mprotect unaligned", mprotect(a + 1, PG, PROT_READ));
    chk("mprotect bad prot", mprotect(a, PG, 0x100));
    chk("mprotect an unmapped page", mprotect(hole, PG, PROT_READ));
    chk("mprotect length 0", mprotect(a, 0, PROT_READ));
    chk("mprotect PROT_GROWSDOWN|PROT_GROWSUP",
        mprotect(a, PG, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP));

    chk("mremap unaligned", (long)mremap(a + 1, PG, 2 * PG, MREMAP_MAYMOVE));
    chk("mremap new size 0", (long)mremap(a, PG, 0, MREMAP_MAYMOVE));
    chk("mremap bad flags", (long)mremap(a, PG, 2 * PG, 0x80));
    chk("mremap MREMAP_FIXED without MAYMOVE", (long)mremap(a, PG, PG, MREMAP_FIXED, a + 8 * PG));
    chk("mremap grow in place into a mapping", (long)mremap(a, PG, 2 * PG, 0));
    a[0] = 'x';
    char *b = mremap(a, 4 * PG, 8 * PG, MREMAP_MAYMOVE);
    say("mremap MAYMOVE grow: %s, byte kept: %s\n", b == MAP_FAILED ? "failed" : "ok",
        b != MAP_FAILED && b[0] == 'x' ? "yes" : "no");
    chk("mremap an unmapped old range", (long)mremap(hole, PG, PG, MREMAP_MAYMOVE));
    chk("mremap shrink", (long)mremap(b, 8 * PG, 2 * PG, 0));

    chk("madvise unaligned", madvise(b + 1, PG, MADV_NORMAL));
    chk("madvise bad advice", madvise(b, PG, 999));
    chk("madvise an unmapped range", madvise(hole, PG, MADV_NORMAL));
    b[0] = 'y';
    chk("madvise MADV_DONTNEED", madvise(b, PG, MADV_DONTNEED));
    say("private anonymous page after MADV_DONTNEED: %d\n", b[0]);
    chk("madvise MADV_WILLNEED", madvise(b, PG, MADV_WILLNEED));
    chk("madvise length 0", madvise(b, 0, MADV_NORMAL));

    unsigned char vec[4];
    chk("mincore unaligned", mincore(b + 1, PG, vec));
    chk("mincore an unmapped range", mincore(hole, PG, vec));
    chk("mincore bad vector", mincore(b, PG, BAD));
    b[0] = 1;
    chk("mincore", mincore(b, PG, vec));
    say("resident: %d\n", vec[0] & 1);

    chk("mlock", mlock(b, PG));
    chk("munlock", munlock(b, PG));
    chk("mlock an unmapped range", mlock(hole, PG));
    chk("mlockall 0", mlockall(0));
    chk("mlockall bad flags", mlockall(0x100));
    chk("munlockall", munlockall());

    char *m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
    if (m == MAP_FAILED)
        return 1;
    chk("msync unaligned", msync(m + 1, PG, MS_SYNC));
    chk("msync MS_SYNC|MS_ASYNC", msync(m, PG, MS_SYNC | MS_ASYNC));
    chk("msync bad flags", msync(m, PG, 0x100));
    chk("msync an unmapped range", msync(hole, PG, MS_SYNC));
    m[0] = 'z';
    chk("msync MS_SYNC", msync(m, PG, MS_SYNC));
    char c = 0;
    val("pread after msync", pread(f, &c, 1, 0));
    say("byte: %c\n", c);

    void *cur = (void *)syscall(SYS_brk, 0);
    say("brk(0) returns the break: %s\n", cur != NULL ? "yes" : "no");
    void *more = (void *)syscall(SYS_brk, (char *)cur + 8 * PG);
    say("brk grows: %s\n", more == (char *)cur + 8 * PG ? "yes" : "no");
    ((char *)cur)[PG] = 1;
    void *low = (void *)syscall(SYS_brk, (char *)cur - (1L << 40));
    say("brk below the start keeps the break: %s\n", low == more ? "yes" : "no");
    void *back = (void *)syscall(SYS_brk, cur);
    say("brk shrinks: %s\n", back == cur ? "yes" : "no");
    return 0;
}
