#!/usr/bin/env bash
# epoll's edge cases (tests/programs/epollsem.c) under geode --mode direct,
# compared line by line with the native run: closed and reused
# descriptors, dup, EPOLLONESHOT, EPOLLET, hang-ups, errors in Linux's
# order, timeouts, signal masks, epoll inside epoll, the instance shared
# across fork. In the sim enclave (wait sets through OCALLs, keys kept in
# the trusted PAL), everything that needs no second process.
. "$(dirname "$0")/lib.sh"
. "$GEODE_ROOT/tests/sgx/trust.sh"

for kind in musl spie dyn; do
    bin="$PROGS/epollsem.$kind"
    need "$bin" || continue
    manifest "$TMP/e.toml" "$bin"
    "$bin" >"$TMP/native" 2>&1
    RUN_TIMEOUT=30 run_direct "$TMP/e.toml"
    [ "$rc" -eq 0 ] && [ -s "$TMP/native" ] && diff "$TMP/native" "$TMP/out" >"$TMP/diff"
    r=$?; check "epollsem.$kind: output equals native ($(wc -l <"$TMP/native") lines)" $r
    [ $r -eq 0 ] || sed 's/^/    # /' "$TMP/diff" | head -20
done

# No busy loop: a program blocked in epoll_wait(-1) uses no CPU.
bin="$PROGS/epollsem.spie"
if need "$bin"; then
    manifest "$TMP/e.toml" "$bin"
    "$GEODE" run --mode direct "$TMP/e.toml" idle >"$TMP/idle" 2>&1 &
    pid=$!
    for _ in $(seq 100); do [ -s "$TMP/idle" ] && break; sleep 0.05; done
    t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    sleep 1
    t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    kill -TERM "$pid"
    wait "$pid"
    [ -s "$TMP/idle" ] && [ $((t1 - t0)) -le 5 ]
    check "epoll_wait(-1) with nothing ready sleeps ($((t1 - t0)) ticks of CPU in 1 s)" $?

    manifest "$TMP/e.toml" "$bin"
    "$bin" nofork >"$TMP/native" 2>&1
    manifest "$TMP/s.toml" "$bin" 'sgx.enclave_size = "256M"' "$(trust "$bin")"
    timeout -k 5 60 "$GEODE" run --mode sim "$TMP/s.toml" nofork >"$TMP/out" 2>"$TMP/err"
    rc=$?
    if [ "$rc" -ne 0 ] && grep -qi 'sim\|sgx' "$TMP/err" && ! [ -s "$TMP/out" ]; then
        skip "sim mode unavailable here: $(head -1 "$TMP/err")"
    else
        [ "$rc" -eq 0 ] && diff "$TMP/native" "$TMP/out" >"$TMP/diff"
        r=$?; check "epollsem.spie nofork in the sim enclave: output equals native ($(wc -l <"$TMP/native") lines)" $r
        [ $r -eq 0 ] || sed 's/^/    # /' "$TMP/diff" "$TMP/err" | head -20
    fi
fi
