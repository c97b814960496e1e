// modes: direct sim
/* A symlink to a directory as the last component (path_resolution(7),
 * open(2)): open with O_DIRECTORY follows it (opendir of a symlinked
 * directory, os.walk(followlinks=True)), relative and absolute targets,
 * a chain of two, through a directory fd; O_NOFOLLOW|O_DIRECTORY on it is
 * ENOTDIR, O_NOFOLLOW alone ELOOP; a symlink to a file with O_DIRECTORY is
 * ENOTDIR; a dangling one ENOENT. */
#include "conf.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

static void try_open(const char *what, int dirfd, const char *p, int flags)
{
    int fd = openat(dirfd, p, flags);
    if (fd < 0) {
        say("%s: -1 %s\n", what, ename(errno));
        return;
    }
    struct stat st;
    fstat(fd, &st);
    say("%s: ok, %s\n", what,
        S_ISDIR(st.st_mode)   ? "dir"
        : S_ISLNK(st.st_mode) ? "symlink"
                              : "file");
    close(fd);
}

static void list(const char *what, const char *p)
{
    DIR *d = opendir(p);
    int n = 0, f = 0;
    struct dirent *e;
    if (!d) {
        say("%s: opendir -1 %s\n", what, ename(errno));
        return;
    }
    while ((e = readdir(d)))
        n++, f += !strcmp(e->d_name, "f");
    closedir(d);
    say("%s: %d entries, f %s\n", what, n, f ? "there" : "missing");
}

int main(int argc, char **argv)
{
    char abs[PATH_MAX];
    if (argc < 2 || chdir(argv[1]) || !getcwd(abs, sizeof(abs) - 16))
        return 2;
    int f;
    if (mkdir("d", 0755) || (f = open("d/f", O_RDWR | O_CREAT, 0644)) < 0)
        return 1;
    close(f);
    strcat(abs, "/d");
    chk("symlink rel -> d", symlink("d", "rel"));
    chk("symlink abs -> /.../d", symlink(abs, "absl"));
    chk("symlink chain -> rel", symlink("rel", "chain"));
    chk("symlink file -> d/f", symlink("d/f", "tofile"));
    chk("symlink dangling", symlink("nowhere", "dangling"));
    int here = open(".", O_RDONLY | O_DIRECTORY);

    const char *names[] = {"rel", "absl", "chain", "tofile", "dangling"};
    for (int i = 0; i < 5; i++) {
        char w[80];
        snprintf(w, sizeof(w), "%s O_DIRECTORY", names[i]);
        try_open(w, AT_FDCWD, names[i], O_RDONLY | O_DIRECTORY);
        snprintf(w, sizeof(w), "%s O_DIRECTORY|O_CLOEXEC at a dirfd", names[i]);
        try_open(w, here, names[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        snprintf(w, sizeof(w), "%s O_DIRECTORY|O_NOFOLLOW", names[i]);
        try_open(w, AT_FDCWD, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        snprintf(w, sizeof(w), "%s O_NOFOLLOW", names[i]);
        try_open(w, AT_FDCWD, names[i], O_RDONLY | O_NOFOLLOW);
        snprintf(w, sizeof(w), "%s plain", names[i]);
        try_open(w, AT_FDCWD, names[i], O_RDONLY);
    }
    try_open("rel/ O_DIRECTORY", AT_FDCWD, "rel/", O_RDONLY | O_DIRECTORY);
    try_open("tofile/ plain", AT_FDCWD, "tofile/", O_RDONLY);
    list("opendir rel", "rel");
    list("opendir absl", "absl");
    list("opendir chain", "chain");
    list("opendir chain/", "chain/");
    list("opendir tofile", "tofile");
    return 0;
}
