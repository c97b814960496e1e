#!/usr/bin/env bash
# geode doctor: runs, exits 0, and its verdicts agree with what the kernel
# itself says about this machine (/proc/cpuinfo flags, /dev/sgx_enclave),
# so the test stays right on SGX hardware too. --json must parse.
set -u
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; }
check() { if eval "$2"; then ok "$1"; else nok "$1"; fi; }
PY=/usr/bin/python3

"$GEODE" doctor >"$T/out" 2>"$T/err"; rc=$?
check "doctor exits 0 (at least one mode works)" "[ $rc -eq 0 ]"
check "every line is a check or the modes summary" \
    "! grep -Ev '^(\[ ok \]|\[ no \]|\[warn\]) .+: .+|^modes:( [a-z]+)+$' $T/out | grep -q ."
check "last line is the modes summary" "tail -1 $T/out | grep -q '^modes: '"
check "nothing on stderr" "[ ! -s $T/err ]"

# What the kernel reports. The in-tree driver only creates /dev/sgx_enclave
# on CPUs with SGX and flexible launch control, and a kernel with the driver
# has the vDSO entry, so both present means the sgx mode should work.
cpu_sgx=no; grep -qw sgx /proc/cpuinfo && cpu_sgx=yes
sgx_expected=no; [ $cpu_sgx = yes ] && [ -c /dev/sgx_enclave ] && sgx_expected=yes
modes=$(tail -1 "$T/out")
has_mode() { [[ " ${modes#modes:} " == *" $1 "* ]]; }
if [ $cpu_sgx = no ]; then
    check "no SGX reported with the CPUID reason" \
        "grep -qF '[ no ] CPU has no SGX: CPUID.7.0:EBX[2] = 0 (' $T/out"
else
    check "SGX CPU reported as such" "grep -qF '[ ok ] CPU supports SGX: CPUID.7.0:EBX[2] = 1' $T/out"
fi
if [ $sgx_expected = yes ]; then
    check "sgx mode available (cpuinfo has sgx, /dev/sgx_enclave exists)" "has_mode sgx"
else
    check "sgx mode not available (cpuinfo sgx=$cpu_sgx, /dev/sgx_enclave absent or unusable)" \
        "! has_mode sgx && grep -q '^\[ no \] mode sgx: missing ' $T/out"
fi
check "/dev/sgx_enclave verdict matches the file system" \
    "if [ -c /dev/sgx_enclave ]; then grep -q '^\[ ok \] /dev/sgx_enclave: present' $T/out; \
     else grep -q '^\[ no \] /dev/sgx_enclave: absent' $T/out; fi"
# FSGSBASE: the kernel's own word is AT_HWCAP2 bit 1. Without it the sim
# still works where the instructions run (bases through arch_prctl).
hwcap2=$(LD_SHOW_AUXV=1 /bin/true | awk '/^AT_HWCAP2:/ {print $2}')
fs_hidden=false
case ",${GEODE_TEST_HIDE_CAPS:-}," in *,fsgsbase,*) fs_hidden=true ;; esac
if [ -n "$hwcap2" ] && [ $((hwcap2 & 2)) -ne 0 ] && ! $fs_hidden; then
    check "FSGSBASE verdict matches AT_HWCAP2 ($hwcap2): enabled" "grep -q '^\[ ok \] FSGSBASE: enabled' $T/out"
else
    check "FSGSBASE verdict matches AT_HWCAP2 (${hwcap2:-none}): not enabled" \
        "grep -Eq '^(\[warn\] FSGSBASE: instructions run|\[ no \] FSGSBASE: not usable)' $T/out"
fi
if grep -q '^\[ no \] FSGSBASE' "$T/out"; then
    check "sim mode unavailable without the FSGSBASE instructions" "! has_mode sim"
else
    check "sim mode available" "has_mode sim"
fi
check "direct mode available" "has_mode direct"
check "Syscall User Dispatch tested for real" \
    "grep -q '^\[ ok \] Syscall User Dispatch: works: .*trapped getppid' $T/out"

"$GEODE" doctor --json >"$T/json" 2>"$T/err"; rc=$?
check "--json exits 0" "[ $rc -eq 0 ]"
cat >"$T/check.py" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
sgx_expected = sys.argv[2] == "yes"
assert all(c["status"] in ("ok", "no", "warn") and c["reason"] for c in d["checks"]), "check fields"
names = {c["name"] for c in d["checks"]}
for n in ("cpu", "sgx-cpu", "sgx1", "sgx2", "edeccssa", "aexnotify", "flc", "sgx-enclave",
          "vdso-sgx", "kernel", "sud", "seccomp", "fsgsbase", "pku", "tsc-trap", "userfaultfd"):
    assert n in names, "missing check " + n
m = d["modes"]
caps = d["caps"]
for n in ("fsgsbase", "fsgsbase_insn", "pku", "tsc_trap"):
    c = caps[n]
    assert c["have"] == (c["real"] and not c["hidden"]), "caps." + n
assert m["sim"]["available"] == caps["fsgsbase_insn"]["have"], "sim mode follows the FSGSBASE instructions"
assert m["direct"]["available"], "direct"
st = {c["name"]: c["status"] for c in d["checks"]}
assert (st["pku"] == "ok") == caps["pku"]["have"] and (st["tsc-trap"] == "ok") == caps["tsc_trap"]["have"], "pku/tsc"
assert m["sgx"]["available"] == sgx_expected, "sgx mode"
assert d["available"] == [k for k in ("sgx", "sim", "direct") if m[k]["available"]], "list"
PYEOF
check "--json parses and agrees with the machine" "$PY $T/check.py $T/json $sgx_expected"
check "text and JSON agree on the modes" \
    "[ \"\$($PY -c 'import json,sys; print(\"modes: \" + \" \".join(json.load(open(sys.argv[1]))[\"available\"]))' $T/json)\" = \"$modes\" ]"

"$GEODE" doctor --help >"$T/out" 2>&1; rc=$?
check "--help exits 0 with usage" "[ $rc -eq 0 ] && grep -q '^usage: geode doctor' $T/out"
"$GEODE" doctor --frobnicate >"$T/out" 2>"$T/err"; rc=$?
check "unknown option exits 2 with one line" \
    "[ $rc -eq 2 ] && [ \$(wc -l <$T/err) -eq 1 ] && grep -q \"unknown option '--frobnicate'\" $T/err && [ ! -s $T/out ]"

# The test hook (host_caps.h): every capability can be hidden, and what is
# hidden is what doctor, the JSON caps and geode run all see.
GEODE_TEST_HIDE_CAPS=fsgsbase,pku,tsc_trap "$GEODE" doctor --json >"$T/hj" 2>&1
check "hook: hidden capabilities reported absent and hidden" \
    "$PY -c 'import json,sys; c=json.load(open(sys.argv[1]))[\"caps\"]; assert all(not c[n][\"have\"] and c[n][\"hidden\"] for n in (\"fsgsbase\",\"pku\",\"tsc_trap\"))' $T/hj"
GEODE_TEST_HIDE_CAPS=fsgsbase_insn,fsgsbase "$GEODE" doctor >"$T/h2" 2>&1
check "hook: without the FSGSBASE instructions, no sim mode" \
    "grep -q '^\[ no \] mode sim: missing RDFSBASE/WRFSBASE' $T/h2 && ! tail -1 $T/h2 | grep -qw sim"
printf 'libos.entrypoint = "/bin/true"\n' >"$T/m.toml"
start=$SECONDS
GEODE_TEST_HIDE_CAPS=fsgsbase_insn,fsgsbase "$GEODE" run --mode sim "$T/m.toml" >"$T/o" 2>"$T/e"; rc=$?
check "hook: geode run --mode sim refuses at once with one line naming the feature" \
    "[ $rc -ne 0 ] && [ \$(wc -l <$T/e) -eq 1 ] && grep -q 'RDFSBASE/WRFSBASE.*--mode direct' $T/e && [ \$((SECONDS - start)) -lt 5 ]"
GEODE_TEST_HIDE_CAPS=fsgsbase,bogus "$GEODE" doctor >"$T/h3" 2>&1
check "hook: unknown names are reported" "grep -q 'unknown names: bogus' $T/h3"

# geode run without --mode: auto picks sgx where doctor says it works, else
# sim (said at debug level), else fails with doctor's verdicts; never direct.
printf 'libos.entrypoint = "/bin/busybox"\nloader.argv = ["busybox", "echo", "auto"]\nloader.log_level = "debug"\nsgx.trusted_files = ["file:/bin/busybox"]\n' >"$T/auto.toml"
want=$("$GEODE" doctor | tail -1)
pick=sim; grep -q '^modes:.* sgx' <<<"$want" && pick=sgx
if grep -qE '^modes:.* (sgx|sim)' <<<"$want"; then
    "$GEODE" run "$T/auto.toml" >"$T/o" 2>"$T/e"; rc=$?
    check "run without --mode: $pick, said at debug level, program runs" \
        "[ $rc -eq 0 ] && grep -qx auto $T/o && grep -q '^geode: mode auto: $pick (sgx: ' $T/e"
else
    skip "run without --mode picks an enclave mode (this host has neither sgx nor sim)"
fi
GEODE_TEST_HIDE_CAPS=fsgsbase_insn,fsgsbase "$GEODE" run "$T/auto.toml" >"$T/o" 2>"$T/e"; rc=$?
if grep -q '^modes:.* sgx' <<<"$want"; then
    skip "run without --mode and no sim: this host has sgx"
else
    check "run without --mode where no enclave mode works: exit 1, one line with doctor's verdicts" \
        "[ $rc -eq 1 ] && [ \$(wc -l <$T/e) -eq 1 ] && grep -q 'mode auto: no enclave mode.*sim: missing RDFSBASE.*--mode direct' $T/e && [ ! -s $T/o ]"
fi
"$GEODE" run --mode bogus "$T/auto.toml" >"$T/o" 2>"$T/e"; rc=$?
check "an unknown --mode names the four modes" "[ $rc -eq 2 ] && grep -q 'auto, sgx, sim or direct' $T/e"
