/* PLACEHOLDER: replaced by the real implementation. */
#include <stdio.h>

#include "cli.h"

int cmd_run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "geode run: not implemented yet\n");
    return 1;
}

