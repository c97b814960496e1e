#!/usr/bin/env bash
# statfs/fstatfs, /proc/<pid>/stat and status (the process, its thread,
# a child: state S then Z, ppid, comm set by PR_SET_NAME), /proc/thread-self
# and /proc/sys (tests/programs/procfs.c). Natively the program runs as
# process 1 of a new pid namespace, as under geode, and both outputs must
# be equal line for line (f_type of /, /tmp, /proc, pipes, eventfd; errno
# of every error case; field count of /proc/self/stat...). A tmpfs mount
# answers TMPFS_MAGIC.
. "$(dirname "$0")/lib.sh"

can_unshare=0
unshare --pid --fork --mount-proc true 2>/dev/null && can_unshare=1

for kind in musl spie dyn; do
    bin="$PROGS/procfs.$kind"
    need "$bin" || continue
    manifest "$TMP/p.toml" "$bin"
    RUN_TIMEOUT=60 run_direct "$TMP/p.toml"
    [ "$rc" -eq 0 ] && grep -q '^failures=0$' "$TMP/out" && ! grep -q '^FAIL' "$TMP/out"
    check "procfs.$kind: statfs, /proc/<pid>/stat and status, thread-self, /proc/sys" $?
    if [ "$can_unshare" -eq 1 ]; then
        timeout -k 5 60 unshare --pid --fork --mount-proc "$bin" >"$TMP/native" 2>&1
        diff -u "$TMP/native" "$TMP/out" >"$TMP/diff"
        check "procfs.$kind: output equals native in a new pid namespace" $?
        [ -s "$TMP/diff" ] && sed 's/^/# /' "$TMP/diff" | head -20
    else
        skip "procfs.$kind: native comparison (unshare --pid cannot make a namespace here)"
    fi
done

bin="$PROGS/procfs.spie"
if need "$bin"; then
    manifest "$TMP/t.toml" "$bin" \
        'fs.mounts = [{ type = "tmpfs", path = "/scratch" }]'
    run_direct "$TMP/t.toml" statfs /scratch
    [ "$rc" -eq 0 ] && grep -qx '/scratch type 1021994' "$TMP/out"
    check "statfs of a tmpfs mount: TMPFS_MAGIC" $?
    run_direct "$TMP/t.toml" statfs /proc/sys/kernel
    grep -qx '/proc/sys/kernel type 9fa0' "$TMP/out"
    check "statfs of /proc/sys: PROC_SUPER_MAGIC" $?
fi

# Direct mode has no trust boundary: a host SIGTERM reaches the program
# whatever sys.enable_sigterm_injection says (docs/manifest.md, "Host
# signals"); here it kills the waiting program (status 143).
if need "$bin"; then
    manifest "$TMP/w.toml" "$bin"
    "$GEODE" run --mode direct "$TMP/w.toml" wait 5 >"$TMP/w.out" 2>"$TMP/w.err" &
    pid=$!
    for _ in $(seq 200); do grep -q ready "$TMP/w.out" 2>/dev/null && break; sleep 0.05; done
    kill -TERM "$pid"
    ( sleep 30; kill -KILL "$pid" 2>/dev/null ) &
    killer=$!
    wait "$pid"
    rc=$?
    kill "$killer" 2>/dev/null
    wait "$killer" 2>/dev/null
    [ "$rc" -eq 143 ] && ! grep -q '^slept$' "$TMP/w.out"
    check "direct mode: a host SIGTERM ends the program with the key false (status 143, got $rc)" $?
fi
