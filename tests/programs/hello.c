/* Prints its arguments and one environment variable: checks argv/envp
 * set-up and stdout through the libOS. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    printf("hello from geode, argc=%d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("arg%d=%s\n", i, argv[i]);
    const char *v = getenv("GEODE_TEST_VAR");
    printf("GEODE_TEST_VAR=%s\n", v ? v : "(unset)");
    return argc > 1 && argv[1][0] == 'x' ? 7 : 0;
}
