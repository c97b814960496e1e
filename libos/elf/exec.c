/* Starting a program: load it and its interpreter, set up brk and the
 * initial stack. */
#include "core/mm.h"
#include "elf/elf.h"

int elf_exec(const char *path, char **argv, char **envp, uint64_t *entry, uint64_t *sp)
{
    struct loaded_elf prog, interp;
    int r = elf_load(path, libos_cfg.brk_max, &prog);
    if (r < 0)
        return r;
    /* brk begins after the image and its trampoline space. */
    mm_brk_init(prog.end + TRAMP_SPACE, libos_cfg.brk_max);
    struct stack_info si = {.prog = &prog, .interp_base = 0, .execfn = path};
    *entry = prog.entry;
    if (prog.interp[0]) {
        r = elf_load(prog.interp, 0, &interp);
        if (r < 0) {
            log_error("%s: cannot load its interpreter %s", path, prog.interp);
            return r;
        }
        if (interp.interp[0]) {
            log_error("%s: the interpreter %s has an interpreter itself", path, prog.interp);
            return -PAL_ENOEXEC;
        }
        si.interp_base = interp.base;
        *entry = interp.entry;
    }
    return stack_build(argv, envp, &si, sp);
}
