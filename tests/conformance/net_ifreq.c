// modes: direct sim
/* A network interface by name and index (if_nametoindex, if_indextoname,
 * if_nameindex) and its struct ifreq queries on a socket (netdevice(7)):
 * the loopback interface, always index 1, its flags, MTU and address as
 * the host has them; an unknown name or index fails. */
#include "conf.h"
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static void ask(int s, unsigned long req, const char *what, const char *name)
{
    struct ifreq r;
    memset(&r, 0, sizeof(r));
    snprintf(r.ifr_name, sizeof(r.ifr_name), "%s", name);
    int v = ioctl(s, req, &r);
    if (v < 0) {
        say("%s %s: -1 %s\n", what, name, ename(errno));
        return;
    }
    if (req == SIOCGIFFLAGS)
        say("%s %s: loopback %d\n", what, name, !!(r.ifr_flags & IFF_LOOPBACK));
    else if (req == SIOCGIFMTU)
        say("%s %s: %d\n", what, name, r.ifr_mtu);
    else if (req == SIOCGIFINDEX)
        say("%s %s: %d\n", what, name, r.ifr_ifindex);
    else if (req == SIOCGIFHWADDR)
        say("%s %s: family %d\n", what, name, r.ifr_hwaddr.sa_family);
    else
        say("%s %s: %s\n", what, name, inet_ntoa(((struct sockaddr_in *)&r.ifr_addr)->sin_addr));
}

int main(void)
{
    char name[IF_NAMESIZE];
    say("if_nametoindex lo: %u\n", if_nametoindex("lo"));
    say("if_nametoindex nosuch0: %u\n", if_nametoindex("nosuch0"));
    say("if_indextoname 1: %s\n", if_indextoname(1, name) ? name : ename(errno));
    errno = 0;
    say("if_indextoname 99999: %s\n", if_indextoname(99999, name) ? name : ename(errno));
    struct if_nameindex *ni = if_nameindex();
    int lo = 0;
    for (struct if_nameindex *p = ni; p && p->if_index; p++)
        lo |= p->if_index == 1 && !strcmp(p->if_name, "lo");
    say("if_nameindex lists lo as 1: %d\n", lo);
    if (ni)
        if_freenameindex(ni);
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ask(s, SIOCGIFINDEX, "SIOCGIFINDEX", "lo");
    ask(s, SIOCGIFFLAGS, "SIOCGIFFLAGS", "lo");
    ask(s, SIOCGIFMTU, "SIOCGIFMTU", "lo");
    ask(s, SIOCGIFADDR, "SIOCGIFADDR", "lo");
    ask(s, SIOCGIFNETMASK, "SIOCGIFNETMASK", "lo");
    ask(s, SIOCGIFHWADDR, "SIOCGIFHWADDR", "lo");
    ask(s, SIOCGIFFLAGS, "SIOCGIFFLAGS", "nosuch0");
    struct ifreq r;
    memset(&r, 0, sizeof(r));
    r.ifr_ifindex = 1;
    int v = ioctl(s, SIOCGIFNAME, &r);
    say("SIOCGIFNAME 1: %s\n", v < 0 ? ename(errno) : r.ifr_name);
    return 0;
}
