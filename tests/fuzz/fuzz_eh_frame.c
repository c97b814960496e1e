/* libFuzzer target: the rewriter's reading of a program's unwind tables
 * (libos/core/eh_frame.c, compiled here as it is). The tables are the
 * program's own memory, which it may have filled with anything. Input:
 * u32 pc offset, u32 .eh_frame_hdr offset, then the memory, which is the
 * only readable mapping (its bytes also read as an ELF file mapped at
 * offset 0 for eh_frame_hdr_of_mapping). Every answer must hold: -1, or
 * 1..max ranges with pc inside the one at *at; nothing read outside the
 * memory (ASan). */
#include "../../libos/core/eh_frame.c"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t mem_lo, mem_hi;
static struct file fake_file;

bool vma_find(uint64_t addr, struct vma *out)
{
    if (addr < mem_lo || addr >= mem_hi)
        return false;
    *out = (struct vma){.start = mem_lo, .end = mem_hi, .prot = PAL_PROT_READ | PAL_PROT_EXEC,
                        .file = &fake_file, .off = 0};
    return true;
}

static void check(int cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "finding: %s\n", what);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 9)
        return 0;
    uint32_t pc_off, hdr_off;
    memcpy(&pc_off, data, 4);
    memcpy(&hdr_off, data + 4, 4);
    size_t len = size - 8;
    uint8_t *mem = malloc(len); /* exactly the mapping: ASan sees any read past it */
    if (!mem)
        return 0;
    memcpy(mem, data + 8, len);
    mem_lo = (uint64_t)mem, mem_hi = mem_lo + len;
    uint64_t pc = mem_lo + pc_off % len;
    struct eh_range out[17];
    int at = -1;
    int n = eh_frame_ranges(mem_lo + hdr_off % len, pc, out, 17, &at);
    check(n == -1 || (n >= 1 && n <= 17), "count out of range");
    if (n > 0) {
        check(at >= 0 && at < n, "pc's index out of range");
        check(out[at].lo <= pc && pc < out[at].hi, "pc outside its own range");
    }
    n = eh_frame_ranges(mem_lo + hdr_off % len, pc, out, 1, &at);
    check(n == -1 || (n == 1 && at == 0), "max 1 gave more");
    eh_frame_hdr_of_mapping(mem_lo);
    free(mem);
    return 0;
}
