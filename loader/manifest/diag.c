/* Every manifest problem is reported as one line that names the file, the
 * place in it, and the key path, so an editor can jump straight to it. */
#include <stdarg.h>

#include "manifest/diag.h"

static void emit(struct diag *d, struct toml_pos pos, const char *level, const char *key,
                 const char *fmt, va_list ap)
{
    if (!d->out)
        return;
    fprintf(d->out, "%s:%d:%d: %s: ", d->file, pos.line, pos.col, level);
    if (key && *key)
        fprintf(d->out, "%s: ", key);
    vfprintf(d->out, fmt, ap);
    fputc('\n', d->out);
}

void diag_error(struct diag *d, struct toml_pos pos, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit(d, pos, "error", key, fmt, ap);
    va_end(ap);
    d->errors++;
}

void diag_warn(struct diag *d, struct toml_pos pos, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit(d, pos, "warning", key, fmt, ap);
    va_end(ap);
    d->warnings++;
}
