/* PLACEHOLDER: replaced by the real implementation. */
#include <stdio.h>

#include "cli.h"

int cmd_measure(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "geode measure: not implemented yet\n");
    return 1;
}

