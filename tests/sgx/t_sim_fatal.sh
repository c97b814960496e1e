#!/usr/bin/env bash
# A run that cannot go on must end (docs/sgx-pal.md, "When an enclave thread
# fails"). A real fatal error in one thread of a two-thread program
# (tests/programs/hang.c): the test knob GEODE_SIM_BAD_ENTRY_AFTER_MS makes
# the host answer one OCALL of that thread with a new ECALL, which the
# trusted PAL refuses (EXIT_FATAL, FATAL_BAD_ENTRY). geode must then stop
# the other thread, print one line and exit with status 1 within about a
# second, whether the other thread waits in a futex, keeps making OCALLs or
# spins inside without ever leaving. And a run whose enclave never takes a
# SIGTERM/SIGINT ends on the second one, as killed by it.
. "$GEODE_ROOT/tests/sgx/lib.sh"

BIN="$PROGS/hang.spie"
need "$BIN" || exit 0
manifest "$TMP/h.toml" "$BIN" 'sgx.enclave_size = "256M"' 'sgx.max_threads = 4' "$(trust "$BIN")"

now_ms() { echo $(($(date +%s%N) / 1000000)); }
left() { pgrep -f "$TMP/h.toml" >/dev/null; } # a geode of this test still exists
diag() { [ "$1" -eq 0 ] || { echo "    # status $rc, ${took} ms"; sed -n '1,5s/^/    # /p' "$TMP/err"; }; }
one_line() { [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "^geode run: $1" "$TMP/err"; }

# fatal THREAD MODE: the run with THREAD's OCALL refused 300 ms in.
fatal() {
    local t0
    t0=$(now_ms)
    GEODE_SIM_BAD_ENTRY_AFTER_MS="$1:300" RUN_TIMEOUT=10 run_sim "$TMP/h.toml" "$2"
    took=$(($(now_ms) - t0))
}
refused='enclave fatal error: entry refused (an OCALL is pending on this thread)'

fatal 1 join
[ "$rc" -eq 1 ] && one_line "enclave thread 1: $refused" && [ "$(cat "$TMP/out")" = ready ] &&
    [ "$took" -lt 4000 ] && ! left
r=$?; check "fatal error in the worker while main waits in a futex: one line, status 1" $r
diag $r

fatal 0 sleep
[ "$rc" -eq 1 ] && one_line "$refused" && [ "$took" -lt 4000 ] && ! left
r=$?; check "fatal error in the main thread while the worker makes OCALLs: one line, status 1" $r
diag $r

fatal 0 spin
[ "$rc" -eq 1 ] && one_line "$refused" && [ "$took" -lt 5000 ] && ! left
r=$?; check "fatal error while the worker spins inside and never leaves: ends (status 1)" $r
diag $r

fatal 1 busy
[ "$rc" -eq 1 ] && one_line "enclave thread 1: $refused" && [ "$took" -lt 5000 ] && ! left
r=$?; check "fatal error in the worker while main spins inside and never leaves: ends" $r
diag $r

GEODE_SIM_BAD_ENTRY_AFTER_MS=9:300 RUN_TIMEOUT=10 run_sim "$TMP/h.toml" sleep
[ "$rc" -eq 1 ] && one_line 'GEODE_SIM_BAD_ENTRY_AFTER_MS="9:300": expected'
r=$?; check "the test knob names a thread the enclave does not have: refused" $r; diag $r

# running PID: the process exists and is not a zombie waiting for us.
running() {
    local st
    st=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null)
    [ -n "$st" ] && [ "$st" != Z ]
}

# stuck SIG: the main thread ends itself (geode's waits for the others in
# the host, where the signal lands) and the worker spins inside, so the
# enclave never takes the first signal; the second ends geode at once.
stuck() {
    local sig=$1 pid i t0 first
    "$GEODE" run --mode sim "$TMP/h.toml" exit >"$TMP/out" 2>"$TMP/err" &
    pid=$!
    for ((i = 0; i < 200; i++)); do
        grep -q ready "$TMP/out" && break
        sleep 0.05
    done
    sleep 0.3 # the main thread's last OCALLs (it would take the signal) are over
    kill "-$sig" "$pid"
    sleep 0.5
    running "$pid"
    first=$?
    t0=$(now_ms)
    kill "-$sig" "$pid" 2>/dev/null
    for ((i = 0; i < 60; i++)); do
        running "$pid" || break
        sleep 0.05
    done
    if running "$pid"; then
        kill -KILL "$pid"
        wait "$pid"
        rc=124
    else
        wait "$pid"
        rc=$?
    fi
    took=$(($(now_ms) - t0))
    return $first
}

# sys.enable_sigterm_injection is false (the manifest's default): the
# program never sees SIGTERM; geode says so once and a second one ends it.
stuck TERM
alive=$?
[ "$alive" -eq 0 ] && [ "$rc" -eq 143 ] && [ "$took" -lt 2000 ] && ! left &&
    [ "$(wc -l <"$TMP/err")" -eq 2 ] &&
    grep -q '^geode run: SIGTERM not passed to the program (sys.enable_sigterm_injection is false); a second SIGTERM ends the run' "$TMP/err" &&
    grep -q '^geode run: SIGTERM again: ending the run' "$TMP/err"
r=$?; check "SIGTERM without sys.enable_sigterm_injection: the program runs on, one line; a second ends geode (143)" $r
diag $r

# A thread spinning inside without exits, the signal taken by a host thread
# that waits: the spinning thread is kicked and the program gets SIGINT.
stuck INT
[ "$rc" -eq 130 ] && [ "$took" -lt 2000 ] && ! left
r=$?; check "a run spinning inside: SIGINT reaches the program, which dies of it (130)" $r; diag $r
