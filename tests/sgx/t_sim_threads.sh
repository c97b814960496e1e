#!/usr/bin/env bash
# Threads inside the software SGX: clone becomes a trusted slot plus a host
# thread entering its own TCS (ECALL_THREAD), futexes sleep on per-thread
# host words and are woken by the enclave's trusted waiter table. The same
# checks as in direct mode (tests/direct/t_programs.sh, t_python.sh).
. "$GEODE_ROOT/tests/sgx/lib.sh"

# main + 4 workers: 5 TCSs at least.
for kind in musl spie dyn; do
    bin="$PROGS/threads.$kind"
    need "$bin" || continue
    manifest "$TMP/t.toml" "$bin" 'sgx.enclave_size = "256M"' 'sgx.max_threads = 8' "$(trust "$bin")"
    run_sim "$TMP/t.toml"
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "counter=400000 tls=ok" ]
    r=$?; check "threads.$kind in the sim enclave: 4 threads, mutex, TLS, join" $r; diag $r
done

# Fewer TCSs than threads: clone fails cleanly (EAGAIN), nothing hangs.
if need "$PROGS/threads.spie"; then
    manifest "$TMP/t2.toml" "$PROGS/threads.spie" 'sgx.enclave_size = "256M"' 'sgx.max_threads = 2' \
        "$(trust "$PROGS/threads.spie")"
    RUN_TIMEOUT=60 run_sim "$TMP/t2.toml"
    [ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] &&
        { [ "$(cat "$TMP/out")" = "counter=400000 tls=ok" ] || grep -q 'pthread_create failed' "$TMP/out"; }
    r=$?; check "threads.spie with 2 TCSs: slots are reused or clone fails, no hang" $r; diag $r
fi

if [ -x /usr/bin/python3 ]; then
    # python3 opens hundreds of files; this test is about threads: all allowed.
    manifest "$TMP/py.toml" /usr/bin/python3 'loader.argv = ["python3"]' 'sgx.enclave_size = "1G"' \
        'sgx.max_threads = 8' 'sgx.allowed_files = ["file:/"]'
    code='import threading
out = []
def work(i): out.append(sum(range(i * 1000)))
ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
[t.start() for t in ts]; [t.join() for t in ts]
print(sorted(out))'
    run_sim "$TMP/py.toml" -c "$code"
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$(/usr/bin/python3 -c "$code")" ]
    r=$?; check "python3 threading with 4 threads in the sim enclave equals native" $r; diag $r

    # Condition variables and timed waits: futex wake between enclave
    # threads, FUTEX_WAIT timeouts, and slots reused by 20 short threads.
    code='import threading, queue, time
q = queue.Queue()
def prod():
    for i in range(200): q.put(i)
    q.put(None)
got = []
t = threading.Thread(target=prod); t.start()
while (x := q.get()) is not None: got.append(x)
t.join()
ev = threading.Event()
t0 = time.monotonic(); r = ev.wait(0.2); dt = time.monotonic() - t0
n = 0
for _ in range(20):
    th = threading.Thread(target=lambda: None); th.start(); th.join(); n += 1
print(sum(got), r, 0.15 < dt < 5, n)'
    run_sim "$TMP/py.toml" -c "$code"
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "19900 False True 20" ]
    r=$?; check "python3 queue between threads, timed Event.wait, 20 threads in turn" $r; diag $r
else
    skip "python3 not installed"
fi
