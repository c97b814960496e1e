/* Starting a program: load it and its interpreter, set up brk and the
 * initial stack. */
#include "core/mm.h"
#include "elf/elf.h"
#include "fs/vfs.h"

#include <linux/fcntl.h>

/* The interpreter as PT_INTERP names it; when that path does not exist
 * inside, its file name under /lib, then /lib64, as Gramine looks for it
 * (a Gramine manifest mounts the host's library directory at /lib, which
 * hides the target of Debian's /lib64/ld-linux-x86-64.so.2 symlink). */
static const char *find_interp(const char *interp, char *buf, size_t size)
{
    struct pal_stat st;
    if (vfs_stat_at(AT_FDCWD, interp, true, &st) != -PAL_ENOENT)
        return interp;
    const char *base = strrchr(interp, '/') + 1; /* PT_INTERP is absolute (load.c) */
    static const char *const dirs[] = {"/lib", "/lib64"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(buf, size, "%s/%s", dirs[i], base);
        if (vfs_stat_at(AT_FDCWD, buf, true, &st) == 0) {
            log_debug("interpreter %s not found; using %s", interp, buf);
            return buf;
        }
    }
    return interp;
}

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
        char buf[PATH_MAX_LEN];
        r = elf_load(find_interp(prog.interp, buf, sizeof(buf)), 0, &interp);
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
