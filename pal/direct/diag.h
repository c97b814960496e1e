/* The runtime's own diagnostic descriptor (pal_misc.c), shared by the
 * direct PAL and the SGX host runtime: a copy of the standard error geode
 * started with, also behind glibc's stderr once geode_diag_init ran (both
 * runtimes call it before the program runs). The program's descriptor 2 is
 * the program's: after it closes or replaces it, host descriptor 2 may be
 * one of its pipes or sockets, which geode's lines must never reach. */
#ifndef GEODE_PAL_DIRECT_DIAG_H
#define GEODE_PAL_DIRECT_DIAG_H

extern int geode_diag_fd;
void geode_diag_init(void);

#endif
