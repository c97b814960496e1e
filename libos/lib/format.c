/* A small vsnprintf for log lines and generated text (/proc, errors). */
#include "lib/lib.h"

struct out {
    char *buf;
    size_t size, len;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void put_str(struct out *o, const char *s)
{
    if (!s)
        s = "(null)";
    while (*s)
        put(o, *s++);
}

static void put_num(struct out *o, uint64_t v, unsigned base, bool neg)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (neg)
        put(o, '-');
    while (n)
        put(o, tmp[--n]);
}

static int64_t take_signed(va_list *ap, int lng)
{
    return lng ? va_arg(*ap, int64_t) : va_arg(*ap, int);
}

static uint64_t take_unsigned(va_list *ap, int lng)
{
    return lng ? va_arg(*ap, uint64_t) : va_arg(*ap, unsigned);
}

static void conv(struct out *o, char c, int lng, va_list *ap)
{
    int64_t s;
    switch (c) {
    case 'd':
    case 'i':
        s = take_signed(ap, lng);
        put_num(o, s < 0 ? 0 - (uint64_t)s : (uint64_t)s, 10, s < 0); /* INT64_MIN too */
        break;
    case 'u': put_num(o, take_unsigned(ap, lng), 10, false); break;
    case 'x': put_num(o, take_unsigned(ap, lng), 16, false); break;
    case 'p':
        put_str(o, "0x");
        put_num(o, (uint64_t)va_arg(*ap, void *), 16, false);
        break;
    case 's': put_str(o, va_arg(*ap, const char *)); break;
    case 'c': put(o, (char)va_arg(*ap, int)); break;
    default: put(o, c); break;
    }
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = {buf, size, 0};
    va_list aq;
    va_copy(aq, ap);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        int lng = 0;
        while (fmt[1] == 'l' || fmt[1] == 'z')
            lng = 1, fmt++;
        if (!fmt[1])
            break;
        conv(&o, *++fmt, lng, &aq);
    }
    va_end(aq);
    if (size)
        buf[o.len < size ? o.len : size - 1] = 0;
    return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
