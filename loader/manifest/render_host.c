/* What templates ask of the host (render_expr.c): python3's sysconfig
 * paths, an interpreter's sys.path, and ldd's list of libraries. These run
 * programs, as Gramine's gramine-manifest does; a branch not taken runs
 * nothing. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "manifest/render_expr.h"

/* Runs argv (searched in PATH) and returns its standard output, or NULL
 * when it cannot run or exits non-zero. */
static char *run_capture(char *const argv[])
{
    int fd[2];
    if (pipe(fd) < 0)
        return NULL;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fd[1]);
    size_t len = 0, cap = 4096;
    char *out = malloc(cap + 1);
    ssize_t n = 0;
    while (out && (n = read(fd[0], out + len, cap - len)) > 0) {
        len += (size_t)n;
        if (len == cap) {
            char *bigger = realloc(out, (cap *= 2) + 1);
            if (!bigger)
                free(out);
            out = bigger;
        }
    }
    close(fd[0]);
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        !out || n < 0) {
        free(out);
        return NULL;
    }
    out[len] = 0;
    return out;
}

/* gen_jinja_env.py's python.*: sysconfig's paths of the host's python3,
 * and distlib, Debian's /usr/lib/python3/dist-packages. Asked once. */
const char *rx_python_fact(struct rctx *c, size_t pos, const char *key)
{
    static const char script[] =
        "import sys, sysconfig\n"
        "for k, v in sysconfig.get_paths().items(): print(k + '\\t' + v)\n"
        "print('distlib\\t' + sysconfig.get_path('stdlib', vars={'py_version_short': "
        "str(sys.version_info[0])}) + '/dist-packages')\n"
        "print('ext_suffix\\t' + str(sysconfig.get_config_var('EXT_SUFFIX')))\n";
    if (!c->python) {
        char *argv[] = {"/usr/bin/python3", "-c", (char *)script, NULL};
        c->python = run_capture(argv);
        if (!c->python) {
            rx_error(c, pos, "python.%s: /usr/bin/python3 did not answer", key);
            c->python = rx_strndup("", 0);
            return NULL;
        }
    }
    size_t n = strlen(key);
    for (const char *l = c->python; *l; l = strchr(l, '\n') + 1) {
        if (!strncmp(l, key, n) && l[n] == '\t') {
            static char val[4096];
            size_t len = strcspn(l + n + 1, "\n");
            snprintf(val, sizeof(val), "%.*s", (int)len, l + n + 1);
            return val;
        }
        if (!strchr(l, '\n'))
            break;
    }
    return NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ldd(*executables): the libraries they load, each once, sorted. */
bool rx_ldd(struct rctx *c, size_t pos, struct rval *args, size_t nargs, struct rval *out)
{
    char *argv[MAX_ARGS + 2] = {"ldd"};
    for (size_t i = 0; i < nargs; i++) {
        if (args[i].k != RV_STR)
            return rx_error(c, pos, "ldd() takes paths"), false;
        argv[i + 1] = args[i].s;
    }
    char *text = run_capture(argv);
    if (!text)
        return rx_error(c, pos, "ldd() failed on its arguments"), false;
    *out = (struct rval){.k = RV_LIST};
    for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
        char a[4096], b[4096], d[4096];
        int n = sscanf(l, " %4095s %4095s %4095s", a, b, d);
        const char *lib = n >= 3 && !strcmp(b, "=>") && d[0] == '/'          ? d
                          : n >= 1 && a[0] == '/' && a[strlen(a) - 1] != ':' ? a
                                                                             : NULL;
        bool dup = false;
        for (size_t i = 0; lib && i < out->n; i++)
            dup |= !strcmp(out->items[i], lib);
        if (lib && !dup)
            rx_list_push(out, lib);
    }
    free(text);
    qsort(out->items, out->n, sizeof(char *), cmp_str);
    return true;
}

/* python.get_sys_path(interpreter): its sys.path entries that exist. */
bool rx_sys_path(struct rctx *c, size_t pos, struct rval *args, size_t nargs, struct rval *out)
{
    if (nargs != 1 || args[0].k != RV_STR)
        return rx_error(c, pos, "python.get_sys_path() takes the interpreter's path"), false;
    char *argv[] = {args[0].s, "-c", "import sys\nfor p in sys.path:\n  p and print(p)", NULL};
    char *text = run_capture(argv);
    if (!text)
        return rx_error(c, pos, "python.get_sys_path(): %s did not answer", args[0].s), false;
    *out = (struct rval){.k = RV_LIST};
    struct stat st;
    for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n"))
        if (stat(l, &st) == 0)
            rx_list_push(out, l);
    free(text);
    return true;
}
