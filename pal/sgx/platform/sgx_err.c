#include "sgx_err.h"

#include <stdarg.h>
#include <stdio.h>

void sgx_err_set(struct sgx_err *e, const char *fmt, ...)
{
    va_list ap;

    if (!e)
        return;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
}
