#!/usr/bin/env bash
# The program sees the kernel's AT_HWCAP/AT_HWCAP2 (CPUID bits), not glibc's
# rewritten dl_hwcap, and /proc/cpuinfo's flags line comes from them.
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
native=$(LD_SHOW_AUXV=1 /bin/true | grep -E '^AT_HWCAP2?:' | tr -s ' ' | tr '\n' ' ')
printf 'libos.entrypoint = "/bin/true"\nloader.env.LD_SHOW_AUXV = "1"\n' >"$T/a.toml"
under=$("$GEODE" run --mode direct "$T/a.toml" 2>&1 | grep -E '^AT_HWCAP2?:' | tr -s ' ' | tr '\n' ' ')
[ -n "$native" ] && [ "$native" = "$under" ] && echo "ok - AT_HWCAP/AT_HWCAP2 equal to native ($under)" ||
    echo "not ok - AT_HWCAP/AT_HWCAP2: native '$native', under geode '$under'"
printf 'libos.entrypoint = "/bin/busybox"\nloader.argv = ["busybox", "grep", "-m1", "^flags", "/proc/cpuinfo"]\n' >"$T/c.toml"
flags=$("$GEODE" run --mode direct "$T/c.toml" 2>&1)
grep -q 'fpu.* sse2' <<<"$flags" && echo "ok - /proc/cpuinfo flags from AT_HWCAP ($flags)" ||
    echo "not ok - /proc/cpuinfo flags: '$flags'"
