#!/usr/bin/env bash
# The program's processes in the enclave (sim) through the process OCALLs
# (ocall_abi.h 128..159) and the pid namespace the host keeps as direct
# mode does (tests/programs/procs1.c): process 1 with parent 0, thread ids,
# waits without children, kill of oneself, of 1, of -1 and outside the
# tree, groups and sessions, /proc/self/stat and /proc listing, comm,
# pdeathsig, pidfds. The same program runs under --mode direct and sim (also
# with exitless OCALL workers) and,
# when unshare can make a pid namespace, natively as its process 1: every
# output must pass all its checks and equal the others. With "fork"
# (SIGCHLD, exit codes, deaths by signal), in sim once the enclave can
# fork. Not a t_sim_* script: the direct runs do not need the sim.
. "$GEODE_ROOT/tests/sgx/lib.sh"

sim_why=$(sim_unavailable)
# A host process outside the tree, in the test's own group and session:
# kill(-1, SIGKILL) and kill(0) from process 1 must not reach it.
sleep 600 &
outsider=$!
can_unshare=0
unshare --pid --fork --mount-proc true 2>/dev/null && can_unshare=1

for kind in musl spie dyn; do
    bin="$PROGS/procs1.$kind"
    need "$bin" || continue
    manifest "$TMP/p.toml" "$bin" "$(trust "$bin")"
    # sim+workers: the OCALLs that may are served by exitless workers.
    manifest "$TMP/pw.toml" "$bin" "$(trust "$bin")" 'geode.ocall_workers = 2'
    for mode in direct sim sim+workers; do
        if [ "$mode" != direct ] && [ -n "$sim_why" ]; then
            skip "procs1.$kind ($mode): the sim cannot run on this host ($sim_why)"
            continue
        fi
        toml="$TMP/p.toml" gmode=$mode
        [ "$mode" = sim+workers ] && toml="$TMP/pw.toml" gmode=sim
        for arg in "" fork; do
            want=39
            [ -n "$arg" ] && want=43
            RUN_TIMEOUT=60 timeout -k 5 60 "$GEODE" run --mode "$gmode" "$toml" $arg \
                >"$TMP/out.$mode$arg" 2>"$TMP/err"
            rc=$?
            if [ "$mode" != direct ] && [ -n "$arg" ] && grep -q '^fork: Function not implemented' "$TMP/out.$mode$arg"; then
                skip "procs1.$kind ($mode, fork): the enclave cannot fork yet"
                continue
            fi
            [ "$rc" -eq 0 ] && grep -q '^failures=0$' "$TMP/out.$mode$arg" &&
                [ "$(grep -c '^pass' "$TMP/out.$mode$arg")" -eq "$want" ]
            r=$?
            check "procs1.$kind ($mode${arg:+, $arg}): ids, waits, signals, groups, /proc, names, pidfds$([ -n "$arg" ] && echo ", children")" $r
            [ "$r" -eq 0 ] || { grep -v '^pass' "$TMP/out.$mode$arg" | sed -n '1,5s/^/    # /p'; diag 1; }
            if [ "$can_unshare" -eq 1 ]; then
                timeout -k 5 60 unshare --pid --fork --mount-proc "$bin" $arg >"$TMP/native" 2>&1
                diff -u "$TMP/native" "$TMP/out.$mode$arg" >"$TMP/diff"
                check "procs1.$kind ($mode${arg:+, $arg}): output equals native in a new pid namespace" $?
                [ -s "$TMP/diff" ] && sed 's/^/    # /' "$TMP/diff" | head -20
            fi
        done
    done
done

# Process 1 killed from outside (SIGKILL: no code of its own runs): as in
# Linux, where a pid namespace's processes die with its init, the rest of
# the tree dies too (pidns.c's death pipe), not left to the host's init.
if need /bin/busybox; then
    manifest "$TMP/bb.toml" /bin/busybox "$(trust /bin/busybox)"
    for mode in direct sim; do
        if [ "$mode" = sim ] && [ -n "$sim_why" ]; then
            skip "tree dies with process 1 (sim): $sim_why"
            continue
        fi
        "$GEODE" run --mode "$mode" "$TMP/bb.toml" sh -c 'sleep 600 & (sleep 600; :) & echo up; wait' \
            >"$TMP/kt.out" 2>"$TMP/kt.err" &
        root=$!
        for _ in $(seq 200); do grep -q up "$TMP/kt.out" 2>/dev/null && break; sleep 0.05; done
        # The tree's host processes: root's descendants.
        tree=()
        for p in $(ps -eo pid=,ppid= | awk -v r="$root" '$2 == r {print $1}'); do
            tree+=("$p" $(ps -eo pid=,ppid= | awk -v r="$p" '$2 == r {print $1}'))
        done
        kill -KILL "$root"
        wait "$root" 2>/dev/null
        alive=1
        for _ in $(seq 40); do
            alive=0
            for p in "${tree[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
            [ "$alive" -eq 0 ] && break
            sleep 0.05
        done
        [ "${#tree[@]}" -ge 2 ] && [ "$alive" -eq 0 ]
        check "tree dies with process 1 killed by SIGKILL ($mode: ${#tree[@]} host processes, alive $alive)" $?
        for p in "${tree[@]}"; do kill -KILL "$p" 2>/dev/null; done
    done
fi

kill -0 "$outsider" 2>/dev/null
check "a host process outside the tree survived every kill(-1, SIGKILL) and kill(0)" $?
kill "$outsider" 2>/dev/null
wait "$outsider" 2>/dev/null || true
