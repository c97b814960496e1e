/* Exercises files through the libOS: create, write, stat, read back,
 * lseek, directory listing, rename, unlink, getcwd, /dev devices, an
 * unknown syscall (ENOSYS) and the program's exit status. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int failures;
#define EXPECT(cond, what) \
    do { if (!(cond)) { printf("FAIL %s (errno %d)\n", what, errno); failures++; } \
         else printf("pass %s\n", what); } while (0)

static void file_roundtrip(const char *dir)
{
    char path[512], path2[512], buf[64];
    snprintf(path, sizeof(path), "%s/a.txt", dir);
    snprintf(path2, sizeof(path2), "%s/b.txt", dir);
    int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
    EXPECT(fd >= 0, "open O_CREAT");
    EXPECT(write(fd, "hello world", 11) == 11, "write");
    struct stat st;
    EXPECT(fstat(fd, &st) == 0 && st.st_size == 11, "fstat size");
    EXPECT(lseek(fd, 6, SEEK_SET) == 6, "lseek");
    memset(buf, 0, sizeof(buf));
    EXPECT(read(fd, buf, sizeof(buf)) == 5 && !strcmp(buf, "world"), "read back");
    EXPECT(pread(fd, buf, 5, 0) == 5 && !memcmp(buf, "hello", 5), "pread");
    close(fd);
    EXPECT(rename(path, path2) == 0, "rename");
    EXPECT(stat(path, &st) < 0 && errno == ENOENT, "stat of old name fails");
    EXPECT(unlink(path2) == 0, "unlink");
}

static void dir_listing(const char *dir)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/sub", dir);
    EXPECT(mkdir(path, 0755) == 0, "mkdir");
    DIR *d = opendir(dir);
    int found = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        found |= !strcmp(e->d_name, "sub");
    if (d)
        closedir(d);
    EXPECT(found, "readdir finds sub");
    EXPECT(chdir(path) == 0, "chdir");
    char cwd[512];
    EXPECT(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, path), "getcwd");
    EXPECT(chdir("..") == 0 && rmdir("sub") == 0, "relative rmdir");
}

static void devices(void)
{
    char buf[16] = {1};
    int fd = open("/dev/zero", O_RDONLY);
    EXPECT(fd >= 0 && read(fd, buf, 16) == 16 && buf[0] == 0 && buf[15] == 0, "/dev/zero");
    close(fd);
    fd = open("/dev/null", O_WRONLY);
    EXPECT(fd >= 0 && write(fd, "x", 1) == 1, "/dev/null");
    close(fd);
    fd = open("/dev/urandom", O_RDONLY);
    EXPECT(fd >= 0 && read(fd, buf, 16) == 16, "/dev/urandom");
    close(fd);
    int p[2];
    EXPECT(pipe(p) == 0 && write(p[1], "pq", 2) == 2 && read(p[0], buf, 2) == 2 &&
           buf[0] == 'p', "pipe");
    EXPECT(dup2(p[0], 10) == 10 && fcntl(10, F_GETFD) == 0, "dup2");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        printf("usage: fileops DIR\n");
        return 2;
    }
    file_roundtrip(argv[1]);
    dir_listing(argv[1]);
    devices();
    errno = 0;
    EXPECT(syscall(333 /* io_pgetevents */, 0, 0, 0, 0, 0, 0) < 0 && errno == ENOSYS,
           "unknown syscall gives ENOSYS");
    printf("failures=%d\n", failures);
    return failures ? 1 : 42;
}
