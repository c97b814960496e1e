/* RFC 3339 dates and times as TOML 1.0 allows them: offset date-times,
 * local date-times, local dates and local times. Fields have fixed widths
 * and are range-checked (including leap years for February 29). */
#include <stdio.h>

#include "toml/toml_internal.h"

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* Exactly `width` digits at p->i + at. */
static int fixed_digits(const struct toml_parser *p, size_t at, int width, int *out)
{
    int v = 0;
    for (int k = 0; k < width; k++) {
        int c = tml_peek(p, at + (size_t)k);
        if (!is_digit(c))
            return 0;
        v = v * 10 + (c - '0');
    }
    *out = v;
    return 1;
}

int tml_looks_like_datetime(const struct toml_parser *p)
{
    int v;
    return (fixed_digits(p, 0, 4, &v) && tml_peek(p, 4) == '-') ||
           (fixed_digits(p, 0, 2, &v) && tml_peek(p, 2) == ':');
}

static int days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

static int parse_date(struct toml_parser *p, struct toml_datetime *dt)
{
    size_t start = p->i;
    if (!fixed_digits(p, 0, 4, &dt->year) || tml_peek(p, 4) != '-' ||
        !fixed_digits(p, 5, 2, &dt->month) || tml_peek(p, 7) != '-' ||
        !fixed_digits(p, 8, 2, &dt->day))
        return tml_fail(p, start, "invalid date: expected YYYY-MM-DD");
    if (dt->month < 1 || dt->month > 12)
        return tml_fail(p, start + 5, "invalid date: month %02d is out of range", dt->month);
    if (dt->day < 1 || dt->day > days_in_month(dt->year, dt->month))
        return tml_fail(p, start + 8, "invalid date: %04d-%02d has no day %02d", dt->year,
                        dt->month, dt->day);
    p->i += 10;
    return 1;
}

/* Fractional seconds: at least one digit; kept to nanoseconds. */
static int parse_fraction(struct toml_parser *p, struct toml_datetime *dt)
{
    size_t dot = p->i++;
    uint32_t ns = 0;
    int n = 0;
    for (; is_digit(tml_peek(p, 0)); p->i++, n++)
        if (n < 9)
            ns = ns * 10 + (uint32_t)(tml_peek(p, 0) - '0');
    if (n == 0)
        return tml_fail(p, dot, "invalid time: a digit must follow the decimal point");
    for (int k = n; k < 9; k++)
        ns *= 10;
    dt->nanosecond = ns;
    dt->frac_digits = n;
    return 1;
}

static int parse_time(struct toml_parser *p, struct toml_datetime *dt)
{
    size_t start = p->i;
    if (!fixed_digits(p, 0, 2, &dt->hour) || tml_peek(p, 2) != ':' ||
        !fixed_digits(p, 3, 2, &dt->minute) || tml_peek(p, 5) != ':' ||
        !fixed_digits(p, 6, 2, &dt->second))
        return tml_fail(p, start, "invalid time: expected HH:MM:SS");
    /* 60 is allowed for leap seconds, as RFC 3339 does. */
    if (dt->hour > 23 || dt->minute > 59 || dt->second > 60)
        return tml_fail(p, start, "invalid time: %02d:%02d:%02d is out of range", dt->hour,
                        dt->minute, dt->second);
    p->i += 8;
    return tml_peek(p, 0) == '.' ? parse_fraction(p, dt) : 1;
}

static int parse_offset(struct toml_parser *p, struct toml_datetime *dt)
{
    int c = tml_peek(p, 0), h, m;
    if (c == 'Z' || c == 'z') {
        p->i++;
        return 1;
    }
    if (!fixed_digits(p, 1, 2, &h) || tml_peek(p, 3) != ':' || !fixed_digits(p, 4, 2, &m))
        return tml_fail(p, p->i, "invalid time offset: expected Z or +HH:MM / -HH:MM");
    if (h > 23 || m > 59)
        return tml_fail(p, p->i, "invalid time offset: %02d:%02d is out of range", h, m);
    dt->offset_minutes = (c == '-' ? -1 : 1) * (h * 60 + m);
    p->i += 6;
    return 1;
}

/* After a date: 'T', 't' or a space followed by a time makes a date-time. */
static int time_follows(const struct toml_parser *p)
{
    int c = tml_peek(p, 0);
    return c == 'T' || c == 't' || (c == ' ' && is_digit(tml_peek(p, 1)));
}

int tml_parse_datetime(struct toml_parser *p, struct toml_value *v)
{
    struct toml_datetime *dt = &v->u.dt;
    if (tml_peek(p, 2) == ':') {
        v->type = TOML_TIME_LOCAL;
        return parse_time(p, dt);
    }
    if (!parse_date(p, dt))
        return 0;
    if (!time_follows(p)) {
        v->type = TOML_DATE_LOCAL;
        return 1;
    }
    p->i++;
    if (!parse_time(p, dt))
        return 0;
    int c = tml_peek(p, 0);
    if (c == 'Z' || c == 'z' || c == '+' || c == '-') {
        v->type = TOML_DATETIME;
        return parse_offset(p, dt);
    }
    v->type = TOML_DATETIME_LOCAL;
    return 1;
}

static int format_time(const struct toml_datetime *dt, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%02d:%02d:%02d", dt->hour, dt->minute, dt->second);
    if (dt->frac_digits > 0 && n > 0 && (size_t)n < size) {
        int digits = dt->frac_digits > 9 ? 9 : dt->frac_digits;
        uint32_t frac = dt->nanosecond;
        for (int k = digits; k < 9; k++)
            frac /= 10;
        n += snprintf(buf + n, size - (size_t)n, ".%0*u", digits, (unsigned)frac);
    }
    return n;
}

void toml_format_datetime(const struct toml_value *v, char *buf, size_t size)
{
    const struct toml_datetime *dt = &v->u.dt;
    if (size == 0)
        return;
    buf[0] = '\0';
    int n = 0;
    if (v->type != TOML_TIME_LOCAL)
        n = snprintf(buf, size, "%04d-%02d-%02d%s", dt->year, dt->month, dt->day,
                     v->type == TOML_DATE_LOCAL ? "" : "T");
    if (v->type == TOML_DATE_LOCAL || n < 0 || (size_t)n >= size)
        return;
    n += format_time(dt, buf + n, size - (size_t)n);
    if (v->type != TOML_DATETIME || n < 0 || (size_t)n >= size)
        return;
    int off = dt->offset_minutes, mag = off < 0 ? -off : off;
    if (off == 0)
        snprintf(buf + n, size - (size_t)n, "Z");
    else
        snprintf(buf + n, size - (size_t)n, "%c%02d:%02d", off < 0 ? '-' : '+', mag / 60, mag % 60);
}
