// modes: direct sim
/* Extended attributes of files in the scratch directory, from xattr(7),
 * setxattr(2), getxattr(2), listxattr(2), removexattr(2): the user.
 * namespace, XATTR_CREATE / XATTR_REPLACE, ENODATA, ERANGE for a small
 * buffer or a bad name, size queries, the l* calls on a symlink, the f*
 * calls on descriptors (EBADF on O_PATH). */
#include "conf.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>

static void get(const char *what, ssize_t n, const char *buf)
{
    if (n < 0)
        say("%s: -1 %s\n", what, ename(errno));
    else
        say("%s: %zd [%.*s]\n", what, n, (int)n, buf);
}

/* A list's names, sorted (the order of listxattr is the file system's). */
static void list(const char *what, ssize_t n, char *buf)
{
    if (n < 0) {
        say("%s: -1 %s\n", what, ename(errno));
        return;
    }
    const char *names[16];
    int k = 0;
    for (ssize_t off = 0; off < n && k < 16; off += strlen(buf + off) + 1)
        if (!strncmp(buf + off, "user.", 5)) /* others (security.*) depend on the host */
            names[k++] = buf + off;
    for (int i = 0; i < k; i++)
        for (int j = i + 1; j < k; j++)
            if (strcmp(names[j], names[i]) < 0) {
                const char *t = names[i];
                names[i] = names[j], names[j] = t;
            }
    say("%s:", what);
    for (int i = 0; i < k; i++)
        say(" %s", names[i]);
    say("\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || chdir(argv[1]))
        return 2;
    int f = open("f", O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (f < 0 || symlink("f", "sym") || mkdir("d", 0700))
        return 1;
    char buf[256];
    chk("setxattr user.a", setxattr("f", "user.a", "alpha", 5, 0));
    get("getxattr user.a", getxattr("f", "user.a", buf, sizeof(buf)), buf);
    val("getxattr user.a size query", getxattr("f", "user.a", NULL, 0));
    chk("getxattr user.a into 2 bytes", getxattr("f", "user.a", buf, 2));
    chk("getxattr user.missing", getxattr("f", "user.missing", buf, sizeof(buf)));
    chk("setxattr XATTR_CREATE on an existing name", setxattr("f", "user.a", "x", 1, XATTR_CREATE));
    chk("setxattr XATTR_REPLACE on a missing name", setxattr("f", "user.b", "x", 1, XATTR_REPLACE));
    chk("setxattr XATTR_REPLACE", setxattr("f", "user.a", "beta", 4, XATTR_REPLACE));
    get("getxattr user.a", getxattr("f", "user.a", buf, sizeof(buf)), buf);
    chk("setxattr XATTR_CREATE user.b, empty value", setxattr("f", "user.b", "", 0, XATTR_CREATE));
    get("getxattr user.b", getxattr("f", "user.b", buf, sizeof(buf)), buf);
    chk("setxattr bad flags", setxattr("f", "user.c", "x", 1, 4));
    chk("setxattr XATTR_CREATE|XATTR_REPLACE",
        setxattr("f", "user.c", "x", 1, XATTR_CREATE | XATTR_REPLACE));
    chk("setxattr an empty name", setxattr("f", "", "x", 1, 0));
    char longname[300];
    memset(longname, 'n', sizeof(longname) - 1);
    memcpy(longname, "user.", 5);
    longname[sizeof(longname) - 1] = 0;
    chk("setxattr a name of 299 bytes", setxattr("f", longname, "x", 1, 0));
    chk("setxattr an unknown namespace", setxattr("f", "bogus.a", "x", 1, 0));
    static char big[65537];
    chk("setxattr a value of 65537 bytes", setxattr("f", "user.big", big, sizeof(big), 0));
    chk("setxattr a missing file", setxattr("missing", "user.a", "x", 1, 0));
    chk("getxattr a bad name pointer", getxattr("f", BAD, buf, sizeof(buf)));

    list("listxattr", listxattr("f", buf, sizeof(buf)), buf);
    val("listxattr size query", listxattr("f", NULL, 0));
    chk("listxattr into 3 bytes", listxattr("f", buf, 3));
    list("listxattr of a new directory", listxattr("d", buf, sizeof(buf)), buf);
    chk("listxattr a missing file", listxattr("missing", buf, sizeof(buf)));

    get("getxattr through the symlink", getxattr("sym", "user.a", buf, sizeof(buf)), buf);
    chk("lgetxattr on the symlink", lgetxattr("sym", "user.a", buf, sizeof(buf)));
    chk("lsetxattr user.* on a symlink", lsetxattr("sym", "user.x", "x", 1, 0));
    list("llistxattr of the symlink", llistxattr("sym", buf, sizeof(buf)), buf);

    get("fgetxattr", fgetxattr(f, "user.a", buf, sizeof(buf)), buf);
    chk("fsetxattr user.c", fsetxattr(f, "user.c", "gamma", 5, 0));
    list("flistxattr", flistxattr(f, buf, sizeof(buf)), buf);
    chk("fremovexattr user.c", fremovexattr(f, "user.c"));
    chk("fremovexattr user.c again", fremovexattr(f, "user.c"));
    chk("fgetxattr a bad fd", fgetxattr(999, "user.a", buf, sizeof(buf)));
    int p = open("f", O_PATH);
    chk("fgetxattr an O_PATH fd", fgetxattr(p, "user.a", buf, sizeof(buf)));
    int ro = open("f", O_RDONLY);
    chk("fsetxattr on an O_RDONLY fd", fsetxattr(ro, "user.ro", "r", 1, 0));
    int pp[2];
    if (pipe(pp))
        return 1;
    chk("fgetxattr a pipe", fgetxattr(pp[0], "user.a", buf, sizeof(buf)));

    chk("removexattr user.b", removexattr("f", "user.b"));
    chk("removexattr user.b again", removexattr("f", "user.b"));
    chk("lremovexattr through nothing", lremovexattr("sym", "user.a"));
    list("listxattr at the end", listxattr("f", buf, sizeof(buf)), buf);
    return 0;
}
