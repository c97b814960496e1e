#!/usr/bin/env bash
# Memory shared between enclave processes (docs/architecture.md, "Memory
# shared between processes"): a file of an untrusted_shm mount mapped
# MAP_SHARED is host memory outside the enclave that a forked child shares
# (tests/programs/shmhost.c: stores, process-shared semaphores, mprotect,
# munmap, mremap, read(), compared with native); a shared mapping of any
# other file is the process's own copy, and fork says so on stderr; Python's
# multiprocessing (Pool(4).map, a Value under its Lock) under
# manifests/python3.manifest.toml gives native Python's answer.
. "$GEODE_ROOT/tests/sgx/lib.sh"

shm_mount='fs.mounts = [{ type = "untrusted_shm", path = "/dev/shm", uri = "dev:/dev/shm" }]'

# The manifest: Gramine's "dev:" URI is accepted, and check describes it.
manifest "$TMP/m.toml" /bin/true "$shm_mount"
"$GEODE" manifest check "$TMP/m.toml" >"$TMP/check" 2>&1 &&
    grep -q 'untrusted_shm /dev/shm <- file:/dev/shm' "$TMP/check" &&
    grep -q 'host memory shared with other processes' "$TMP/check"
check "manifest: an untrusted_shm mount (dev: URI) is valid and geode manifest check describes it" $?
manifest "$TMP/bad.toml" /bin/true 'fs.root = { type = "untrusted_shm", uri = "file:/dev/shm" }'
"$GEODE" manifest check "$TMP/bad.toml" >"$TMP/check" 2>&1
[ $? -ne 0 ] && grep -q 'cannot be an untrusted_shm mount' "$TMP/check"
check "manifest: the root cannot be an untrusted_shm mount" $?

for kind in musl spie dyn; do
    bin="$PROGS/shmhost.$kind"
    need "$bin" || continue
    manifest "$TMP/p.toml" "$bin" "$shm_mount" "$(trust "$bin" "file:$TMP/")"
    RUN_TIMEOUT=60 run_sim "$TMP/p.toml" /dev/shm
    "$bin" /dev/shm >"$TMP/native" 2>&1
    [ "$rc" -eq 0 ] && ! grep -q ': no$' "$TMP/out" && [ "$(grep -c ': yes$' "$TMP/out")" -eq 13 ] &&
        diff -u "$TMP/native" "$TMP/out" >"$TMP/diff" && [ ! -s "$TMP/err" ]
    r=$?
    check "shmhost.$kind (sim): /dev/shm on untrusted_shm is shared with a forked child, as natively" $r
    [ "$r" -eq 0 ] || { sed 's/^/    # /' "$TMP/out" | grep ': no$'; cat "$TMP/diff" 2>/dev/null | head; diag 1; }
done

# The warning case: a shared mapping of a file elsewhere stays in the
# enclave; fork names it on stderr, and the child's stores stay its own.
bin="$PROGS/shmhost.dyn"
if need "$bin"; then
    manifest "$TMP/p.toml" "$bin" "$(trust "$bin" "file:$TMP/")"
    RUN_TIMEOUT=60 run_sim "$TMP/p.toml" "$TMP"
    [ "$rc" -eq 0 ] && [ "$(grep -c 'fork: the MAP_SHARED mapping .* of '"$TMP"'/geode-shmhost-1 is this process.s own copy' "$TMP/err")" -eq 1 ] &&
        grep -q "^the parent sees the child's store: no$" "$TMP/out"
    r=$?
    check "shmhost.dyn (sim): a shared file outside untrusted_shm is the process's own copy, and fork warns once naming it" $r
    [ "$r" -eq 0 ] || diag 1
fi

# At the default log level ("error") that fork still says so, once, with
# the fix: a program that shares memory with its children must not get
# wrong results silently.
if need "$bin"; then
    sed -i 's/^loader.log_level = .*/loader.log_level = "error"/' "$TMP/p.toml"
    RUN_TIMEOUT=60 run_sim "$TMP/p.toml" "$TMP"
    [ "$rc" -eq 0 ] && [ "$(grep -c 'is this process.s own copy' "$TMP/err")" -eq 1 ] &&
        grep -q "fork: the MAP_SHARED mapping of $TMP/geode-shmhost-1 .*put the file on an untrusted_shm mount" "$TMP/err"
    r=$?
    check "shmhost.dyn (sim): at the default log level the fork's unshared mapping is an error line, once, with the fix" $r
    [ "$r" -eq 0 ] || diag 1
fi

# System V shared memory inside one enclave process: keys, IPC_PRIVATE,
# IPC_EXCL, sizes, attach counts, IPC_SET, contents kept across shmdt and
# munmap, IPC_RMID at the last detach (tests/programs/sysvshm.c), as natively.
key=$((0x5e0000 + $$ % 65536))
for kind in musl spie dyn; do
    bin="$PROGS/sysvshm.$kind"
    need "$bin" || continue
    "$bin" "$key" >"$TMP/native" 2>&1
    manifest "$TMP/v.toml" "$bin" "$(trust "$bin")"
    run_sim "$TMP/v.toml" "$key"
    diff -u "$TMP/native" "$TMP/out" >"$TMP/diff"
    [ "$rc" -eq 0 ] && [ ! -s "$TMP/diff" ] && grep -q '^munmap kept the contents: a b$' "$TMP/out"
    r=$?
    check "sysvshm.$kind (sim): System V shared memory in one enclave process equals native$( [ -s "$TMP/diff" ] && echo " ($(head -c 400 "$TMP/diff"))")" $r
    diag $r
done

# Anonymous shared memory: the process's own in an enclave (fork warns),
# host memory shared with the child with sys.insecure__shared_memory_untrusted.
bin="$PROGS/shmhost.dyn"
if need "$bin"; then
    "$bin" anon >"$TMP/native" 2>&1
    manifest "$TMP/p.toml" "$bin" "$(trust "$bin")" 'sys.insecure__shared_memory_untrusted = true'
    RUN_TIMEOUT=60 run_sim "$TMP/p.toml" anon
    [ "$rc" -eq 0 ] && [ "$(grep -c ': yes$' "$TMP/out")" -eq 8 ] && diff -u "$TMP/native" "$TMP/out" >/dev/null &&
        [ ! -s "$TMP/err" ]
    r=$?
    check "shmhost.dyn anon (sim, sys.insecure__shared_memory_untrusted): MAP_SHARED|MAP_ANONYMOUS shared with a forked child, as natively" $r
    [ "$r" -eq 0 ] || { grep ': no$' "$TMP/out" | sed 's/^/    # /'; diag 1; }
    manifest "$TMP/p.toml" "$bin" "$(trust "$bin")"
    RUN_TIMEOUT=60 run_sim "$TMP/p.toml" anon
    [ "$rc" -eq 0 ] && [ "$(grep -c 'fork: the MAP_SHARED mapping .* of anonymous memory is this process.s own copy.*sys.insecure__shared_memory_untrusted' "$TMP/err")" -eq 1 ] &&
        grep -q "^the parent sees the child's store: no$" "$TMP/out"
    r=$?
    check "shmhost.dyn anon (sim): without the key, anonymous shared memory is the process's own, and fork warns once" $r
    [ "$r" -eq 0 ] || diag 1
fi

# Python's multiprocessing: semaphores (sem_open) and Value (an arena file)
# in /dev/shm, workers forked into new enclaves.
py=/usr/bin/python3
if [ ! -x "$py" ] || ! "$py" -c 'import multiprocessing, ctypes' 2>/dev/null; then
    skip "multiprocessing (sim): no python3 with multiprocessing and ctypes"
else
    cat >"$TMP/mp.py" <<'EOF'
import multiprocessing as mp

def init(c):
    global counter
    counter = c

def work(x):
    with counter.get_lock():
        counter.value += 1
    return x * x

if __name__ == "__main__":
    c = mp.Value("i", 0)
    p = mp.Pool(4, initializer=init, initargs=(c,))
    r = p.map(work, range(10000))
    p.close()  # the workers end on their own (terminate() would SIGTERM them)
    p.join()
    print("sum", sum(r), "count", c.value, "len", len(r))
EOF
    "$py" "$TMP/mp.py" >"$TMP/native" 2>&1
    RUN_TIMEOUT=240 run_sim "$GEODE_ROOT/manifests/python3.manifest.toml" "$TMP/mp.py"
    [ "$rc" -eq 0 ] && grep -q '^sum 333283335000 count 10000 len 10000$' "$TMP/out" &&
        diff -u "$TMP/native" "$TMP/out" >/dev/null && [ ! -s "$TMP/err" ]
    r=$?
    check "multiprocessing (sim): Pool(4).map over 10000 items and a Value under its Lock, as native Python" $r
    [ "$r" -eq 0 ] || { sed 's/^/    # /' "$TMP/out" | head -5; diag 1; }
fi
