/* PLACEHOLDER: replaced by the real implementation. */
#include <stdio.h>

#include "cli.h"

int cmd_sign(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "geode sign: not implemented yet\n");
    return 1;
}

int cmd_keygen(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "geode keygen: not implemented yet\n");
    return 1;
}

int cmd_sigstruct(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "geode sigstruct: not implemented yet\n");
    return 1;
}
