/* Subcommands of the geode CLI. Each takes argv with argv[0] = the
 * subcommand name and returns the process exit status (2 on misuse). */
#ifndef GEODE_CLI_H
#define GEODE_CLI_H

#include <stdbool.h>
#include <stddef.h>

struct geode_cmd {
    const char *name;
    const char *summary;
    int (*fn)(int argc, char **argv);
};

int cmd_run(int argc, char **argv);
int cmd_manifest(int argc, char **argv);
int cmd_measure(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_sigstruct(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_container(int argc, char **argv);
int cmd_quote(int argc, char **argv);
int cmd_pf(int argc, char **argv);

/* The mode `geode run` takes when none is given (cmd_doctor.c, from the
 * same checks as `geode doctor`): 's' for sgx where it works, else 'm'
 * for sim, else 0. why receives doctor's verdict on sgx and sim. */
char doctor_auto_mode(char *why, size_t size);

/* True when argv holds -h or --help. */
bool cli_wants_help(int argc, char **argv);

#endif
