/* Writes a validated manifest back as TOML with every value explicit, in a
 * fixed order: the output of `geode manifest expand`, which loads back to
 * the same canonical blob. */
#include "manifest/names.h"
#include "manifest/write_toml.h"

static void put_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

static void put_kv_str(FILE *out, const char *key, const char *value)
{
    fprintf(out, "%s = ", key);
    put_str(out, value);
    fputc('\n', out);
}

static void put_hex(FILE *out, const ProtobufCBinaryData *b)
{
    fputc('"', out);
    for (size_t i = 0; i < b->len; i++)
        fprintf(out, "%02x", b->data[i]);
    fputc('"', out);
}

static void write_loader(const geode_manifest *m, FILE *out)
{
    put_kv_str(out, "libos.entrypoint", m->entrypoint);
    if (m->libos_uri[0]) {
        fprintf(out, "loader.entrypoint = { uri = ");
        put_str(out, m->libos_uri);
        if (m->libos_sha256.len) {
            fprintf(out, ", sha256 = ");
            put_hex(out, &m->libos_sha256);
        }
        fprintf(out, " }\n");
    }
    fprintf(out, "loader.argv = [");
    for (size_t i = 0; i < m->n_argv; i++) {
        fprintf(out, i ? ", " : "");
        put_str(out, m->argv[i]);
    }
    fprintf(out, "]\n");
    fprintf(out, "loader.insecure__use_cmdline_argv = %s\n", m->use_cmdline_argv ? "true" : "false");
    fprintf(out, "loader.insecure__use_host_env = %s\n", m->use_host_env ? "true" : "false");
    put_kv_str(out, "loader.log_level", log_level_name(m->log_level));
    fprintf(out, "loader.uid = %u\nloader.gid = %u\n", m->uid, m->gid);
    for (size_t i = 0; i < m->n_env; i++) {
        fprintf(out, "loader.env.");
        put_str(out, m->env[i]->name);
        if (m->env[i]->passthrough) {
            fprintf(out, " = { passthrough = true }\n");
        } else {
            fprintf(out, " = ");
            put_str(out, m->env[i]->value);
            fputc('\n', out);
        }
    }
}

static void write_mount(FILE *out, const Geode__Mount *mnt, int root)
{
    fprintf(out, "%s{ type = \"%s\"", root ? "fs.root = " : "  ", mount_type_name(mnt->type));
    if (!root) {
        fprintf(out, ", path = ");
        put_str(out, mnt->path);
    }
    if (mnt->type != GEODE__MOUNT_TYPE__MOUNT_TMPFS) {
        fprintf(out, ", uri = ");
        put_str(out, mnt->uri);
    }
    if (mnt->type == GEODE__MOUNT_TYPE__MOUNT_ENCRYPTED) {
        fprintf(out, ", key_name = ");
        put_str(out, mnt->key_name);
    }
    fprintf(out, " }%s\n", root ? "" : ",");
}

static void write_fs_sys(const geode_manifest *m, FILE *out)
{
    write_mount(out, m->root, 1);
    put_kv_str(out, "fs.start_dir", m->start_dir);
    fprintf(out, "fs.mounts = [\n");
    for (size_t i = 0; i < m->n_mounts; i++)
        write_mount(out, m->mounts[i], 0);
    fprintf(out, "]\n");
    for (size_t i = 0; i < m->n_insecure_keys; i++) {
        fprintf(out, "fs.insecure__keys.\"%s\" = ", m->insecure_keys[i]->name);
        put_hex(out, &m->insecure_keys[i]->key);
        fputc('\n', out);
    }
    fprintf(out, "sys.stack.size = %llu\n", (unsigned long long)m->stack_size);
    fprintf(out, "sys.brk.max_size = %llu\n", (unsigned long long)m->brk_max_size);
    fprintf(out, "sys.enable_sigterm_injection = %s\n",
            m->enable_sigterm_injection ? "true" : "false");
    fprintf(out, "sys.insecure__shared_memory_untrusted = %s\n",
            m->shared_memory_untrusted ? "true" : "false");
    fprintf(out, "sys.disallow_subprocesses = %s\n", m->disallow_subprocesses ? "true" : "false");
    if (m->allow_eventfd)
        fprintf(out, "sys.insecure__allow_eventfd = true\n");
    if (m->extra_domain_names_conf)
        fprintf(out, "sys.enable_extra_runtime_domain_names_conf = true\n");
    if (m->fds_limit)
        fprintf(out, "sys.fds.limit = %u\n", m->fds_limit);
}

static void write_sgx(const Geode__Sgx *s, FILE *out)
{
    fprintf(out, "sgx.enclave_size = %llu\n", (unsigned long long)s->enclave_size);
    fprintf(out, "sgx.max_threads = %u\nsgx.debug = %s\n", s->max_threads,
            s->debug ? "true" : "false");
    fprintf(out, "sgx.isvprodid = %u\nsgx.isvsvn = %u\n", s->isvprodid, s->isvsvn);
    if (s->edmm_enable)
        fprintf(out, "sgx.edmm_enable = true\nsgx.edmm_precommit_size = %llu\n",
                (unsigned long long)s->edmm_precommit_size);
    put_kv_str(out, "sgx.file_check_policy", file_check_policy_name(s->file_check_policy));
    put_kv_str(out, "sgx.remote_attestation", remote_attestation_name(s->remote_attestation));
    fprintf(out, "sgx.insecure__host_unconfined = %s\n",
            s->insecure_host_unconfined ? "true" : "false");
    fprintf(out, "sgx.trusted_files = [\n");
    for (size_t i = 0; i < s->n_trusted_files; i++) {
        fprintf(out, "  { uri = ");
        put_str(out, s->trusted_files[i]->uri);
        if (s->trusted_files[i]->sha256.len) {
            fprintf(out, ", sha256 = ");
            put_hex(out, &s->trusted_files[i]->sha256);
        }
        fprintf(out, " },\n");
    }
    fprintf(out, "]\nsgx.allowed_files = [\n");
    for (size_t i = 0; i < s->n_allowed_files; i++) {
        fprintf(out, "  ");
        put_str(out, s->allowed_files[i]);
        fprintf(out, ",\n");
    }
    fprintf(out, "]\n");
}

static void write_geode(const Geode__GeodeOptions *g, FILE *out)
{
    put_kv_str(out, "geode.mode", run_mode_name(g->mode));
    fprintf(out, "geode.aex_notify = %s\n", g->aex_notify ? "true" : "false");
    fprintf(out, "geode.ocall_workers = %u\n", g->ocall_workers);
    fprintf(out, "geode.syscall_rewrite = %s\n", g->syscall_rewrite ? "true" : "false");
    fprintf(out, "geode.epc_loss_restarts = %u\n", g->epc_loss_restarts);
    fprintf(out, "geode.nssa = %u\n", g->nssa);
    fprintf(out, "geode.process_pool = %u\n", g->process_pool);
    fprintf(out, "geode.host_network = %s\n", g->host_network ? "true" : "false");
}

int manifest_write_toml(const geode_manifest *m, FILE *out)
{
    fprintf(out, "# Written by geode manifest expand: every value explicit, trusted files hashed.\n");
    write_loader(m, out);
    write_fs_sys(m, out);
    write_sgx(m->sgx, out);
    write_geode(m->geode, out);
    return ferror(out) ? -1 : 0;
}
