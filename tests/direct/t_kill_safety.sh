#!/usr/bin/env bash
# No call of the program can signal a host process geode did not start:
# a host sentinel (and this shell) survive a program that calls kill(1,
# SIGTERM/SIGKILL), kill(-1, SIGKILL), kill(getppid(), SIGTERM) in a child
# and kill(sentinel, SIGKILL) (tests/programs/killsafety.c), and each call
# returns what Linux returns inside a fresh pid namespace holding only the
# program's tree. The program itself runs natively only inside such a
# namespace (unshare), never beside the host's processes.
. "$(dirname "$0")/lib.sh"

sleep 300 &
sentinel=$!

# What Linux answers as process 1 of a new pid namespace (checked natively
# with unshare below when possible).
cat >"$TMP/expected" <<'END'
getpid = 1
kill(-1, SIGKILL) alone = -1 ESRCH
kill(outside, 0) = -1 ESRCH
kill(outside, SIGKILL) = -1 ESRCH
kill(-outside, SIGKILL) = -1 ESRCH
child: kill(getppid(), SIGTERM) = 0
child: kill(getppid(), SIGTERM) while blocked = 0
pending while blocked = 1
unblocked: survived
child: kill(1, SIGKILL) = 0
child: kill(-1, SIGKILL) alone = -1 ESRCH
kill(-1, SIGKILL) with a child = 0
the child: reaped=1 signal=9
child: kill(-1, SIGKILL) with a sibling = 0
the sibling: reaped=1 signal=9
kill(1, SIGTERM) with a handler = 0
handled = 1
process 1 survived
END

can_unshare=0
unshare --pid --fork --mount-proc true 2>/dev/null && can_unshare=1
for kind in musl spie dyn; do
    bin="$PROGS/killsafety.$kind"
    need "$bin" || continue
    manifest "$TMP/ks.toml" "$bin"
    RUN_TIMEOUT=60 run_direct "$TMP/ks.toml" "$sentinel"
    alive=0
    kill -0 "$sentinel" 2>/dev/null && alive=1
    [ "$alive" -eq 1 ]
    check "killsafety.$kind: the host sentinel survives" $?
    [ "$rc" -eq 0 ] && diff -u "$TMP/expected" "$TMP/out" >"$TMP/diff"
    r=$?
    check "killsafety.$kind: each call returns what Linux returns in a new pid namespace (rc $rc)" $r
    [ "$r" -eq 0 ] || sed -n '3,40s/^/    # /p' "$TMP/diff"
    [ "$r" -eq 0 ] || sed -n '1,10s/^/    # err: /p' "$TMP/err"
    [ "$alive" -eq 1 ] || { sleep 300 & sentinel=$!; }
    if [ "$can_unshare" -eq 1 ]; then
        timeout -k 5 60 unshare --pid --fork --mount-proc "$bin" "$sentinel" >"$TMP/native" 2>&1
        diff -u "$TMP/expected" "$TMP/native" >"$TMP/diff"
        check "killsafety.$kind: the expected answers are Linux's (native, in a pid namespace)" $?
    else
        skip "killsafety.$kind: native check (unshare --pid cannot make a namespace here)"
    fi
done
check "the test shell survives" 0
kill "$sentinel" 2>/dev/null
wait "$sentinel" 2>/dev/null
exit 0
