#!/usr/bin/env bash
# Memory shared between processes in direct mode (tests/programs/shmfork.c):
# MAP_SHARED of files, /dev/shm, /dev/zero, anonymous memory and memfd seen
# by forked children and the parent at once; mremap and madvise keeping it
# shared; process-shared mutexes and semaphores; System V shared memory;
# mmap/mprotect's errors. Every line must equal the native run's.
. "$(dirname "$0")/lib.sh"

for kind in musl spie dyn; do
    bin="$PROGS/shmfork.$kind"
    need "$bin" || continue
    mkdir -p "$TMP/n.$kind" "$TMP/d.$kind"
    "$bin" "$TMP/n.$kind" >"$TMP/native.$kind" 2>&1
    manifest "$TMP/s.toml" "$bin"
    run_direct "$TMP/s.toml" "$TMP/d.$kind"
    if [ "$rc" -eq 0 ] && diff "$TMP/native.$kind" "$TMP/out" >"$TMP/diff"; then
        ok "shmfork.$kind: $(wc -l <"$TMP/out") shared-memory checks equal native"
    else
        notok "shmfork.$kind: differs from native (status $rc)"
        sed 's/^/#   /' "$TMP/diff" "$TMP/err" | head -30
    fi
done

# System V segments live in the run's own table, not the host's: a segment
# left behind by the program neither reaches the host's table nor outlives
# the run (the next run does not find its key).
if command -v ipcs >/dev/null && need "$PROGS/shmfork.spie"; then
    key=$((0x6f000000 + $$ % 65536))
    before=$(ipcs -m | grep -c '^0x')
    manifest "$TMP/s.toml" "$PROGS/shmfork.spie"
    run_direct "$TMP/s.toml" "$TMP" "$key"
    first=$(tr '\n' ' ' <"$TMP/out")
    run_direct "$TMP/s.toml" "$TMP" "$key"
    second=$(tr '\n' ' ' <"$TMP/out")
    after=$(ipcs -m | grep -c '^0x')
    [ "$first" = "existing ENOENT created yes " ] && [ "$second" = "$first" ] && [ "$before" -eq "$after" ]
    check "a System V segment left by the program ends with its run (host table $before/$after: $second)" $?
fi
