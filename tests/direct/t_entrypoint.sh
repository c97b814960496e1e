#!/usr/bin/env bash
# libos.entrypoint as execve takes a program: a "#!" script runs through its
# interpreter (direct and sim); what cannot run fails with one line naming
# the entrypoint and the errno by name.
. "$(dirname "$0")/lib.sh"

printf '#!/bin/busybox sh\necho "script $0 $1"\n' >"$TMP/s.sh"
chmod +x "$TMP/s.sh"
printf 'libos.entrypoint = "%s"\nloader.argv = ["s.sh", "arg"]\nsgx.trusted_files = ["file:%s", "file:/bin/busybox"]\n' \
    "$TMP/s.sh" "$TMP/s.sh" >"$TMP/s.toml"
run_direct "$TMP/s.toml"
check "direct: a #! script as entrypoint runs through its interpreter ($(cat "$TMP/out" "$TMP/err"))" \
    $([ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "script $TMP/s.sh arg" ]; echo $?)
sim_why=$(sim_unavailable)
if [ -n "$sim_why" ]; then
    skip "sim: a #! script as entrypoint (the sim cannot run on this host: $sim_why)"
else
timeout 120 "$GEODE" run --mode sim "$TMP/s.toml" >"$TMP/out" 2>"$TMP/err"; rc=$?
check "sim: a #! script as entrypoint runs through its interpreter ($(cat "$TMP/out" "$TMP/err"))" \
    $([ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "script $TMP/s.sh arg" ]; echo $?)
fi

printf 'libos.entrypoint = "%s"\n' "$TMP" >"$TMP/d.toml"
run_direct "$TMP/d.toml"
check "a directory as entrypoint: exit 127, named, not 'invalid ELF' ($(head -1 "$TMP/err"))" \
    $([ "$rc" -eq 127 ] && grep -q "libos.entrypoint $TMP: not a regular file" "$TMP/err" &&
      ! grep -q 'invalid ELF' "$TMP/err"; echo $?)
printf 'libos.entrypoint = "%s/missing"\n' "$TMP" >"$TMP/m.toml"
run_direct "$TMP/m.toml"
check "a missing entrypoint: ENOENT by name ($(head -1 "$TMP/err"))" \
    $([ "$rc" -eq 127 ] && grep -q "libos.entrypoint $TMP/missing: ENOENT: no such file or directory" "$TMP/err" &&
      ! grep -q 'error [0-9]' "$TMP/err"; echo $?)
printf 'libos.entrypoint = "/bin/busybox"\nsgx.enclave_size = "64M"\nsys.brk.max_size = "40M"\nsys.stack.size = "20M"\nsgx.trusted_files = ["file:/bin/busybox"]\n' >"$TMP/b.toml"
if [ -n "$sim_why" ]; then
    skip "sim: out of enclave memory (the sim cannot run on this host: $sim_why)"
else
timeout 120 "$GEODE" run --mode sim "$TMP/b.toml" >"$TMP/out" 2>"$TMP/err"; rc=$?
check "sim: out of enclave memory names ENOMEM and the keys to change ($(head -1 "$TMP/err"))" \
    $([ "$rc" -ne 0 ] && grep -q 'ENOMEM: out of memory; raise sgx.enclave_size or lower sys.\(brk.max_size\|stack.size\)' "$TMP/err"; echo $?)
fi
