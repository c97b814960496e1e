#!/usr/bin/env bash
# EPC loss during `geode run --mode sim` (docs/sim.md, "EPC loss during geode
# run"): the loss is injected from outside with the test-only knob
# GEODE_SIM_EPC_LOSS_AFTER_MS; geode names it in one line, rebuilds the
# enclave and starts the program again from scratch, at most
# geode.epc_loss_restarts times, then fails with status 1. Each program
# appends a line to a marker file when it starts, so the marker counts starts.
. "$GEODE_ROOT/tests/sgx/lib.sh" # (run_sim and diag are this test's own, below)

MARK="$TMP/marker"
run_sim() { # run_sim LOSS_SPEC MANIFEST ARGS...
    local spec=$1
    shift
    rm -f "$MARK"
    SECONDS=0
    GEODE_SIM_EPC_LOSS_AFTER_MS=$spec timeout -k 5 "${RUN_TIMEOUT:-120}" "$GEODE" run --mode sim "$@" \
        >"$TMP/out" 2>"$TMP/err"
    rc=$? took=$SECONDS
}
diag() { [ "$1" -eq 0 ] || { echo "    # status $rc, ${took}s, starts $(starts)"; sed -n '1,5s/^/    # /p' "$TMP/err"; }; }
starts() { if [ -f "$MARK" ]; then wc -l <"$MARK"; else echo 0; fi; }
restarted() { grep -c 'enclave lost: .*restarting the program from the start (restart' "$TMP/err"; }
gave_up() { grep -c "enclave lost: .*no restart left (geode.epc_loss_restarts = $1): giving up" "$TMP/err"; }

BB=/bin/busybox
# Marker, then shell arithmetic: long (about 10 s) while this is start number
# <= LONG, short (1000 rounds) after, so a loss at 800 ms always meets a
# started program in the middle of its loop, however slow the machine, and
# the restarted one finishes quickly.
loop_for() {
    echo "echo start >> $MARK; n=0; while read l; do n=\$((n+1)); done < $MARK;
          max=1000; [ \$n -le $1 ] && max=3000000;
          i=0; while [ \$i -lt \$max ]; do i=\$((i+1)); done; echo done"
}
loop=$(loop_for 1)
if [ -x "$BB" ]; then
    manifest "$TMP/bb.toml" "$BB" 'loader.argv = ["busybox"]' 'sgx.enclave_size = "256M"' \
        "$(trust "$BB" "file:$TMP/")"
    run_sim 800 "$TMP/bb.toml" sh -c "$loop"
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "done" ] && [ "$(starts)" -eq 2 ] &&
        [ "$(restarted)" -eq 1 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ]
    r=$?; check "busybox sh loop: loss at 800 ms, one line, restarted from scratch, completes" $r; diag $r

    manifest "$TMP/bb0.toml" "$BB" 'loader.argv = ["busybox"]' 'sgx.enclave_size = "256M"' \
        'geode.epc_loss_restarts = 0' "$(trust "$BB" "file:$TMP/")"
    run_sim 800 "$TMP/bb0.toml" sh -c "$loop"
    [ "$rc" -eq 1 ] && [ "$(starts)" -eq 1 ] && [ "$(gave_up 0)" -eq 1 ] && [ "$(restarted)" -eq 0 ] &&
        [ ! -s "$TMP/out" ]
    r=$?; check "geode.epc_loss_restarts = 0: the loss is an error, status 1, no restart" $r; diag $r

    manifest "$TMP/bb1.toml" "$BB" 'loader.argv = ["busybox"]' 'sgx.enclave_size = "256M"' \
        'geode.epc_loss_restarts = 1' "$(trust "$BB" "file:$TMP/")"
    run_sim 800,800 "$TMP/bb1.toml" sh -c "$(loop_for 2)"
    [ "$rc" -eq 1 ] && [ "$(starts)" -eq 2 ] && [ "$(restarted)" -eq 1 ] && [ "$(gave_up 1)" -eq 1 ]
    r=$?; check "geode.epc_loss_restarts = 1 and two losses: one restart, then status 1" $r; diag $r

    # With exitless OCALL workers: they go with the lost enclave and come back.
    manifest "$TMP/bbw.toml" "$BB" 'loader.argv = ["busybox"]' 'sgx.enclave_size = "256M"' \
        'geode.ocall_workers = 2' "$(trust "$BB" "file:$TMP/")"
    run_sim 800 "$TMP/bbw.toml" sh -c "$loop; echo after > $TMP/after; read x < $TMP/after; echo \$x"
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$(printf 'done\nafter')" ] && [ "$(starts)" -eq 2 ] &&
        [ "$(restarted)" -eq 1 ]
    r=$?; check "with 2 exitless OCALL workers: restarted, and file OCALLs work after it" $r; diag $r

    run_sim 1x "$TMP/bb.toml" sh -c "$loop"
    [ "$rc" -eq 1 ] && [ "$(starts)" -eq 0 ] && grep -q 'GEODE_SIM_EPC_LOSS_AFTER_MS="1x"' "$TMP/err"
    r=$?; check "a malformed GEODE_SIM_EPC_LOSS_AFTER_MS is refused before anything runs" $r; diag $r
else
    skip "busybox-static not installed"
fi

if [ -x /usr/bin/python3 ]; then
    # python3 opens hundreds of files; this test is about EPC loss: all allowed.
    manifest "$TMP/py.toml" /usr/bin/python3 'loader.argv = ["python3"]' 'sgx.enclave_size = "1G"' \
        'sgx.max_threads = 8' 'sgx.allowed_files = ["file:/"]'
    # n: how many starts came before this one.
    head="import os, sys, threading, time
n = sum(1 for _ in open('$MARK')) if os.path.exists('$MARK') else 0
open('$MARK', 'a').write('start\n')"

    # The only thread sleeps in an OCALL when the enclave is lost: nobody
    # notices until the sleep ends and EENTER faults.
    run_sim 1500 "$TMP/py.toml" -c "$head
if n == 0: time.sleep(3)
print('done', n)"
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "done 1" ] && [ "$(starts)" -eq 2 ] &&
        [ "$(restarted)" -eq 1 ] && grep -q 'enclave lost: .* on EENTER' "$TMP/err" && [ "$took" -ge 3 ]
    r=$?; check "python3 time.sleep: the loss is seen when the sleeping thread re-enters" $r; diag $r

    # A worker computes in the enclave and meets the loss; the main thread,
    # blocked in join (a futex wait in the host), is woken to leave too.
    run_sim 1500 "$TMP/py.toml" -c "$head
def work():
    x = 0
    for i in range(300000000 if n == 0 else 10): x += i
t = threading.Thread(target=work); t.start(); t.join()
print('done', n)"
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "done 1" ] && [ "$(starts)" -eq 2 ] && [ "$(restarted)" -eq 1 ]
    r=$?; check "python3 threads: a worker meets the loss, the main thread in join is stopped, restart" $r
    diag $r

    # The main thread meets the loss while a thread sleeps 60 s in the host:
    # the sleeper is interrupted and joined before the rebuild, not waited for.
    RUN_TIMEOUT=40 run_sim 1500 "$TMP/py.toml" -c "$head
t = threading.Thread(target=time.sleep, args=(60 if n == 0 else 0,)); t.start()
x = 0
for i in range(300000000 if n == 0 else 10): x += i
t.join()
print('done', n)"
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "done 1" ] && [ "$(starts)" -eq 2 ] &&
        [ "$(restarted)" -eq 1 ] && [ "$took" -lt 30 ]
    r=$?; check "python3 threads: a thread blocked in a 60 s sleep is stopped, not waited for" $r; diag $r
else
    skip "python3 not installed"
fi
