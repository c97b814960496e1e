// modes: direct sim
/* Credentials (getuid(2), getresuid(2), getgroups(2), setuid(2)): the
 * real, effective and saved ids agree with what the process was started
 * with; setting them to themselves succeeds; getgroups counts its list. */
#include "conf.h"
#include <grp.h>

int main(void)
{
    uid_t r, e, s;
    gid_t gr, ge, gs;
    say("uid %d euid %d gid %d egid %d\n", (int)getuid(), (int)geteuid(), (int)getgid(),
        (int)getegid());
    chk("getresuid", getresuid(&r, &e, &s));
    say("resuid %d %d %d\n", (int)r, (int)e, (int)s);
    chk("getresgid", getresgid(&gr, &ge, &gs));
    say("resgid %d %d %d\n", (int)gr, (int)ge, (int)gs);
    int n = getgroups(0, NULL);
    gid_t list[256];
    say("getgroups(0) equals getgroups(list): %s\n",
        n >= 0 && getgroups(256, list) == n ? "yes" : "no");
    chk("setuid(getuid())", setuid(getuid()));
    chk("setgid(getgid())", setgid(getgid()));
    chk("seteuid(geteuid())", seteuid(geteuid()));
    chk("setresuid(-1, -1, -1)", setresuid(-1, -1, -1));
    chk("setreuid(-1, -1)", setreuid(-1, -1));
    chk("setuid(-1)", setuid(-1));
    return 0;
}
