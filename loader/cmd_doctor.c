/* PLACEHOLDER: replaced by the real implementation. */
#include <stdio.h>

#include "cli.h"

int cmd_doctor(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "geode doctor: not implemented yet\n");
    return 1;
}

