#include "elf_image.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sgx_arch.h"

#define PAGE SGX_PAGE_SIZE
#define MAX_FILE_SIZE (1ULL << 30)
/* The first read: headers and program headers, and all of a small file. */
#define HEAD_READ 65536

static int check_ehdr(const uint8_t *file, size_t size, const char *name, struct sgx_err *e)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)file;

    if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG)) {
        sgx_err_set(e, "%s: not an ELF file (bad magic)", name);
        return -EINVAL;
    }
    if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
        eh->e_ident[EI_VERSION] != EV_CURRENT) {
        sgx_err_set(e, "%s: not a 64-bit little-endian ELF file", name);
        return -EINVAL;
    }
    if (eh->e_machine != EM_X86_64) {
        sgx_err_set(e, "%s: wrong machine %u (expected x86-64)", name, eh->e_machine);
        return -EINVAL;
    }
    if (eh->e_type != ET_DYN) {
        sgx_err_set(e, "%s: ELF type %u is not ET_DYN; enclave images must be position "
                       "independent (build with -static-pie or -shared)", name, eh->e_type);
        return -EINVAL;
    }
    if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > size ||
        (size - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum) {
        sgx_err_set(e, "%s: program header table lies outside the file", name);
        return -EINVAL;
    }
    return 0;
}

/* Program header i, copied out because e_phoff need not be aligned. */
static Elf64_Phdr phdr_at(const uint8_t *file, unsigned i)
{
    Elf64_Phdr ph;
    uint64_t phoff = ((const Elf64_Ehdr *)file)->e_phoff;

    memcpy(&ph, file + phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
    return ph;
}

static int check_segment(const Elf64_Phdr *ph, unsigned idx, size_t size, uint64_t prev_end,
                         const char *name, struct sgx_err *e)
{
    if (ph->p_filesz > ph->p_memsz || ph->p_offset > size || size - ph->p_offset < ph->p_filesz) {
        sgx_err_set(e, "%s: segment %u lies outside the file", name, idx);
        return -EINVAL;
    }
    if ((ph->p_vaddr - ph->p_offset) % PAGE) {
        sgx_err_set(e, "%s: segment %u vaddr and file offset differ modulo the page size", name, idx);
        return -EINVAL;
    }
    if (ph->p_vaddr > ELF_IMAGE_MAX_SPAN || ph->p_memsz > ELF_IMAGE_MAX_SPAN - ph->p_vaddr) {
        sgx_err_set(e, "%s: segment %u ends beyond %llu bytes", name, idx,
                    (unsigned long long)ELF_IMAGE_MAX_SPAN);
        return -EINVAL;
    }
    if (ph->p_vaddr < prev_end) {
        sgx_err_set(e, "%s: segment %u overlaps or precedes the previous segment", name, idx);
        return -EINVAL;
    }
    if ((ph->p_flags & PF_W) && !(ph->p_flags & PF_R)) {
        sgx_err_set(e, "%s: segment %u is writable but not readable (SGX needs R with W)", name, idx);
        return -EINVAL;
    }
    return 0;
}

/* Validates every PT_LOAD and returns the page-aligned span they cover. */
static int scan_segments(const uint8_t *file, size_t size, const char *name, uint64_t *span,
                         struct sgx_err *e)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)file;
    uint64_t end = 0;
    unsigned loads = 0;

    for (unsigned i = 0; i < eh->e_phnum; i++) {
        Elf64_Phdr ph = phdr_at(file, i);

        if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
            continue;
        if (check_segment(&ph, i, size, end, name, e))
            return -EINVAL;
        end = ph.p_vaddr + ph.p_memsz;
        loads++;
    }
    if (!loads) {
        sgx_err_set(e, "%s: no loadable segment", name);
        return -EINVAL;
    }
    *span = (end + PAGE - 1) & ~(PAGE - 1);
    return 0;
}

static uint8_t segment_perms(uint32_t p_flags)
{
    return (uint8_t)(((p_flags & PF_R) ? SGX_SECINFO_R : 0) | ((p_flags & PF_W) ? SGX_SECINFO_W : 0) |
                     ((p_flags & PF_X) ? SGX_SECINFO_X : 0));
}

/* Copies the segments into img->mem and records page permissions; a page two
 * segments share gets the union of their permissions. */
static void place_segments(const uint8_t *file, struct elf_image *img)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)file;

    for (unsigned i = 0; i < eh->e_phnum; i++) {
        Elf64_Phdr ph = phdr_at(file, i);

        if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
            continue;
        memcpy(img->mem + ph.p_vaddr, file + ph.p_offset, ph.p_filesz);
        for (uint64_t pg = ph.p_vaddr / PAGE; pg * PAGE < ph.p_vaddr + ph.p_memsz; pg++)
            img->perms[pg] |= segment_perms(ph.p_flags);
    }
}

static int check_entry(const struct elf_image *img, const char *name, struct sgx_err *e)
{
    if (img->entry >= img->span || !(img->perms[img->entry / PAGE] & SGX_SECINFO_X)) {
        sgx_err_set(e, "%s: entry point 0x%llx is not in an executable segment", name,
                    (unsigned long long)img->entry);
        return -EINVAL;
    }
    return 0;
}

/* The whole pages of [p, p + len) made present with one MADV_POPULATE_WRITE
 * instead of a fault each (the libOS's ELF and image are ~1.4 MiB each; a
 * kernel without it faults them in as before). */
static void populate(void *p, size_t len)
{
    uintptr_t lo = ((uintptr_t)p + PAGE - 1) & ~(uintptr_t)(PAGE - 1),
              hi = ((uintptr_t)p + len) & ~(uintptr_t)(PAGE - 1);

    if (p && hi > lo)
        madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
}

int elf_image_parse(const uint8_t *file, size_t size, const char *name, struct elf_image *img,
                    struct sgx_err *e)
{
    uint64_t span;
    int ret;

    memset(img, 0, sizeof(*img));
    ret = check_ehdr(file, size, name, e);
    if (!ret)
        ret = scan_segments(file, size, name, &span, e);
    if (ret)
        return ret;
    img->mem = calloc(1, span);
    populate(img->mem, span);
    img->perms = calloc(span / PAGE, 1);
    if (!img->mem || !img->perms) {
        elf_image_free(img);
        sgx_err_set(e, "%s: out of memory for a %llu-byte image", name, (unsigned long long)span);
        return -ENOMEM;
    }
    img->span = span;
    img->entry = ((const Elf64_Ehdr *)file)->e_entry;
    place_segments(file, img);
    ret = check_entry(img, name, e);
    if (ret)
        elf_image_free(img);
    return ret;
}

/* Reads exactly len bytes at off: 0, or -1 (short file, I/O error). */
static int read_at(int fd, uint8_t *buf, size_t len, off_t off)
{
    while (len) {
        ssize_t n = pread(fd, buf, len, off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t)n;
        off += n;
    }
    return 0;
}

/* How much of a file of `size` bytes whose first `have` bytes are `head`
 * the image needs: up to the end of the program headers and of the last
 * PT_LOAD's file bytes (debug sections after them are never read: the
 * libOS's are three quarters of its file). Anything unexpected asks for
 * the whole file, and elf_image_parse names the problem. */
static size_t needed_prefix(const uint8_t *head, size_t have, size_t size)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)head;
    uint64_t end;

    if (have < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_phentsize != sizeof(Elf64_Phdr) ||
        eh->e_phoff > have || (have - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum)
        return size;
    end = eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        Elf64_Phdr ph = phdr_at(head, i);

        if (ph.p_type != PT_LOAD)
            continue;
        if (ph.p_offset > size || ph.p_filesz > size - ph.p_offset)
            return size;
        if (ph.p_offset + ph.p_filesz > end)
            end = ph.p_offset + ph.p_filesz;
    }
    return end < size ? (size_t)end : size;
}

/* The file's bytes the image needs (needed_prefix) in *buf, their count in
 * *size. */
static int read_file(const char *path, uint8_t **buf, size_t *size, struct sgx_err *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    size_t have, need;
    uint8_t *b = NULL;
    int ret = 0;

    if (fd < 0) {
        ret = -errno;
        sgx_err_set(e, "cannot open %s: %s", path, strerror(errno));
        return ret;
    }
    if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > MAX_FILE_SIZE) {
        close(fd);
        sgx_err_set(e, "%s: not a regular file, or larger than 1 GiB", path);
        return -EINVAL;
    }
    have = (size_t)st.st_size < HEAD_READ ? (size_t)st.st_size : HEAD_READ;
    b = malloc(have ? have : 1);
    if (!b)
        ret = -ENOMEM;
    else if (read_at(fd, b, have, 0))
        ret = -EIO;
    need = ret ? 0 : needed_prefix(b, have, (size_t)st.st_size);
    if (!ret && need > have) {
        uint8_t *nb = realloc(b, need);

        if (!nb)
            ret = -ENOMEM;
        else {
            b = nb;
            populate(b + have, need - have);
            ret = read_at(fd, b + have, need - have, (off_t)have) ? -EIO : 0;
        }
    }
    close(fd);
    if (ret) {
        free(b);
        sgx_err_set(e, ret == -ENOMEM ? "%s: out of memory reading it" : "cannot read %s (changed while read?)",
                    path);
        return ret;
    }
    *buf = b;
    *size = need;
    return 0;
}

int elf_image_load(const char *path, struct elf_image *img, struct sgx_err *e)
{
    uint8_t *buf = NULL;
    size_t size = 0;
    int ret = read_file(path, &buf, &size, e);

    if (ret)
        return ret;
    ret = elf_image_parse(buf, size, path, img, e);
    free(buf);
    return ret;
}

void elf_image_free(struct elf_image *img)
{
    free(img->mem);
    free(img->perms);
    img->mem = NULL;
    img->perms = NULL;
}
