/* Minimal TAP-style reporting for Geode's C tests. Each check prints one
 * "ok - name" or "not ok - name" line; tests/run counts them. */
#ifndef GEODE_TAP_H
#define GEODE_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_failed;

__attribute__((format(printf, 4, 5), unused)) static int
tap_check(int cond, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    printf(cond ? "ok - " : "not ok - ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    if (!cond) {
        printf(" (%s:%d)", file, line);
        tap_failed = 1;
    }
    printf("\n");
    fflush(stdout);
    return cond;
}

#define CHECK(cond, ...) tap_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define SKIP(...)                                                                                  \
    do {                                                                                           \
        printf("skip - ");                                                                         \
        printf(__VA_ARGS__);                                                                       \
        printf("\n");                                                                              \
    } while (0)
#define TAP_DONE() (tap_failed ? 1 : 0)

#endif
