/* ELF loading through the VFS: ET_EXEC at its addresses, ET_DYN wherever
 * the PAL puts it. The image's span, TRAMP_SPACE of trampolines and the
 * requested extra bytes are reserved in one piece, so the trampolines are
 * within +-2 GiB of every syscall site in the image. */
#include <linux/elf.h>
#include <linux/fcntl.h>

#include "core/mm.h"
#include "elf/elf.h"
#include "fs/vfs.h"

#define MAX_PHNUM 64

struct elf_file {
    const char *path;
    struct file *f;
    Elf64_Ehdr eh;
    Elf64_Phdr ph[MAX_PHNUM];
    uint64_t lo, hi; /* page-aligned span of the PT_LOAD segments */
};

static int bad(const struct elf_file *e, const char *why)
{
    log_error("%s: invalid ELF: %s", e->path, why);
    return -PAL_ENOEXEC;
}

static int read_exact(struct file *f, void *buf, size_t len, uint64_t off)
{
    size_t done = 0;
    while (done < len) {
        long r = f->ops->pread(f, (char *)buf + done, len - done, (int64_t)(off + done));
        if (r <= 0)
            return r < 0 ? (int)r : -PAL_ENOEXEC;
        done += (size_t)r;
    }
    return 0;
}

static int check_header(struct elf_file *e)
{
    const Elf64_Ehdr *h = &e->eh;
    if (memcmp(h->e_ident, ELFMAG, SELFMAG))
        return bad(e, "bad magic");
    if (h->e_ident[EI_CLASS] != ELFCLASS64 || h->e_machine != EM_X86_64)
        return bad(e, "not an x86-64 ELF64 file");
    if (h->e_type != ET_EXEC && h->e_type != ET_DYN)
        return bad(e, "not an executable or shared object");
    if (h->e_phentsize != sizeof(Elf64_Phdr) || h->e_phnum == 0 || h->e_phnum > MAX_PHNUM)
        return bad(e, "bad program header table size");
    return read_exact(e->f, e->ph, h->e_phnum * sizeof(Elf64_Phdr), h->e_phoff) < 0
               ? bad(e, "program headers beyond the end of the file")
               : 0;
}

static int compute_span(struct elf_file *e)
{
    e->lo = ~0ULL;
    e->hi = 0;
    for (int i = 0; i < e->eh.e_phnum; i++) {
        const Elf64_Phdr *p = &e->ph[i];
        if (p->p_type != PT_LOAD)
            continue;
        if (p->p_filesz > p->p_memsz || p->p_vaddr + p->p_memsz < p->p_vaddr ||
            p->p_vaddr + p->p_memsz > (1ULL << 47) ||
            (p->p_align > 1 && (p->p_vaddr - p->p_offset) % PAGE_SIZE))
            return bad(e, "malformed PT_LOAD segment");
        e->lo = e->lo < ALIGN_DOWN(p->p_vaddr, PAGE_SIZE) ? e->lo : ALIGN_DOWN(p->p_vaddr, PAGE_SIZE);
        e->hi = e->hi > p->p_vaddr + p->p_memsz ? e->hi : p->p_vaddr + p->p_memsz;
    }
    if (e->hi == 0)
        return bad(e, "no PT_LOAD segment");
    e->hi = ALIGN_UP(e->hi, PAGE_SIZE);
    return 0;
}

static int seg_prot(const Elf64_Phdr *p)
{
    return (p->p_flags & PF_R ? PAL_PROT_READ : 0) | (p->p_flags & PF_W ? PAL_PROT_WRITE : 0) |
           (p->p_flags & PF_X ? PAL_PROT_EXEC : 0);
}

/* One segment's file bytes at dst. The pages wholly inside it are mapped
 * from the file when the PAL can (no copy; pages at either end may be
 * shared with a neighbouring segment, so those bytes are read). */
static int segment_data(struct elf_file *e, uint64_t dst, uint64_t n, uint64_t off)
{
    struct pal_stat st;
    /* A mapped page past the end of the file would only fault later. */
    if (!e->f->ops->fstat || e->f->ops->fstat(e->f, &st) < 0)
        return read_exact(e->f, (void *)dst, n, off);
    if (off > (uint64_t)st.size || (uint64_t)st.size - off < n)
        return -PAL_ENOEXEC;
    uint64_t in_lo = ALIGN_UP(dst, PAGE_SIZE), in_hi = ALIGN_DOWN(dst + n, PAGE_SIZE);
    if (in_hi > in_lo && mm_map_file_pages(in_lo, in_hi - in_lo, e->f, (int64_t)(off + in_lo - dst),
                                           PAL_PROT_READ | PAL_PROT_WRITE) == 0) {
        int r = read_exact(e->f, (void *)dst, in_lo - dst, off);
        return r < 0 ? r : read_exact(e->f, (void *)in_hi, dst + n - in_hi, off + in_hi - dst);
    }
    return read_exact(e->f, (void *)dst, n, off);
}

/* Places each segment's data, then applies protections; a page shared by
 * two segments gets the union of both. */
static int fill_segments(struct elf_file *e, uint64_t bias)
{
    for (int i = 0; i < e->eh.e_phnum; i++) {
        const Elf64_Phdr *p = &e->ph[i];
        if (p->p_type == PT_LOAD && p->p_filesz &&
            segment_data(e, bias + p->p_vaddr, p->p_filesz, p->p_offset) < 0)
            return bad(e, "segment data beyond the end of the file");
    }
    uint64_t prev_hi = 0;
    int prev_prot = 0;
    for (int i = 0; i < e->eh.e_phnum; i++) {
        const Elf64_Phdr *p = &e->ph[i];
        if (p->p_type != PT_LOAD)
            continue;
        uint64_t lo = ALIGN_DOWN(p->p_vaddr, PAGE_SIZE), hi = ALIGN_UP(p->p_vaddr + p->p_memsz, PAGE_SIZE);
        int prot = seg_prot(p);
        if (lo < prev_hi && mm_protect(bias + lo, PAGE_SIZE, prot | prev_prot) < 0)
            return bad(e, "cannot protect a segment");
        uint64_t from = lo < prev_hi ? lo + PAGE_SIZE : lo;
        if (from < hi && mm_protect(bias + from, hi - from, prot) < 0)
            return bad(e, "cannot protect a segment");
        prev_hi = hi, prev_prot = prot;
    }
    return 0;
}

static int read_interp(struct elf_file *e, const Elf64_Phdr *p, struct loaded_elf *out)
{
    if (p->p_filesz < 2 || p->p_filesz > sizeof(out->interp))
        return bad(e, "PT_INTERP path too long or empty");
    int r = read_exact(e->f, out->interp, p->p_filesz, p->p_offset);
    if (r < 0 || out->interp[p->p_filesz - 1] != 0 || out->interp[0] != '/')
        return bad(e, "PT_INTERP is not an absolute NUL-terminated path");
    return 0;
}

static int scan_phdrs(struct elf_file *e, uint64_t bias, struct loaded_elf *out)
{
    out->phdr = 0;
    for (int i = 0; i < e->eh.e_phnum; i++) {
        const Elf64_Phdr *p = &e->ph[i];
        if (p->p_type == PT_PHDR)
            out->phdr = bias + p->p_vaddr;
        if (p->p_type == PT_INTERP && read_interp(e, p, out) < 0)
            return -PAL_ENOEXEC;
    }
    for (int i = 0; !out->phdr && i < e->eh.e_phnum; i++) {
        const Elf64_Phdr *p = &e->ph[i];
        if (p->p_type == PT_LOAD && e->eh.e_phoff >= p->p_offset &&
            e->eh.e_phoff < p->p_offset + p->p_filesz)
            out->phdr = bias + p->p_vaddr + (e->eh.e_phoff - p->p_offset);
    }
    out->phnum = e->eh.e_phnum;
    return 0;
}

static int map_image(struct elf_file *e, uint64_t extra, struct loaded_elf *out)
{
    uint64_t span = e->hi - e->lo, total = span + TRAMP_SPACE + ALIGN_UP(extra, PAGE_SIZE);
    void *at = (void *)(e->eh.e_type == ET_EXEC ? e->lo : 0);
    int flags = e->eh.e_type == ET_EXEC ? PAL_MEM_FIXED | PAL_MEM_NOREPLACE : 0;
    long r = pal->mem_reserve(&at, total, flags);
    if (r < 0) {
        log_error("%s: cannot reserve %lu MiB at %p for the image and its brk (sys.brk.max_size "
                  "%lu MiB): %s%s", e->path, (unsigned long)(total >> 20), at,
                  (unsigned long)(extra >> 20), errno_name(r),
                  r == -PAL_ENOMEM && (pal_boot_info->flags & PAL_BOOT_ENCLAVE)
                      ? "; raise sgx.enclave_size or lower sys.brk.max_size"
                      : "");
        return (int)r;
    }
    /* The name outlives this load (interpreter paths live on the stack). */
    char *name = strdup(e->path);
    mm_track_image((uint64_t)at, total, name);
    uint64_t bias = (uint64_t)at - e->lo;
    r = pal->mem_commit(at, span, PAL_PROT_READ | PAL_PROT_WRITE);
    if (r == 0)
        r = fill_segments(e, bias);
    if (r == 0)
        r = scan_phdrs(e, bias, out);
    if (r < 0) {
        mm_untrack_image((uint64_t)at, total); /* nothing of a failed load stays mapped */
        free(name);
        return (int)r;
    }
    out->base = bias;
    out->entry = bias + e->eh.e_entry;
    out->end = bias + e->hi;
    /* The unwind tables' search table, for the rewriter (which reads it
     * only where the program has it mapped); one outside the image is
     * none. */
    uint64_t eh_hdr = 0;
    for (int i = 0; i < e->eh.e_phnum; i++) {
        const Elf64_Phdr *p = &e->ph[i];
        if (p->p_type == PT_GNU_EH_FRAME && p->p_vaddr >= e->lo && p->p_vaddr < e->hi &&
            p->p_memsz <= e->hi - p->p_vaddr)
            eh_hdr = bias + p->p_vaddr;
    }
    rewrite_add_region(bias + e->lo, bias + e->hi, bias + e->hi, eh_hdr);
    return 0;
}

int elf_load(const char *path, uint64_t extra, struct loaded_elf *out)
{
    struct elf_file e = {.path = path};
    /* The entrypoint and PT_INTERP paths may be symlinks (ld-linux is);
     * opened by the name given, as open(2) would, so trusted-file checks
     * see that name (fs/trusted.c). */
    int r = vfs_open_at(AT_FDCWD, path, O_RDONLY, 0, &e.f);
    if (r < 0) {
        log_error("%s: cannot open: %s", path, errno_name(r));
        return r;
    }
    memset(out, 0, sizeof(*out));
    r = read_exact(e.f, &e.eh, sizeof(e.eh), 0) < 0 ? bad(&e, "file too short") : 0;
    if (r == 0)
        r = check_header(&e);
    if (r == 0)
        r = compute_span(&e);
    if (r == 0 && (e.eh.e_entry < e.lo || e.eh.e_entry >= e.hi))
        r = bad(&e, "entry point outside the image");
    if (r == 0)
        r = map_image(&e, extra, out);
    file_put(e.f);
    return r;
}
