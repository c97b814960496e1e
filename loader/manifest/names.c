#include "manifest/names.h"

#define NAME_OF(table, v)                                                                          \
    ((unsigned)(v) < sizeof(table) / sizeof(table[0]) ? table[(unsigned)(v)] : "?")

const char *log_level_name(Geode__LogLevel v)
{
    static const char *const t[] = {"none", "error", "warning", "debug", "trace", "all"};
    return NAME_OF(t, v);
}

const char *mount_type_name(Geode__MountType v)
{
    static const char *const t[] = {"chroot", "tmpfs", "encrypted", "untrusted_shm"};
    return NAME_OF(t, v);
}

const char *file_check_policy_name(Geode__FileCheckPolicy v)
{
    static const char *const t[] = {"strict", "allow_all_but_log"};
    return NAME_OF(t, v);
}

const char *remote_attestation_name(Geode__RemoteAttestation v)
{
    static const char *const t[] = {"none", "epid", "dcap"};
    return NAME_OF(t, v);
}

const char *run_mode_name(Geode__RunMode v)
{
    static const char *const t[] = {"auto", "sgx", "sim", "direct"};
    return NAME_OF(t, v);
}
