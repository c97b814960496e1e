/* Direct PAL: maps the libOS image (a freestanding static-pie ELF) and
 * applies its relocations. Runs before the program starts, so glibc is
 * fine here. Only R_X86_64_RELATIVE is accepted: the image must be fully
 * self-contained, which is what lets the trusted PAL load it the same way. */
#include <elf.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host.h"

#define PAGE 4096UL
#define PAGE_DOWN(x) ((x) & ~(PAGE - 1))
#define PAGE_UP(x) (((x) + PAGE - 1) & ~(PAGE - 1))

/* The image file, mapped read-only: headers and partial pages are read
 * from it, and whole pages are mapped from fd without copying. */
struct image_file {
    int fd;
    const unsigned char *data;
    size_t len;
};

static int open_image(const char *path, struct image_file *f)
{
    struct stat st;
    f->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (f->fd < 0 || fstat(f->fd, &st) != 0 || st.st_size <= 0) {
        fprintf(stderr, "geode: cannot open libOS image %s: %m\n", path);
        if (f->fd >= 0)
            close(f->fd);
        return -1;
    }
    f->len = (size_t)st.st_size;
    f->data = mmap(NULL, f->len, PROT_READ, MAP_PRIVATE, f->fd, 0);
    if (f->data == MAP_FAILED) {
        fprintf(stderr, "geode: cannot map libOS image %s: %m\n", path);
        close(f->fd);
        return -1;
    }
    return 0;
}

static void close_image(struct image_file *f)
{
    munmap((void *)f->data, f->len);
    close(f->fd);
}

static int check_header(const unsigned char *f, size_t len, const char *path)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f;
    if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
        eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_machine != EM_X86_64) {
        fprintf(stderr, "geode: %s: not an x86-64 ELF64 image\n", path);
        return -1;
    }
    if (eh->e_type != ET_DYN) {
        fprintf(stderr, "geode: %s: the libOS image must be static-pie (ET_DYN)\n", path);
        return -1;
    }
    if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > len ||
        (len - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum) {
        fprintf(stderr, "geode: %s: program headers out of bounds\n", path);
        return -1;
    }
    return 0;
}

/* One segment's file bytes at dst: whole pages that no earlier segment
 * touches are mapped from the file (private, copy-on-write), the rest is
 * copied; what follows the file bytes in the last page is zeroed (bss). */
static int place_segment(const struct image_file *f, const Elf64_Phdr *p, char *base,
                         uint64_t prev_hi)
{
    uint64_t lo = PAGE_DOWN(p->p_vaddr), end = p->p_vaddr + p->p_filesz;
    bool mappable = (p->p_vaddr - p->p_offset) % PAGE == 0 && lo >= prev_hi && p->p_filesz;
    if (mappable && mmap(base + lo, PAGE_UP(end) - lo, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_FIXED, f->fd, (off_t)PAGE_DOWN(p->p_offset)) != MAP_FAILED) {
        memset(base + end, 0, PAGE_UP(end) - end);
        return 0;
    }
    memcpy(base + p->p_vaddr, f->data + p->p_offset, p->p_filesz);
    return 0;
}

static int map_segments(const struct image_file *f, const Elf64_Phdr *ph, int n,
                        struct direct_image *img, const char *path)
{
    uint64_t hi = 0, prev_hi = 0;
    for (int i = 0; i < n; i++)
        if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr + ph[i].p_memsz > hi)
            hi = ph[i].p_vaddr + ph[i].p_memsz;
    img->size = PAGE_UP(hi);
    img->base = mmap(NULL, img->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (img->base == MAP_FAILED || hi == 0) {
        fprintf(stderr, "geode: %s: cannot map %zu bytes for the image\n", path, img->size);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        if (ph[i].p_type != PT_LOAD)
            continue;
        if (ph[i].p_offset > f->len || f->len - ph[i].p_offset < ph[i].p_filesz ||
            ph[i].p_filesz > ph[i].p_memsz) {
            fprintf(stderr, "geode: %s: segment %d out of bounds\n", path, i);
            return -1;
        }
        place_segment(f, &ph[i], img->base, prev_hi);
        prev_hi = PAGE_UP(ph[i].p_vaddr + ph[i].p_memsz) > prev_hi
                      ? PAGE_UP(ph[i].p_vaddr + ph[i].p_memsz) : prev_hi;
    }
    return 0;
}

static int apply_relocs(const Elf64_Phdr *ph, int n, struct direct_image *img, const char *path)
{
    const Elf64_Dyn *dyn = NULL;
    for (int i = 0; i < n; i++)
        if (ph[i].p_type == PT_DYNAMIC)
            dyn = (const Elf64_Dyn *)((char *)img->base + ph[i].p_vaddr);
    uint64_t rela = 0, relasz = 0;
    for (; dyn && dyn->d_tag != DT_NULL; dyn++) {
        if (dyn->d_tag == DT_RELA)
            rela = dyn->d_un.d_ptr;
        else if (dyn->d_tag == DT_RELASZ)
            relasz = dyn->d_un.d_val;
        else if (dyn->d_tag == DT_REL || dyn->d_tag == DT_JMPREL || dyn->d_tag == DT_NEEDED) {
            fprintf(stderr, "geode: %s: unsupported dynamic tag %ld (image must be static-pie)\n",
                    path, (long)dyn->d_tag);
            return -1;
        }
    }
    if (rela + relasz > img->size) {
        fprintf(stderr, "geode: %s: relocation table out of bounds\n", path);
        return -1;
    }
    const Elf64_Rela *r = (const Elf64_Rela *)((char *)img->base + rela);
    for (size_t i = 0; i < relasz / sizeof(*r); i++) {
        if (ELF64_R_TYPE(r[i].r_info) != R_X86_64_RELATIVE || r[i].r_offset + 8 > img->size) {
            fprintf(stderr, "geode: %s: relocation %zu: type %lu not supported "
                    "(only R_X86_64_RELATIVE)\n", path, i, (unsigned long)ELF64_R_TYPE(r[i].r_info));
            return -1;
        }
        *(uint64_t *)((char *)img->base + r[i].r_offset) = (uint64_t)img->base + r[i].r_addend;
    }
    return 0;
}

static int protect_segments(const Elf64_Phdr *ph, int n, struct direct_image *img)
{
    for (int i = 0; i < n; i++) {
        if (ph[i].p_type != PT_LOAD)
            continue;
        int prot = (ph[i].p_flags & PF_R ? PROT_READ : 0) | (ph[i].p_flags & PF_W ? PROT_WRITE : 0) |
                   (ph[i].p_flags & PF_X ? PROT_EXEC : 0);
        uint64_t lo = PAGE_DOWN(ph[i].p_vaddr), hi = PAGE_UP(ph[i].p_vaddr + ph[i].p_memsz);
        if (mprotect((char *)img->base + lo, hi - lo, prot) != 0)
            return -1;
    }
    return 0;
}

int direct_load_libos(const char *path, struct direct_image *img)
{
    struct image_file file;
    if (open_image(path, &file) != 0)
        return -1;
    const unsigned char *f = file.data;
    int ok = check_header(f, file.len, path) == 0;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f;
    const Elf64_Phdr *ph = ok ? (const Elf64_Phdr *)(f + eh->e_phoff) : NULL;
    ok = ok && map_segments(&file, ph, eh->e_phnum, img, path) == 0;
    ok = ok && apply_relocs(ph, eh->e_phnum, img, path) == 0;
    ok = ok && protect_segments(ph, eh->e_phnum, img) == 0;
    if (ok && eh->e_entry >= img->size) {
        fprintf(stderr, "geode: %s: entry point outside the image\n", path);
        ok = 0;
    }
    if (ok)
        img->entry = (char *)img->base + eh->e_entry;
    close_image(&file);
    return ok ? 0 : -1;
}
