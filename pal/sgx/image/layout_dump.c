#include "layout_dump.h"

#include <errno.h>

#include "hexfmt.h"

int sgx_layout_write_json(FILE *out, const struct sgx_layout *l, const uint8_t mrenclave[32])
{
    char hex[65];

    hex_encode(mrenclave, 32, hex);
    fprintf(out, "{\"size\":%llu,\"ssa_frame_size\":%u,\"entry\":%llu,\"mrenclave\":\"%s\",\"pages\":[",
            (unsigned long long)l->size, l->ssa_frame_size, (unsigned long long)l->entry_offset, hex);
    for (size_t i = 0; i < l->n_pages; i++) {
        const struct sgx_layout_page *p = &l->pages[i];

        for (uint64_t k = 0; k < sgx_layout_entry_pages(p); k++)
            fprintf(out, "%s\n{\"offset\":%llu,\"flags\":%llu,\"measured\":%s,\"region\":\"%s\"}",
                    i || k ? "," : "", (unsigned long long)(p->offset + k * SGX_PAGE_SIZE),
                    (unsigned long long)p->secinfo_flags, p->measured ? "true" : "false", p->region);
    }
    fprintf(out, "\n]}\n");
    return ferror(out) ? -EIO : 0;
}

int sgx_layout_write_pages(FILE *out, const struct sgx_layout *l)
{
    static const uint8_t zero[SGX_PAGE_SIZE];

    for (size_t i = 0; i < l->n_pages; i++) {
        const uint8_t *data = l->pages[i].data ? l->pages[i].data : zero;

        for (uint64_t k = 0; k < sgx_layout_entry_pages(&l->pages[i]); k++)
            if (fwrite(data, 1, SGX_PAGE_SIZE, out) != SGX_PAGE_SIZE)
                return -EIO;
    }
    return 0;
}
