/* Terminal queries on stdin (run under script(1), so that it is a tty):
 * TCGETS writes the kernel's 36-byte struct termios and TIOCGWINSZ an
 * 8-byte winsize, and not one byte more (glibc's tcgetattr passes exactly
 * a 36-byte buffer on its stack). Prints what it saw; exit 0. */
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

struct ktermios {
    unsigned int iflag, oflag, cflag, lflag;
    unsigned char line, cc[19];
};

int main(void)
{
    struct {
        struct ktermios t;
        unsigned char canary[32];
    } s;
    struct {
        unsigned short ws[4];
        unsigned char canary[32];
    } w;
    memset(&s, 0xAA, sizeof(s));
    memset(&w, 0xAA, sizeof(w));
    long r = syscall(SYS_ioctl, 0, 0x5401 /* TCGETS */, &s.t);
    int bad = 0;
    for (size_t i = 0; i < sizeof(s.canary); i++)
        bad += s.canary[i] != 0xAA;
    printf("TCGETS: %s, bytes written past 36: %d\n", r == 0 ? "ok" : "failed", bad);
    r = syscall(SYS_ioctl, 0, 0x5413 /* TIOCGWINSZ */, &w.ws);
    bad = 0;
    for (size_t i = 0; i < sizeof(w.canary); i++)
        bad += w.canary[i] != 0xAA;
    printf("TIOCGWINSZ: %s, bytes written past 8: %d\n", r == 0 ? "ok" : "failed", bad);
    printf("isatty: %s\n", isatty(0) ? "yes" : "no");
    return 0;
}
