#!/usr/bin/env bash
# In the enclave (sim): statfs/fstatfs through OCALL_STATFS/OCALL_FSTATFS,
# /proc/self/stat and status, thread-self and /proc/sys
# (tests/programs/procfs.c without its child part: no fork in an enclave),
# equal to a native run in a new pid namespace; and sys.enable_sigterm_injection:
# a SIGTERM from the host is dropped when the key is false (the program
# keeps running and exits by itself) and kills the program when it is true.
. "$GEODE_ROOT/tests/sgx/lib.sh"

can_unshare=0
unshare --pid --fork --mount-proc true 2>/dev/null && can_unshare=1

for kind in musl spie dyn; do
    bin="$PROGS/procfs.$kind"
    need "$bin" || continue
    manifest "$TMP/p.toml" "$bin" "$(trust "$bin")"
    RUN_TIMEOUT=60 run_sim "$TMP/p.toml" nochild
    [ "$rc" -eq 0 ] && grep -q '^failures=0$' "$TMP/out" && ! grep -q '^FAIL' "$TMP/out"
    r=$?; check "procfs.$kind (sim): statfs, /proc/self, thread-self, /proc/sys" $r; diag $r
    if [ "$can_unshare" -eq 1 ]; then
        timeout -k 5 60 unshare --pid --fork --mount-proc "$bin" nochild >"$TMP/native" 2>&1
        diff -u "$TMP/native" "$TMP/out" >"$TMP/diff"
        check "procfs.$kind (sim): output equals native in a new pid namespace" $?
        [ -s "$TMP/diff" ] && sed 's/^/# /' "$TMP/diff" | head -20
    else
        skip "procfs.$kind (sim): native comparison (unshare --pid cannot make a namespace here)"
    fi
done

# term_when_ready MANIFEST: the program prints "ready", geode gets SIGTERM,
# the program would sleep 3 s and print "slept".
term_when_ready() {
    local pid killer
    "$GEODE" run --mode sim "$1" wait 3 >"$TMP/sig.out" 2>"$TMP/sig.err" &
    pid=$!
    for _ in $(seq 300); do grep -q ready "$TMP/sig.out" 2>/dev/null && break; sleep 0.05; done
    sleep 0.2
    kill -TERM "$pid"
    ( sleep 30; kill -KILL "$pid" 2>/dev/null ) &
    killer=$!
    wait "$pid"
    rc=$?
    kill "$killer" 2>/dev/null
    wait "$killer" 2>/dev/null
}

bin="$PROGS/procfs.spie"
if need "$bin"; then
    manifest "$TMP/f.toml" "$bin" "$(trust "$bin")"
    term_when_ready "$TMP/f.toml"
    [ "$rc" -eq 0 ] && grep -q '^slept$' "$TMP/sig.out" &&
        grep -q 'SIGTERM not passed to the program (sys.enable_sigterm_injection is false)' "$TMP/sig.err"
    r=$?; check "host SIGTERM dropped by default: the program exits by itself (got $rc)" $r
    [ "$r" -eq 0 ] || sed -n '1,5s/^/    # /p' "$TMP/sig.err"
    manifest "$TMP/t.toml" "$bin" "$(trust "$bin")" 'sys.enable_sigterm_injection = true'
    term_when_ready "$TMP/t.toml"
    [ "$rc" -eq 143 ] && ! grep -q '^slept$' "$TMP/sig.out"
    check "sys.enable_sigterm_injection = true: host SIGTERM kills it (status 143, got $rc)" $?
fi

# /proc/mounts, mountinfo, uptime and the process files in the enclave, read
# by busybox (a static program): the manifest's tmpfs mount appears as
# tmpfs with its escaped mount point, the root as the host's type (never
# the manifest's URI), /proc as proc; df finds the root through them.
bb=/bin/busybox
# $TMP was once found removed after the SIGTERM part (perhaps a killer
# subshell killed before it reset the inherited EXIT trap): make it again.
mkdir -p "$TMP"
if need "$bb"; then
    manifest "$TMP/bb.toml" "$bb" 'loader.argv = ["busybox"]' 'fs.root = { uri = "file:/" }' \
        "$(trust "$bb")" '[[fs.mounts]]' 'type = "tmpfs"' 'path = "/mnt/t p"'
    run_sim "$TMP/bb.toml" sh -c 'cat /proc/mounts; echo ==; cat /proc/self/mountinfo; echo ==;
        cat /proc/uptime /proc/loadavg; readlink /proc/mounts; readlink /proc/self/root; echo ==;
        cat /proc/self/limits; echo ==; df / >/dev/null && echo df-ok; ls /proc /proc/self'
    grep -qx 'tmpfs /mnt/t\\040p tmpfs rw,relatime 0 0' "$TMP/out" &&
        grep -qx 'proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0' "$TMP/out" &&
        grep -q '^geode / [a-z0-9]* rw' "$TMP/out" && ! grep -q 'file:' "$TMP/out"
    r=$?; check "sim: /proc/mounts lists the root, /proc and the manifest's tmpfs" $r; diag $r
    awk '/ - / { ids[$1] = 1; n++; if ($5 == "/mnt/t\\040p") tp = $2; if ($5 == "/") root = $1 }
         END { exit !(n >= 3 && tp == root && root != "") }' "$TMP/out"
    check "sim: mountinfo: the tmpfs's parent is the root mount" $?
    grep -Eqx '[0-9]+\.[0-9]{2} [0-9]+\.[0-9]{2}' "$TMP/out" &&
        grep -Eqx '0\.00 0\.00 0\.00 [0-9]+/[0-9]+ [0-9]+' "$TMP/out" &&
        grep -qx 'self/mounts' "$TMP/out" && grep -qx '/' "$TMP/out"
    check "sim: uptime, loadavg, the mounts and root links" $?
    [ "$(grep -c '^Max ' "$TMP/out")" -eq 16 ] && grep -q '^Max open files  *1024  *1024  *files' "$TMP/out"
    check "sim: limits has 16 rows, open files 1024" $?
    grep -qx df-ok "$TMP/out" && grep -qx uptime "$TMP/out" && grep -qx mountinfo "$TMP/out" &&
        grep -qx fdinfo "$TMP/out" && grep -qx oom_score_adj "$TMP/out"
    check "sim: df / works; ls /proc and /proc/self list the new files" $?
fi
