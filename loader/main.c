/* geode: the command-line front end. Dispatches to one cmd_* function per
 * subcommand; each lives in its own file under loader/. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "measure_memo.h"

static const struct geode_cmd cmds[] = {
    {"run", "run a program from its manifest", cmd_run},
    {"manifest", "render, check, expand or decode manifests", cmd_manifest},
    {"measure", "compute MRENCLAVE of a manifest's enclave", cmd_measure},
    {"sign", "write the SIGSTRUCT for a manifest's enclave", cmd_sign},
    {"keygen", "create an RSA-3072 (e = 3) enclave signing key", cmd_keygen},
    {"sigstruct", "show a SIGSTRUCT file", cmd_sigstruct},
    {"container", "make an OCI or docker image into a signed bundle", cmd_container},
    {"doctor", "report what this machine supports", cmd_doctor},
    {"quote", "print the sim quoting enclave's key, verify a sim quote", cmd_quote},
    {"pf", "encrypt or decrypt a file of an encrypted mount", cmd_pf},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: geode <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        fprintf(out, "  %-10s %s\n", cmds[i].name, cmds[i].summary);
    fprintf(out, "\n'geode <command> --help' describes a command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "geode: missing command (try 'geode --help')\n");
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    measure_memo_install();
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        if (!strcmp(argv[1], cmds[i].name))
            return cmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "geode: unknown command '%s' (try 'geode --help')\n", argv[1]);
    return 2;
}
