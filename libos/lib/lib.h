/* The libOS's own tiny C library: no host libc exists in the image. */
#ifndef GEODE_LIBOS_LIB_H
#define GEODE_LIBOS_LIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pal.h"

/* The PAL's table (lib/log.c): the allocator and the log reach the host
 * through it. */
extern const struct pal_api *pal;

void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strdup(const char *s);

void *malloc(size_t n);
void *calloc(size_t n, size_t sz);
void *realloc(void *p, size_t n);
void free(void *p);

/* snprintf subset: %s %c %d %i %u %x %p %% with l/ll/z modifiers. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Log levels as in the manifest (geode_manifest.proto LogLevel). */
enum { LOG_NONE = 0, LOG_ERROR = 1, LOG_WARNING = 2, LOG_DEBUG = 3, LOG_TRACE = 4 };
extern int libos_log_level;
void log_at(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_error(...) log_at(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_at(LOG_WARNING, __VA_ARGS__)
#define log_debug(...) log_at(LOG_DEBUG, __VA_ARGS__)

/* "ENOMEM: out of memory" for an errno (either sign). */
const char *errno_name(long err);

/* A test-and-set spinlock (the libOS never sleeps holding one). The
 * spin_lock/spin_unlock of libos.h (core/lock.c) also record the lock in
 * the calling thread's state; the raw pair here does not, for code below
 * the thread state (lib's allocator) that never touches program memory. */
typedef struct {
    volatile int v;
} spinlock_t;
static inline void spin_lock_raw(spinlock_t *l)
{
    while (__atomic_exchange_n(&l->v, 1, __ATOMIC_ACQUIRE))
        __builtin_ia32_pause();
}
static inline void spin_unlock_raw(spinlock_t *l) { __atomic_store_n(&l->v, 0, __ATOMIC_RELEASE); }

/* The allocator's lock, which fork holds across the PAL's fork (sys/clone.c). */
spinlock_t *alloc_fork_lock(void);

#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define PAGE_SIZE 4096UL

#endif
