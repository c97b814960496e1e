#!/usr/bin/env bash
# The program's pid namespace (tests/programs/pidns.c): getpid/getppid/
# gettid, fork and waitpid, kill/tgkill/sigqueue inside and outside the
# tree, process 1's rules (signals it cannot catch, orphans), kill(-1),
# groups, pidfds. Under geode the program is process 1 of a namespace that
# holds only its tree; natively it runs as process 1 of a new pid namespace
# (when unshare can make one) and both outputs must be equal.
. "$(dirname "$0")/lib.sh"

native_ns() { # native_ns PROG: runs PROG as process 1 of a new pid namespace
    timeout -k 5 60 unshare --pid --fork --mount-proc "$@" >"$TMP/native" 2>&1
}

can_unshare=0
unshare --pid --fork --mount-proc true 2>/dev/null && can_unshare=1

for kind in musl spie dyn; do
    bin="$PROGS/pidns.$kind"
    need "$bin" || continue
    manifest "$TMP/ns.toml" "$bin"
    RUN_TIMEOUT=60 run_direct "$TMP/ns.toml"
    [ "$rc" -eq 0 ] && grep -q '^failures=0$' "$TMP/out" && [ "$(grep -c '^pass' "$TMP/out")" -eq 39 ]
    check "pidns.$kind: pids, tids, waits, kill, init rules, groups, pidfds" $?
    if [ "$can_unshare" -eq 1 ]; then
        native_ns "$bin"
        diff -u "$TMP/native" "$TMP/out" >"$TMP/diff"
        check "pidns.$kind: output equals native in a new pid namespace" $?
    else
        skip "pidns.$kind: native comparison (unshare --pid cannot make a namespace here)"
    fi
done
