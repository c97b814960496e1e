/* The libOS entry point (the ELF entry of libos.elf), called by a PAL with
 * its function table and boot block on the PAL's stack. It decodes the
 * manifest, sets up the VFS, loads the program and jumps to it with
 * syscall trapping on. It never returns. */
#include "core/config.h"
#include "core/mm.h"
#include "sys/sys.h"
#include "elf/elf.h"
#include "proc/proc.h"
#include "fs/vfs.h"
#include "libos.h"

const struct pal_boot *pal_boot_info;
extern const struct pal_upcalls libos_upcalls;
__attribute__((noreturn)) void libos_enter_program(uint64_t entry, uint64_t sp);

static int start(const struct pal_boot *boot, uint64_t *entry, uint64_t *sp)
{
    char **argv, **envp;
    if (!thread_init_current(1))
        return -PAL_ENOMEM;
    cur_thread()->host_tid = pal->thread_id();
    Geode__Manifest *m = config_load(boot->manifest, boot->manifest_len);
    if (!m)
        return -PAL_EINVAL;
    vfs_set_proc_ops(&proc_fs_ops); /* fs/ below proc/: the VFS is told */
    int r = vfs_init(m);
    if (r < 0)
        return r;
    sysv_shm_init();
    sysv_sem_init();
    sysv_msg_init();
    proc_init(m);
    dev_attestation_init(m);
    etc_conf_init(libos_cfg.dns_conf);
    r = config_build_args(m, &argv, &envp);
    if (r < 0)
        return r;
    /* As execve would: a "#!" script runs through its interpreter. */
    static char inside[PATH_MAX_LEN];
    char **full;
    r = (int)exec_resolve(libos_cfg.exec_path, inside, &full, argv);
    if (r < 0) {
        log_error("libos.entrypoint %s: %s", libos_cfg.exec_path,
                  r == -PAL_EACCES ? "not a regular file (a directory?)" : errno_name(r));
        return r;
    }
    /* /proc/self/exe is the file that runs: a script's interpreter, as
     * after execve (the name, comm, stays the entrypoint's). */
    libos_cfg.exec_path = inside;
    return elf_exec(inside, full, envp, entry, sp);
}

__attribute__((noreturn)) void libos_entry(const struct pal_api *p, const struct pal_boot *boot)
{
    static const char bad_pal[] = "geode: the PAL's API version does not match the libOS\n";
    if (p->version != PAL_API_VERSION || p->size < sizeof(*p) || boot->version != PAL_API_VERSION) {
        p->log(bad_pal, sizeof(bad_pal) - 1);
        p->process_exit(1);
    }
    pal = p;
    pal_boot_info = boot;
    uint64_t entry, sp;
    int r = start(boot, &entry, &sp);
    if (r < 0) {
        log_error("cannot start the program (%s)", errno_name(r));
        libos_exit(127);
    }
    pal->set_upcalls(&libos_upcalls);
    if (pal->trap_syscalls() < 0) {
        log_error("the PAL cannot trap the program's syscalls");
        libos_exit(127);
    }
    libos_enter_program(entry, sp);
}
