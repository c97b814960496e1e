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
        grep -q 'SIGTERM from the host ignored' "$TMP/sig.err"
    r=$?; check "host SIGTERM dropped by default: the program exits by itself (got $rc)" $r
    [ "$r" -eq 0 ] || sed -n '1,5s/^/    # /p' "$TMP/sig.err"
    manifest "$TMP/t.toml" "$bin" "$(trust "$bin")" 'sys.enable_sigterm_injection = true'
    term_when_ready "$TMP/t.toml"
    [ "$rc" -eq 143 ] && ! grep -q '^slept$' "$TMP/sig.out"
    check "sys.enable_sigterm_injection = true: host SIGTERM kills it (status 143, got $rc)" $?
fi
