/* The trusted-file hash cache (loader/manifest/hash_cache.c): each "run"
 * (load, lookups, stores, flush) is a forked child, as each `geode run` is
 * a process. Checks that a lookup answers only for the same path and file
 * identity, that the file is written sorted (binary search), that an
 * unsorted or damaged file only misses, and that a flush merges what the
 * file had with what the run stored. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "manifest/hash_cache.h"
#include "tap.h"

static char dir[] = "/tmp/geode-hc-XXXXXX";
static char cache[256];

static void path(char *out, const char *name)
{
    snprintf(out, 256, "%s/%s", dir, name);
}

static void make_file(const char *name, const char *text)
{
    char p[256];
    path(p, name);
    FILE *f = fopen(p, "w");
    fputs(text, f);
    fclose(f);
}

static struct stat stat_of(const char *name)
{
    char p[256];
    struct stat st;
    path(p, name);
    stat(p, &st);
    return st;
}

static void sha_of(const char *name, uint8_t sha[32])
{
    memset(sha, 0, 32);
    memcpy(sha, name, strlen(name) < 32 ? strlen(name) : 32); /* a stand-in digest */
}

/* Runs fn in a child (one geode run); returns its exit status. */
static int run(void (*fn)(void))
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        fn();
        fflush(stdout);
        _exit(tap_failed);
    }
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 99;
}

static bool lookup(const char *name, uint8_t out[32])
{
    char p[256];
    struct stat st = stat_of(name);
    path(p, name);
    return hash_cache_lookup(p, &st, out);
}

static void store(const char *name)
{
    char p[256];
    uint8_t sha[32];
    struct stat st = stat_of(name);
    path(p, name);
    sha_of(name, sha);
    hash_cache_store(p, &st, sha);
}

static bool hit(const char *name)
{
    uint8_t got[32], want[32];
    sha_of(name, want);
    return lookup(name, got) && !memcmp(got, want, 32);
}

static void run_store(void)
{
    uint8_t out[32];
    CHECK(!lookup("c", out), "empty cache: no answer");
    store("c"), store("a"), store("b");
    CHECK(hit("a") && hit("b") && hit("c"), "stored entries answer in the same run");
    hash_cache_flush();
}

static void run_hits(void)
{
    CHECK(hit("a") && hit("b") && hit("c"), "a later run finds all three in the file");
    uint8_t out[32];
    char p[256];
    struct stat st = stat_of("a");
    st.st_ino++;
    path(p, "a");
    CHECK(!hash_cache_lookup(p, &st, out), "another inode at the same path: no answer");
    st = stat_of("a");
    st.st_ctim.tv_nsec ^= 1;
    CHECK(!hash_cache_lookup(p, &st, out), "another ctime: no answer");
    path(p, "nothere");
    CHECK(!hash_cache_lookup(p, &st, out), "a path not in the file: no answer");
    hash_cache_flush(); /* nothing stored: the file stays as it is */
}

static void run_unsorted(void)
{
    /* Whatever the binary search finds in an unsorted file is right. */
    const char *names[] = {"a", "b", "c"};
    for (int i = 0; i < 3; i++) {
        uint8_t got[32], want[32];
        sha_of(names[i], want);
        if (lookup(names[i], got))
            CHECK(!memcmp(got, want, 32), "unsorted file: an answer for %s is its own", names[i]);
    }
    uint8_t out[32];
    CHECK(!lookup("d", out), "a damaged line gives no answer");
    store("d");
    hash_cache_flush();
}

static void run_after_merge(void)
{
    CHECK(hit("a") && hit("b") && hit("c") && hit("d"), "after the merge every entry answers");
}

static char *slurp(const char *p)
{
    static char text[8192];
    FILE *f = fopen(p, "r");
    size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
    if (f)
        fclose(f);
    text[n] = 0;
    return text;
}

/* The PATH fields of the file, in order, joined by ','. */
static void paths_in_file(char *out, size_t cap)
{
    char *text = slurp(cache), *save = NULL;
    out[0] = 0;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *slash = strrchr(line, '/');
        strncat(out, slash ? slash + 1 : "?", cap - strlen(out) - 2);
        strcat(out, ",");
    }
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    snprintf(cache, sizeof(cache), "%s/cache/trusted-hashes", dir);
    setenv("GEODE_HASH_CACHE", cache, 1);
    make_file("a", "aaa"), make_file("b", "bbb"), make_file("c", "ccc"), make_file("d", "ddd");

    CHECK(run(run_store) == 0, "run 1: store three entries");
    char order[256];
    paths_in_file(order, sizeof(order));
    CHECK(!strcmp(order, "a,b,c,"), "the file is sorted by path (%s)", order);

    struct stat before, after;
    stat(cache, &before);
    CHECK(run(run_hits) == 0, "run 2: lookups");
    stat(cache, &after);
    CHECK(before.st_ino == after.st_ino && before.st_mtim.tv_nsec == after.st_mtim.tv_nsec,
          "a run that stored nothing leaves the file alone");

    /* Reverse the lines, add a damaged line for d and a partial last line. */
    char *text = strdup(slurp(cache)), *lines[3], *save = NULL;
    int n = 0;
    for (char *l = strtok_r(text, "\n", &save); l && n < 3; l = strtok_r(NULL, "\n", &save))
        lines[n++] = l;
    struct stat sd = stat_of("d");
    FILE *f = fopen(cache, "w");
    for (int i = n - 1; i >= 0; i--)
        fprintf(f, "%s\n", lines[i]);
    fprintf(f, "%llu %llu 3 x 0 %064d %s/d\n", (unsigned long long)sd.st_dev,
            (unsigned long long)sd.st_ino, 0, dir);
    fprintf(f, "1 2 3 4 5 partial");
    fclose(f);
    free(text);
    CHECK(run(run_unsorted) == 0, "run 3: an unsorted, damaged file");
    paths_in_file(order, sizeof(order));
    CHECK(!strcmp(order, "a,b,c,d,"), "the merge rewrote it sorted, damage dropped (%s)", order);
    CHECK(run(run_after_merge) == 0, "run 4: lookups after the merge");

    setenv("GEODE_HASH_CACHE", "off", 1);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? TAP_DONE() : 1;
}
