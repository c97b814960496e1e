/* The trusted-file hash cache (hash_cache.h). One text file, one line per
 * host file: "DEV INO SIZE MTIME_NS CTIME_NS SHA256HEX PATH". Read whole at
 * the first lookup, rewritten whole (temporary file + rename) by
 * hash_cache_flush when something was added. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "manifest/hash_cache.h"

/* Beyond this many, a flush keeps only the entries this run used or
 * stored: files of runs long gone (test scratch files) do not pile up. */
#define MAX_ENTRIES 20000

struct entry {
    unsigned long long dev, ino, size, mtime, ctime;
    uint8_t sha[32];
    bool used; /* looked up or stored by this run */
    char *path;
};

static struct entry *entries;
static size_t n_entries, cap_entries;
/* Open-addressing index by path: slot -> entry index + 1 (0: empty). */
static size_t *slots, n_slots;
static bool loaded, dirty, disabled;
static char cache_path[4096];

static unsigned long long ns(const struct timespec *t)
{
    return (unsigned long long)t->tv_sec * 1000000000ULL + (unsigned long long)t->tv_nsec;
}

/* $GEODE_HASH_CACHE (a file, or "off"), else $XDG_CACHE_HOME/geode/...,
 * else ~/.cache/geode/trusted-hashes. */
static bool locate(void)
{
    const char *env = getenv("GEODE_HASH_CACHE"), *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    int n;
    if (env && !strcmp(env, "off"))
        return false;
    if (env && *env)
        n = snprintf(cache_path, sizeof(cache_path), "%s", env);
    else if (xdg && *xdg)
        n = snprintf(cache_path, sizeof(cache_path), "%s/geode/trusted-hashes", xdg);
    else if (home && *home)
        n = snprintf(cache_path, sizeof(cache_path), "%s/.cache/geode/trusted-hashes", home);
    else
        return false;
    return n > 0 && (size_t)n < sizeof(cache_path);
}

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static bool parse_hex(const char *s, uint8_t out[32])
{
    for (int i = 0; i < 32; i++) {
        int hi = hexval(s[2 * i]), lo = hi < 0 ? -1 : hexval(s[2 * i + 1]);
        if (lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return s[64] == ' ';
}

static size_t path_hash(const char *s)
{
    size_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* The slot of path: its entry's, or the empty one where it would go. */
static size_t *slot_of(const char *path)
{
    size_t i = path_hash(path) & (n_slots - 1);
    while (slots[i] && strcmp(entries[slots[i] - 1].path, path))
        i = (i + 1) & (n_slots - 1);
    return &slots[i];
}

static bool reindex(size_t want)
{
    size_t n = 1024;
    while (n < 2 * want)
        n *= 2;
    size_t *s = calloc(n, sizeof(*s));
    if (!s)
        return false;
    free(slots);
    slots = s, n_slots = n;
    for (size_t i = 0; i < n_entries; i++)
        *slot_of(entries[i].path) = i + 1;
    return true;
}

/* Adds e, or replaces the entry of the same path. Takes e->path. */
static void add(const struct entry *e)
{
    if ((n_entries + 1) * 2 > n_slots && !reindex(n_entries + 1)) {
        free(e->path);
        return;
    }
    size_t *slot = slot_of(e->path);
    if (*slot) {
        free(entries[*slot - 1].path);
        entries[*slot - 1] = *e;
        return;
    }
    if (n_entries == cap_entries) {
        size_t cap = cap_entries ? 2 * cap_entries : 256;
        struct entry *p = realloc(entries, cap * sizeof(*p));
        if (!p) {
            free(e->path);
            return;
        }
        entries = p, cap_entries = cap;
    }
    entries[n_entries++] = *e;
    *slot = n_entries;
}

/* "N " at *s; advances past the space. */
static bool parse_num(char **s, unsigned long long *out)
{
    char *end;
    errno = 0;
    *out = strtoull(*s, &end, 10);
    if (end == *s || *end != ' ' || errno)
        return false;
    *s = end + 1;
    return true;
}

static bool parse_line(char *line, struct entry *e)
{
    char *s = line;
    if (!parse_num(&s, &e->dev) || !parse_num(&s, &e->ino) || !parse_num(&s, &e->size) ||
        !parse_num(&s, &e->mtime) || !parse_num(&s, &e->ctime) || strlen(s) < 66 ||
        !parse_hex(s, e->sha) || s[65] != '/')
        return false;
    e->used = false;
    e->path = strdup(s + 65);
    return e->path != NULL;
}

/* A line that does not parse is dropped: the cache only saves work. */
static void load(void)
{
    loaded = true;
    disabled = !locate();
    FILE *f = disabled ? NULL : fopen(cache_path, "r");
    char line[4096 + 200];
    while (f && n_entries < 2 * MAX_ENTRIES && fgets(line, sizeof(line), f)) {
        struct entry e;
        size_t len = strlen(line);
        if (len == 0 || line[len - 1] != '\n')
            continue;
        line[len - 1] = 0;
        if (parse_line(line, &e))
            add(&e);
    }
    if (f)
        fclose(f);
}

static bool same(const struct entry *e, const char *path, const struct stat *st)
{
    return e->ino == (unsigned long long)st->st_ino && e->dev == (unsigned long long)st->st_dev &&
           e->size == (unsigned long long)st->st_size && e->mtime == ns(&st->st_mtim) &&
           e->ctime == ns(&st->st_ctim) && !strcmp(e->path, path);
}

bool hash_cache_lookup(const char *path, const struct stat *st, uint8_t out[32])
{
    if (!loaded)
        load();
    if (disabled || !n_slots)
        return false;
    size_t i = *slot_of(path);
    if (!i || !same(&entries[i - 1], path, st))
        return false;
    memcpy(out, entries[i - 1].sha, 32);
    entries[i - 1].used = true;
    return true;
}

void hash_cache_store(const char *path, const struct stat *st, const uint8_t sha[32])
{
    if (!loaded)
        load();
    if (disabled || path[0] != '/' || strchr(path, '\n'))
        return;
    struct entry e = {.dev = st->st_dev, .ino = st->st_ino, .size = (unsigned long long)st->st_size,
                      .mtime = ns(&st->st_mtim), .ctime = ns(&st->st_ctim), .used = true,
                      .path = strdup(path)};
    if (!e.path)
        return;
    memcpy(e.sha, sha, 32);
    add(&e); /* a file hashed again (it changed) replaces its old line */
    dirty = true;
}

static void make_dirs(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", path);
    for (char *s = strchr(dir + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = 0;
        mkdir(dir, 0700);
        *s = '/';
    }
}

void hash_cache_flush(void)
{
    if (!dirty || disabled)
        return;
    dirty = false;
    char tmp[4096 + 32];
    snprintf(tmp, sizeof(tmp), "%s.%d", cache_path, (int)getpid());
    make_dirs(cache_path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return; /* no cache: the next run hashes again */
    bool trim = n_entries > MAX_ENTRIES;
    for (size_t i = 0; i < n_entries; i++) {
        const struct entry *e = &entries[i];
        if (trim && !e->used)
            continue;
        fprintf(f, "%llu %llu %llu %llu %llu ", e->dev, e->ino, e->size, e->mtime, e->ctime);
        for (int j = 0; j < 32; j++)
            fprintf(f, "%02x", e->sha[j]);
        fprintf(f, " %s\n", e->path);
    }
    if (fclose(f) != 0 || rename(tmp, cache_path) != 0)
        unlink(tmp);
}
