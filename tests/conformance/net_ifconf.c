// modes: direct sim
/* SIOCGIFCONF (netdevice(7)): with no buffer, the bytes every interface
 * with an IPv4 address needs; with one, whole struct ifreq entries that
 * fit (name and address), ifc_len saying how many bytes; a buffer too
 * small for one entry gets none; a bad buffer is EFAULT. Java's
 * NetworkInterface and ifconfig list interfaces this way. */
#include "conf.h"
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static int ask(int s, void *buf, int len, const char *what)
{
    struct ifconf ic = {.ifc_len = len, .ifc_buf = buf};
    if (ioctl(s, SIOCGIFCONF, &ic) < 0) {
        say("%s: -1 %s\n", what, ename(errno));
        return -1;
    }
    say("%s: ifc_len %d (%d entries)\n", what, ic.ifc_len, ic.ifc_len / (int)sizeof(struct ifreq));
    return ic.ifc_len;
}

int main(void)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    say("struct ifreq: %zu bytes\n", sizeof(struct ifreq));
    int need = ask(s, NULL, 0, "size asked");
    if (need <= 0)
        return 1;
    say("a whole number of entries: %d\n", need % (int)sizeof(struct ifreq) == 0);
    struct ifreq *all = calloc(1, (size_t)need + sizeof(struct ifreq));
    int got = ask(s, all, need + (int)sizeof(struct ifreq) - 1, "room for all and a part");
    int lo = 0;
    for (int i = 0; got > 0 && i < got / (int)sizeof(struct ifreq); i++) {
        struct sockaddr_in *a = (struct sockaddr_in *)&all[i].ifr_addr;
        say("  %s family %d %s\n", all[i].ifr_name, a->sin_family, inet_ntoa(a->sin_addr));
        lo |= !strcmp(all[i].ifr_name, "lo") && a->sin_addr.s_addr == htonl(INADDR_LOOPBACK);
    }
    say("lo with 127.0.0.1 listed: %d\n", lo);
    struct ifreq one[2];
    memset(one, 0x5a, sizeof(one));
    ask(s, one, (int)sizeof(struct ifreq), "room for one");
    say("the byte after it untouched: %d\n", ((unsigned char *)&one[1])[0] == 0x5a);
    ask(s, one, (int)sizeof(struct ifreq) - 1, "room for less than one");
    ask(s, one, -40, "a negative length");
    ask(s, (void *)16, need, "a bad buffer");
    int v = ioctl(s, SIOCGIFCONF, (void *)16);
    say("a bad struct ifconf: %d %s\n", v, v < 0 ? ename(errno) : "");
    int fd = open("/", O_RDONLY | O_DIRECTORY);
    struct ifconf ic = {.ifc_len = need, .ifc_buf = (char *)all};
    v = ioctl(fd, SIOCGIFCONF, &ic);
    say("on a directory: %d %s\n", v, v < 0 ? ename(errno) : "");
    free(all);
    return 0;
}
