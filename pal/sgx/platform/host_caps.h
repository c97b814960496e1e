/* What this host's CPU and kernel offer the sim and the tests: the one place
 * that decides. `geode doctor`, `geode run`, the bench and the tests all ask
 * host_cap(); nothing else reads AT_HWCAP2 or probes these features.
 *
 * Test hook: GEODE_TEST_HIDE_CAPS is a comma-separated list of capability
 * names (host_cap_name) that host_cap() then reports absent, so a host that
 * has a feature can run every fallback path. Hiding never invents a feature:
 * a capability the host lacks stays absent. Hiding "fsgsbase" on a host whose
 * kernel does enable it also makes the sim behave as such a kernel does
 * (host_caps_emulate_base_loss), so that fallback is exercised for real. */
#ifndef GEODE_SGX_HOST_HOST_CAPS_H
#define GEODE_SGX_HOST_HOST_CAPS_H

#include <stdbool.h>

enum host_cap {
    /* The kernel enabled FSGSBASE (AT_HWCAP2 bit 1): a base written with
     * WRFSBASE/WRGSBASE in user mode survives context switches. */
    HOST_CAP_FSGSBASE,
    /* RDFSBASE/WRFSBASE execute in user mode without faulting. Without
     * HOST_CAP_FSGSBASE a written value is silently replaced by the base the
     * kernel saved from arch_prctl at the next context switch. */
    HOST_CAP_FSGSBASE_INSN,
    /* Protection keys usable: CPUID PKU and OSPKE, and pkey_alloc works. */
    HOST_CAP_PKU,
    /* prctl(PR_SET_TSC, PR_TSC_SIGSEGV) really makes RDTSC fault (it does
     * not under some hypervisors). */
    HOST_CAP_TSC_TRAP,
    HOST_CAP_COUNT
};

/* Probed once on first use (a forked child for the probes that may fault),
 * then cached; thread-safe. */
bool host_cap(enum host_cap cap);

/* The probe's own answer, ignoring GEODE_TEST_HIDE_CAPS. */
bool host_cap_real(enum host_cap cap);

/* Hidden by GEODE_TEST_HIDE_CAPS. */
bool host_cap_hidden(enum host_cap cap);

/* "fsgsbase", "fsgsbase_insn", "pku", "tsc_trap". */
const char *host_cap_name(enum host_cap cap);

/* One line of evidence for the answer (static storage). */
const char *host_cap_why(enum host_cap cap);

/* Unknown names in GEODE_TEST_HIDE_CAPS, comma-separated ("" when none):
 * callers that take the variable from a user report them. */
const char *host_caps_bad_hide(void);

/* The sim switches FS/GS with arch_prctl instead of the FSGSBASE
 * instructions, and tells enclaves that their own base writes must be made
 * durable (docs/sim.md "FS and GS bases"). */
bool host_caps_bases_volatile(void);

/* Test hook only: the kernel really keeps written bases, but FSGSBASE is
 * hidden, so the sim itself drops unsynced base writes as such a kernel
 * would at a context switch. */
bool host_caps_emulate_base_loss(void);

/* Why the sim cannot run on this host, or NULL when it can (one line naming
 * the missing feature and what to use instead). */
const char *host_caps_sim_refusal(void);

#endif
