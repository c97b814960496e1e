/* The process's name (comm) and the place of its argument and environment
 * strings: set by exec (elf/stack.c, sys/exec.c) and prctl, shown by
 * /proc (proc/proc_text.c). */
#include "core/process.h"

static char comm[16]; /* the kernel's comm: 15 characters */
static spinlock_t comm_lock;

void proc_set_name(const char *name)
{
    if (!name) {
        const char *slash = strrchr(libos_cfg.exec_path, '/');
        name = slash ? slash + 1 : libos_cfg.exec_path;
    }
    spin_lock(&comm_lock);
    snprintf(comm, sizeof(comm), "%s", name);
    spin_unlock(&comm_lock);
    if (PAL_HAS(pal, process_set_name))
        pal->process_set_name(comm);
}

const char *proc_name(void)
{
    return comm;
}

void proc_name_copy(char out[16])
{
    spin_lock(&comm_lock);
    memcpy(out, comm, sizeof(comm));
    spin_unlock(&comm_lock);
}

static uint64_t args_range[4]; /* arg_start, arg_end, env_start, env_end */

void proc_set_args(uint64_t arg_start, uint64_t arg_end, uint64_t env_start, uint64_t env_end)
{
    args_range[0] = arg_start, args_range[1] = arg_end;
    args_range[2] = env_start, args_range[3] = env_end;
}

uint64_t proc_args(int i)
{
    return args_range[i];
}
