/* The trusted-file hash cache (hash_cache.h). One text file, one line per
 * host file: "DEV INO SIZE MTIME_NS CTIME_NS SHA256HEX PATH", sorted by
 * PATH (bytewise). A run maps the file and finds a path by binary search
 * over byte offsets (as look(1) does), reading only the lines it compares:
 * a run that looks up one file touches a few pages of a cache of
 * thousands. Entries this
 * run stores live in a small hash table; hash_cache_flush, when something
 * was stored, merges both and rewrites the file sorted (temporary file +
 * rename). A file that is not sorted (written by an older Geode, or by
 * hand) only misses: a line is used only when its path and the file's
 * identity match, and the next flush sorts it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "manifest/hash_cache.h"
#include "manifest/cache_path.h"

/* Beyond this many, a flush keeps only the entries this run used or
 * stored: files of runs long gone (test scratch files) do not pile up. */
#define MAX_ENTRIES 20000
/* A larger cache file is ignored (and replaced at the next flush). */
#define MAX_FILE_BYTES (64u << 20)

struct entry {
    unsigned long long dev, ino, size, mtime, ctime;
    uint8_t sha[32];
    bool used;  /* looked up or stored by this run */
    bool owned; /* path is a copy the flush made (not the stored table's) */
    char *path;
};

/* The file, mapped (not NUL-terminated), and the offsets of the lines this
 * run used (for the flush's trim). */
static const char *map;
static size_t map_len;
static size_t *used_at;
static size_t n_used, cap_used;

#define MAX_LINE (4096 + 200)

/* Entries stored by this run, indexed by path (open addressing: slot ->
 * entry index + 1, 0 empty). */
static struct entry *stored;
static size_t n_stored, cap_stored;
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
    return geode_cache_path("GEODE_HASH_CACHE", "trusted-hashes", cache_path, sizeof(cache_path)) == 0;
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

/* The PATH field of a line: after the sixth space ("" when malformed). */
static const char *path_of(const char *line)
{
    const char *s = line;
    for (int i = 0; i < 6; i++) {
        s = strchr(s, ' ');
        if (!s)
            return "";
        s++;
    }
    return s;
}

/* "N " at *s; advances past the space. */
static bool parse_num(const char **s, unsigned long long *out)
{
    char *end;
    errno = 0;
    *out = strtoull(*s, &end, 10);
    if (end == *s || *end != ' ' || errno)
        return false;
    *s = end + 1;
    return true;
}

/* e's fields from line; e->path points into the line (not owned). */
static bool parse_line(const char *line, struct entry *e)
{
    const char *s = line;
    if (!parse_num(&s, &e->dev) || !parse_num(&s, &e->ino) || !parse_num(&s, &e->size) ||
        !parse_num(&s, &e->mtime) || !parse_num(&s, &e->ctime) || strlen(s) < 66 ||
        !parse_hex(s, e->sha) || s[65] != '/')
        return false;
    e->used = e->owned = false;
    e->path = (char *)s + 65;
    return true;
}

/* Maps the file. Any failure leaves an empty cache: it only saves work. */
static void load(void)
{
    loaded = true;
    disabled = !locate();
    int fd = disabled ? -1 : open(cache_path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0 && st.st_size <= MAX_FILE_BYTES) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p != MAP_FAILED)
            map = p, map_len = (size_t)st.st_size;
    }
    if (fd >= 0)
        close(fd);
}

/* The line starting at offset `at` of the map, copied NUL-terminated into
 * out (MAX_LINE bytes); its end (the offset past its newline) in *next.
 * false for a partial last line or one too long to be an entry. */
static bool line_at(size_t at, char *out, size_t *next)
{
    const char *nl = memchr(map + at, '\n', map_len - at);
    size_t len = nl ? (size_t)(nl - (map + at)) : 0;
    *next = nl ? at + len + 1 : map_len;
    if (!nl || len >= MAX_LINE)
        return false;
    memcpy(out, map + at, len);
    out[len] = 0;
    return true;
}

static size_t path_hash(const char *s)
{
    size_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* The slot of path among the stored entries: its entry's, or the empty
 * one where it would go. */
static size_t *slot_of(const char *path)
{
    size_t i = path_hash(path) & (n_slots - 1);
    while (slots[i] && strcmp(stored[slots[i] - 1].path, path))
        i = (i + 1) & (n_slots - 1);
    return &slots[i];
}

static bool reindex(size_t want)
{
    size_t n = 64;
    while (n < 2 * want)
        n *= 2;
    size_t *s = calloc(n, sizeof(*s));
    if (!s)
        return false;
    free(slots);
    slots = s, n_slots = n;
    for (size_t i = 0; i < n_stored; i++)
        *slot_of(stored[i].path) = i + 1;
    return true;
}

/* The offset of path's line in the sorted file, or -1; its text in line.
 * [lo, hi) always holds whole lines: lo is a line's start. */
static long find_line(const char *path, char *line)
{
    size_t lo = 0, hi = map_len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2, start = mid, next;
        while (start > lo && map[start - 1] != '\n')
            start--;
        if (!line_at(start, line, &next)) {
            if (next >= hi) /* the last line is partial: search before it */
                hi = start;
            else
                lo = next; /* an over-long line sorts nowhere: skip it */
            continue;
        }
        int c = strcmp(path_of(line), path);
        if (c == 0)
            return (long)start;
        if (c < 0)
            lo = next;
        else
            hi = start;
    }
    return -1;
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
    if (disabled)
        return false;
    if (n_slots) {
        size_t i = *slot_of(path);
        if (i) { /* stored by this run: it is the newest word on the file */
            if (!same(&stored[i - 1], path, st))
                return false;
            memcpy(out, stored[i - 1].sha, 32);
            stored[i - 1].used = true;
            return true;
        }
    }
    char line[MAX_LINE];
    long at = find_line(path, line);
    struct entry e;
    if (at < 0 || !parse_line(line, &e) || !same(&e, path, st))
        return false;
    memcpy(out, e.sha, 32);
    if (n_used == cap_used) { /* only the trim needs it: best effort */
        size_t cap = cap_used ? 2 * cap_used : 64, *p = realloc(used_at, cap * sizeof(*p));
        if (p)
            used_at = p, cap_used = cap;
    }
    if (n_used < cap_used)
        used_at[n_used++] = (size_t)at;
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
    if ((n_stored + 1) * 2 > n_slots && !reindex(n_stored + 1)) {
        free(e.path);
        return;
    }
    size_t *slot = slot_of(e.path);
    if (*slot) { /* hashed again (it changed): replaces the older entry */
        free(stored[*slot - 1].path);
        stored[*slot - 1] = e;
    } else {
        if (n_stored == cap_stored) {
            size_t cap = cap_stored ? 2 * cap_stored : 64;
            struct entry *p = realloc(stored, cap * sizeof(*p));
            if (!p) {
                free(e.path);
                return;
            }
            stored = p, cap_stored = cap;
        }
        stored[n_stored++] = e;
        *slot = n_stored;
    }
    dirty = true;
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->path, ((const struct entry *)b)->path);
}

static int by_offset(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

void hash_cache_flush(void)
{
    if (!dirty || disabled)
        return;
    dirty = false;
    /* Every entry: the file's lines that parse and that this run did not
     * store again, then the stored ones; sorted, duplicates dropped. */
    size_t n = 0, cap = n_stored + 64, u = 0;
    struct entry *all = malloc(cap * sizeof(*all));
    char line[MAX_LINE];
    /* The used offsets in file order, walked beside the lines. */
    if (n_used)
        qsort(used_at, n_used, sizeof(*used_at), by_offset);
    for (size_t at = 0, next; all && at < map_len; at = next) {
        struct entry e;
        if (!line_at(at, line, &next) || !parse_line(line, &e) || (n_slots && *slot_of(e.path)))
            continue;
        if (n == cap) {
            struct entry *p = realloc(all, 2 * cap * sizeof(*all));
            if (!p)
                break;
            all = p, cap *= 2;
        }
        while (u < n_used && used_at[u] < at)
            u++;
        e.used = u < n_used && used_at[u] == at;
        e.owned = true;
        if (!(e.path = strdup(e.path)))
            break;
        all[n++] = e;
    }
    if (!all || n + n_stored > cap) {
        struct entry *p = all ? realloc(all, (n + n_stored) * sizeof(*all)) : NULL;
        if (!p) {
            for (size_t i = 0; all && i < n; i++)
                free(all[i].path);
            free(all);
            return;
        }
        all = p;
    }
    if (n_stored)
        memcpy(all + n, stored, n_stored * sizeof(*all));
    n += n_stored;
    qsort(all, n, sizeof(*all), by_path);
    bool trim = n > MAX_ENTRIES;
    char tmp[4096 + 32];
    snprintf(tmp, sizeof(tmp), "%s.%d", cache_path, (int)getpid());
    geode_make_parent_dirs(cache_path);
    FILE *f = fopen(tmp, "w");
    for (size_t i = 0; f && i < n; i++) {
        const struct entry *e = &all[i];
        if ((trim && !e->used) || (i > 0 && !strcmp(all[i - 1].path, e->path)))
            continue;
        fprintf(f, "%llu %llu %llu %llu %llu ", e->dev, e->ino, e->size, e->mtime, e->ctime);
        for (int j = 0; j < 32; j++)
            fprintf(f, "%02x", e->sha[j]);
        fprintf(f, " %s\n", e->path);
    }
    for (size_t i = 0; i < n; i++)
        if (all[i].owned)
            free(all[i].path);
    free(all);
    if (!f)
        return; /* no cache: the next run hashes again */
    if (fclose(f) != 0 || rename(tmp, cache_path) != 0)
        unlink(tmp);
}
