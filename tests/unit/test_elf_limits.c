/* The image builder's ELF parser refuses segments whose span it would have
 * to allocate beyond ELF_IMAGE_MAX_SPAN (regression: the fuzzer made it
 * calloc 3.8 GB from one header). elf_image_load reads only the part of a
 * file the image needs (headers and PT_LOAD bytes, not the debug sections
 * after them), and still refuses a segment that ends past the file. */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elf_image.h"
#include "tap.h"

static uint8_t file[8192];

/* A minimal static-pie: one R+X PT_LOAD covering the first page. */
static Elf64_Phdr *make_elf(void)
{
    Elf64_Ehdr *eh = (Elf64_Ehdr *)file;
    Elf64_Phdr *ph = (Elf64_Phdr *)(file + sizeof(*eh));
    memset(file, 0, sizeof(file));
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_DYN;
    eh->e_machine = EM_X86_64;
    eh->e_version = EV_CURRENT;
    eh->e_entry = 0x100;
    eh->e_phoff = sizeof(*eh);
    eh->e_ehsize = sizeof(*eh);
    eh->e_phentsize = sizeof(*ph);
    eh->e_phnum = 1;
    ph->p_type = PT_LOAD;
    ph->p_flags = PF_R | PF_X;
    ph->p_filesz = ph->p_memsz = 4096;
    ph->p_align = 4096;
    return ph;
}

/* Writes len bytes of buf, then `junk` bytes of 0xee, to a new temp file. */
static int write_tmp(char *path, const uint8_t *buf, size_t len, size_t junk)
{
    static uint8_t tail[1 << 17];
    int fd = mkstemp(path);
    int ok = fd >= 0 && write(fd, buf, len) == (ssize_t)len;

    memset(tail, 0xee, sizeof(tail));
    while (ok && junk) {
        size_t n = junk < sizeof(tail) ? junk : sizeof(tail);
        ok = write(fd, tail, n) == (ssize_t)n;
        junk -= n;
    }
    if (fd >= 0)
        close(fd);
    return ok ? 0 : -1;
}

/* The image from the file equals the image parsed from all its bytes. */
static void load_cases(void)
{
    struct elf_image a, b;
    struct sgx_err err = {{0}};
    char path[] = "/tmp/geode-elf-XXXXXX";
    Elf64_Phdr *ph = make_elf();
    int rc;

    memset(file + 0x100, 0xc3, 4096 - 0x100); /* code bytes, so the copy shows */
    rc = write_tmp(path, file, 4096, 300000);
    rc = rc ? rc : elf_image_load(path, &a, &err);
    CHECK(rc == 0 && a.span == 4096 && a.mem[0x100] == 0xc3 && a.mem[4095] == 0xc3 && a.perms[0],
          "a file with 300 KB after its segments loads (%s)", err.msg);
    if (rc == 0) {
        rc = elf_image_parse(file, 4096, "same", &b, &err);
        CHECK(rc == 0 && !memcmp(a.mem, b.mem, a.span) && a.entry == b.entry,
              "same image as from the bytes");
        if (rc == 0)
            elf_image_free(&b);
        elf_image_free(&a);
    }
    unlink(path);

    ph = make_elf();
    ph->p_offset = 4096;
    ph->p_vaddr = 4096;
    ph->p_filesz = ph->p_memsz = 8192;
    strcpy(path, "/tmp/geode-elf-XXXXXX");
    rc = write_tmp(path, file, 4096 + 4096, 0); /* the segment's second page is missing */
    rc = rc ? rc : elf_image_load(path, &a, &err);
    CHECK(rc == -EINVAL && strstr(err.msg, "segment 0 lies outside the file"),
          "a segment past the end of the file is refused (%s)", err.msg);
    if (rc == 0)
        elf_image_free(&a);
    unlink(path);

    ph = make_elf();
    ((Elf64_Ehdr *)file)->e_phoff = 1 << 20; /* headers past the first read */
    strcpy(path, "/tmp/geode-elf-XXXXXX");
    rc = write_tmp(path, file, 4096, 0);
    rc = rc ? rc : elf_image_load(path, &a, &err);
    CHECK(rc == -EINVAL && strstr(err.msg, "program header table lies outside the file"),
          "program headers past the end of the file are refused (%s)", err.msg);
    if (rc == 0)
        elf_image_free(&a);
    unlink(path);

    CHECK(elf_image_load("/nonexistent/geode.elf", &a, &err) == -ENOENT &&
              strstr(err.msg, "cannot open"),
          "a missing file is named (%s)", err.msg);
}

int main(void)
{
    struct elf_image img;
    struct sgx_err err = {{0}};
    make_elf();
    int rc = elf_image_parse(file, sizeof(file), "ok.elf", &img, &err);
    CHECK(rc == 0 && img.span == 4096, "minimal image accepted (%s)", err.msg);
    if (rc == 0)
        elf_image_free(&img);

    Elf64_Phdr *ph = make_elf();
    ph->p_memsz = 3811594240ull;
    rc = elf_image_parse(file, sizeof(file), "huge.elf", &img, &err);
    CHECK(rc == -EINVAL && strstr(err.msg, "huge.elf: segment 0 ends beyond"),
          "3.8 GB p_memsz refused, not allocated (%s)", err.msg);

    ph = make_elf();
    ph->p_memsz = ELF_IMAGE_MAX_SPAN;
    rc = elf_image_parse(file, sizeof(file), "edge.elf", &img, &err);
    CHECK(rc == 0, "a span of exactly ELF_IMAGE_MAX_SPAN is accepted (%s)", err.msg);
    if (rc == 0)
        elf_image_free(&img);
    load_cases();
    return TAP_DONE();
}
