/* The image builder's ELF parser refuses segments whose span it would have
 * to allocate beyond ELF_IMAGE_MAX_SPAN (regression: the fuzzer made it
 * calloc 3.8 GB from one header). */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
    return TAP_DONE();
}
