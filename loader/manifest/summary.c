/* `geode manifest check` output: what the manifest means, defaults included. */
#include "manifest/names.h"

static void print_mount(FILE *out, const char *what, const Geode__Mount *mnt)
{
    fprintf(out, "  %-12s %-9s %s", what, mount_type_name(mnt->type), mnt->path);
    if (mnt->uri && mnt->uri[0])
        fprintf(out, " <- %s", mnt->uri);
    if (mnt->key_name && mnt->key_name[0])
        fprintf(out, " (key %s)", mnt->key_name);
    if (mnt->type == GEODE__MOUNT_TYPE__MOUNT_UNTRUSTED_SHM)
        fprintf(out,
                "\n  %-12s host files, unchecked; their MAP_SHARED pages are host memory shared"
                " with other processes (the host reads and writes them)",
                "");
    fputc('\n', out);
}

static void print_loader(const geode_manifest *m, FILE *out)
{
    fprintf(out, "entrypoint:    %s\n", m->entrypoint);
    fprintf(out, "argv:         ");
    for (size_t i = 0; i < m->n_argv; i++)
        fprintf(out, " \"%s\"", m->argv[i]);
    fprintf(out, "%s\n", m->use_cmdline_argv ? " (command line arguments used instead)" : "");
    fprintf(out, "environment:   %zu variable(s)%s\n", m->n_env,
            m->use_host_env ? ", plus the host's (insecure)" : "");
    for (size_t i = 0; i < m->n_env; i++) {
        const Geode__EnvVar *e = m->env[i];
        if (e->passthrough)
            fprintf(out, "  %s (from the host)\n", e->name);
        else
            fprintf(out, "  %s=%s\n", e->name, e->value);
    }
    fprintf(out, "log level:     %s\n", log_level_name(m->log_level));
    fprintf(out, "uid/gid:       %u/%u\n", m->uid, m->gid);
}

static void print_fs(const geode_manifest *m, FILE *out)
{
    fprintf(out, "file system:   start in %s\n", m->start_dir);
    print_mount(out, "root", m->root);
    for (size_t i = 0; i < m->n_mounts; i++)
        print_mount(out, "mount", m->mounts[i]);
    fprintf(out, "stack:         %llu bytes; brk up to %llu bytes\n",
            (unsigned long long)m->stack_size, (unsigned long long)m->brk_max_size);
    if (m->shared_memory_untrusted)
        fprintf(out, "shared memory: anonymous MAP_SHARED memory is host memory in an enclave, "
                     "shared with forked children (insecure: the host reads and writes it)\n");
    if (m->allow_eventfd)
        fprintf(out, "eventfd:       the host's in an enclave, shared with forked children "
                     "(insecure: the host reads and changes its counter)\n");
    if (m->disallow_subprocesses)
        fprintf(out, "processes:     fork, vfork and clone of a process fail with EAGAIN "
                     "(sys.disallow_subprocesses)\n");
}

static void print_sgx(const geode_manifest *m, FILE *out)
{
    const Geode__Sgx *s = m->sgx;
    size_t hashed = 0;
    for (size_t i = 0; i < s->n_trusted_files; i++)
        hashed += s->trusted_files[i]->sha256.len == 32;
    fprintf(out, "enclave:       %llu MiB, %u thread(s)%s, isvprodid %u, isvsvn %u\n",
            (unsigned long long)(s->enclave_size >> 20), s->max_threads,
            s->debug ? ", DEBUG" : "", s->isvprodid, s->isvsvn);
    fprintf(out, "trusted files: %zu (%zu with sha256)\n", s->n_trusted_files, hashed);
    fprintf(out, "allowed files: %zu; file check policy %s\n", s->n_allowed_files,
            file_check_policy_name(s->file_check_policy));
    fprintf(out, "attestation:   %s\n", remote_attestation_name(s->remote_attestation));
}

void manifest_print_summary(const geode_manifest *m, FILE *out)
{
    const Geode__GeodeOptions *g = m->geode;
    print_loader(m, out);
    print_fs(m, out);
    print_sgx(m, out);
    fprintf(out, "geode:         mode %s, AEX-Notify %s, syscall rewriting %s, %u OCALL worker(s), "
                 "NSSA %u, %u restart(s) after EPC loss, %u enclave(s) built ahead of a fork\n",
            run_mode_name(g->mode), g->aex_notify ? "on" : "off", g->syscall_rewrite ? "on" : "off",
            g->ocall_workers, g->nssa, g->epc_loss_restarts, g->process_pool);
}
