/* Log lines go to the PAL's diagnostic stream, prefixed with "geode: ". */
#include "lib/lib.h"

const struct pal_api *pal;
int libos_log_level = LOG_ERROR;

void log_at(int level, const char *fmt, ...)
{
    if (level > libos_log_level || !pal)
        return;
    char buf[512];
    int n = snprintf(buf, sizeof(buf), "geode: ");
    va_list ap;
    va_start(ap, fmt);
    n += vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
    va_end(ap);
    if ((size_t)n >= sizeof(buf) - 1)
        n = sizeof(buf) - 2;
    buf[n++] = '\n';
    pal->log(buf, (size_t)n);
}
