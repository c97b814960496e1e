/* /dev/attestation from a program's side (tests/sgx/t_sim_attest.sh).
 *
 *   attest semantics          one line per operation: results and errnos
 *   attest targetinfo FILE    this enclave's my_target_info into FILE
 *   attest report TI RD OUT   REPORT for TARGETINFO file TI with report data
 *                             RD (hex, may be short) into OUT
 *   attest verify REPORT      writes REPORT to verify_report: "verify = 0"
 *                             or the errno's name
 *   attest quote RD OUT       the quote over report data RD (hex) into OUT
 *   attest mrenclave          MRENCLAVE of this enclave's own report */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define A "/dev/attestation/"

static const char *en(int e)
{
    static char buf[16];
    switch (e) {
    case ENOENT:
        return "ENOENT";
    case EACCES:
        return "EACCES";
    case EINVAL:
        return "EINVAL";
    case EPERM:
        return "EPERM";
    case ENOSYS:
        return "ENOSYS";
    case EISDIR:
        return "EISDIR";
    case ENOTDIR:
        return "ENOTDIR";
    case EEXIST:
        return "EEXIST";
    }
    snprintf(buf, sizeof(buf), "%d", e);
    return buf;
}

/* "N" or "-1 ENAME" */
static const char *res(long r)
{
    static char buf[64];
    if (r < 0)
        snprintf(buf, sizeof(buf), "-1 %s", en(errno));
    else
        snprintf(buf, sizeof(buf), "%ld", r);
    return buf;
}

static long put(const char *name, const void *buf, size_t len)
{
    int fd = open(name, O_WRONLY);
    if (fd < 0)
        return -1;
    long r = write(fd, buf, len);
    int e = errno;
    close(fd);
    errno = e;
    return r;
}

static long get(const char *name, void *buf, size_t len)
{
    int fd = open(name, O_RDONLY);
    if (fd < 0)
        return -1;
    long r = read(fd, buf, len);
    int e = errno;
    close(fd);
    errno = e;
    return r;
}

static int save(const char *path, const void *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, len, f) != len) {
        perror(path);
        return 1;
    }
    return fclose(f) ? 1 : 0;
}

static long load(const char *path, void *buf, size_t len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    long n = (long)fread(buf, 1, len, f);
    fclose(f);
    return n;
}

static size_t unhex(const char *h, unsigned char *out, size_t cap)
{
    size_t n = 0;
    unsigned v;
    while (n < cap && h[2 * n] && sscanf(h + 2 * n, "%2x", &v) == 1)
        out[n++] = (unsigned char)v;
    return n;
}

static void list(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char names[1024] = "";
    if (!d) {
        printf("ls %s: -1 %s\n", dir, en(errno));
        return;
    }
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            snprintf(names + strlen(names), sizeof(names) - strlen(names), " %s%s", e->d_name,
                     e->d_type == DT_DIR ? "/" : "");
    closedir(d);
    printf("ls %s:%s\n", dir, names);
}

static int semantics(void)
{
    char buf[8192];
    unsigned char rd[64], ti[512], rep[432];
    struct stat st;
    long r;
    int fd;

    r = get(A "attestation_type", buf, sizeof(buf) - 1);
    buf[r > 0 ? r : 0] = 0;
    printf("attestation_type: %s \"%s\"\n", res(r), r > 0 ? buf : "");
    list("/dev/attestation");
    list("/dev/attestation/keys");
    printf("stat report: %s", res(stat(A "report", &st)));
    printf(" mode %o\n", st.st_mode);
    printf("stat user_report_data mode: %o\n", stat(A "user_report_data", &st) ? 0 : st.st_mode);
    printf("open nofile: %s\n", res(open(A "nofile", O_RDONLY)));
    printf("open my_target_info O_WRONLY: %s\n", res(open(A "my_target_info", O_WRONLY)));
    printf("open report O_RDWR: %s\n", res(open(A "report", O_RDWR)));
    printf("open user_report_data O_DIRECTORY: %s\n",
           res(open(A "user_report_data", O_RDONLY | O_DIRECTORY)));
    printf("open keys O_WRONLY: %s\n", res(open(A "keys", O_WRONLY)));
    printf("open keys/nokey: %s\n", res(open(A "keys/nokey", O_RDWR)));
    printf("access report R_OK: %s W_OK: ", res(access(A "report", R_OK)));
    printf("%s\n", res(access(A "report", W_OK)));
    printf("access nofile: %s\n", res(access(A "nofile", F_OK)));

    /* user_report_data: a fresh handle reads empty; a write is the value */
    fd = open(A "user_report_data", O_RDWR);
    printf("user_report_data fresh read: %s\n", res(read(fd, buf, 100)));
    for (int i = 0; i < 64; i++)
        rd[i] = (unsigned char)(0xa0 + i);
    printf("user_report_data write 64: %s\n", res(write(fd, rd, 64)));
    printf("user_report_data read at end: %s\n", res(read(fd, buf, 100)));
    printf("user_report_data lseek 0: %s\n", res(lseek(fd, 0, SEEK_SET)));
    r = read(fd, buf, 100);
    printf("user_report_data read back: %s equal %d\n", res(r), r == 64 && !memcmp(buf, rd, 64));
    printf("user_report_data write 100: %s\n", res(write(fd, buf, 100)));
    close(fd);
    printf("user_report_data write 10: %s\n", res(put(A "user_report_data", "0123456789", 10)));

    /* my_target_info: 512 bytes, pread and lseek within them */
    fd = open(A "my_target_info", O_RDONLY);
    r = read(fd, ti, sizeof(ti));
    printf("my_target_info read: %s\n", res(r));
    printf("my_target_info read at end: %s\n", res(read(fd, buf, 10)));
    printf("my_target_info pread 500: %s\n", res(pread(fd, buf, 100, 500)));
    printf("my_target_info lseek end: %s\n", res(lseek(fd, 0, SEEK_END)));
    printf("my_target_info lseek -1: %s\n", res(lseek(fd, -1, SEEK_SET)));
    printf("my_target_info write: %s\n", res(write(fd, "x", 1)));
    close(fd);
    printf("target_info write 512: %s\n", res(put(A "target_info", ti, 512)));

    /* the report carries the padded report data and verifies here */
    r = get(A "report", rep, sizeof(rep));
    memset(rd, 0, sizeof(rd));
    memcpy(rd, "0123456789", 10);
    printf("report read: %s report_data padded %d\n", res(r),
           r == 432 && !memcmp(rep + 320, rd, 64));
    printf("report 2nd read gives more: %s\n", res(get(A "report", buf, 1000)));
    printf("verify_report own: %s\n", res(put(A "verify_report", rep, 432)));
    printf("verify_report short: %s\n", res(put(A "verify_report", rep, 431)));
    rep[100] ^= 1;
    printf("verify_report flipped: %s\n", res(put(A "verify_report", rep, 432)));
    rep[100] ^= 1;
    rep[420] ^= 1;
    printf("verify_report flipped mac: %s\n", res(put(A "verify_report", rep, 432)));

    r = get(A "quote", buf, sizeof(buf));
    printf("quote read: %s body report_data %d\n", r > 0 ? "ok" : res(r),
           r > 436 && !memcmp(buf + 48 + 320, rd, 64));
    printf("keys/_sgx_mrenclave write: %s\n", res(put(A "keys/_sgx_mrenclave", rd, 16)));
    return 0;
}

int main(int argc, char **argv)
{
    unsigned char ti[512], rd[64] = {0}, rep[432];
    static char q[8192];
    long r;

    if (argc == 2 && !strcmp(argv[1], "semantics"))
        return semantics();
    if (argc == 3 && !strcmp(argv[1], "targetinfo"))
        return get(A "my_target_info", ti, sizeof(ti)) != 512 ? (perror("my_target_info"), 1)
                                                              : save(argv[2], ti, sizeof(ti));
    if (argc == 2 && !strcmp(argv[1], "mrenclave")) {
        if (get(A "my_target_info", ti, sizeof(ti)) != 512)
            return perror("my_target_info"), 1;
        for (int i = 0; i < 32; i++)
            printf("%02x", ti[i]);
        printf("\n");
        return 0;
    }
    if (argc == 5 && !strcmp(argv[1], "report")) {
        if (load(argv[2], ti, sizeof(ti)) != 512 || put(A "target_info", ti, 512) != 512)
            return perror("target_info"), 1;
        unhex(argv[3], rd, sizeof(rd));
        if (put(A "user_report_data", rd, 64) != 64 || get(A "report", rep, sizeof(rep)) != 432)
            return perror("report"), 1;
        return save(argv[4], rep, sizeof(rep));
    }
    if (argc == 3 && !strcmp(argv[1], "verify")) {
        if (load(argv[2], rep, sizeof(rep)) != 432)
            return 1;
        r = put(A "verify_report", rep, sizeof(rep));
        printf("verify = %s\n", r == 432 ? "0" : en(errno));
        return r == 432 ? 0 : 1;
    }
    if (argc == 4 && !strcmp(argv[1], "quote")) {
        unhex(argv[2], rd, sizeof(rd));
        if (put(A "user_report_data", rd, 64) != 64)
            return perror("user_report_data"), 1;
        r = get(A "quote", q, sizeof(q));
        if (r < 0)
            return perror("quote"), 1;
        return save(argv[3], q, (size_t)r);
    }
    fprintf(stderr, "usage: see tests/programs/attest.c\n");
    return 2;
}
