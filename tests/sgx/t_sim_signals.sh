#!/usr/bin/env bash
# Host signals delivered into the software SGX enclave (urts_signal.c ->
# the pending word -> pal_signal.c -> the libOS's host_signal upcall): the
# timer programs of tests/direct/t_programs.sh with the same checks, a
# SIGINT from the host reaching a handler in a blocking call and in a busy
# loop (AEX-Notify notification and the classic EENTER path), and the exit
# status of a program killed by an unhandled host SIGTERM.
. "$GEODE_ROOT/tests/sgx/lib.sh"

for path in notify classic; do
    extra=()
    [ "$path" = classic ] && extra=('geode.aex_notify = false')

    # Timers: setitimer interrupting a blocking read (EINTR), SA_RESTART
    # restarting it, alarm + sigsuspend.
    for kind in musl spie dyn; do
        bin="$PROGS/alarm.$kind"
        need "$bin" || continue
        manifest "$TMP/a.toml" "$bin" "${extra[@]}" "$(trust "$bin")"
        RUN_TIMEOUT=20 run_sim "$TMP/a.toml"
        [ "$rc" -eq 0 ] && grep -q '^failures=0$' "$TMP/out"
        r=$?; check "alarm.$kind ($path): EINTR, SA_RESTART, alarm + sigsuspend" $r; diag $r
    done

    # Handlers, sigaltstack, masks; an unhandled raise(SIGUSR2) kills: 128 + 12.
    for kind in musl spie dyn; do
        bin="$PROGS/signals.$kind"
        need "$bin" || continue
        manifest "$TMP/s.toml" "$bin" "${extra[@]}" "$(trust "$bin")"
        run_sim "$TMP/s.toml"
        [ "$rc" -eq 140 ] && grep -q '^failures=0$' "$TMP/out"
        r=$?; check "signals.$kind ($path): handlers, sigaltstack, masks, default action (status 140)" $r
        diag $r
    done
done

# sigstate: SSE state across a handler on the trap path and the trampoline
# path, stack overflow on the sigaltstack. On SGX1 every heap page is RWX in
# the EPCM; the guard below the program stack faults because the trusted PAL
# keeps reserved pages PROT_NONE in the host's page tables (OCALL_MPROTECT).
for kind in musl spie dyn; do
    bin="$PROGS/sigstate.$kind"
    need "$bin" || continue
    manifest "$TMP/ss.toml" "$bin" "$(trust "$bin")"
    RUN_TIMEOUT=20 run_sim "$TMP/ss.toml"
    [ "$rc" -eq 0 ] && grep -q '^failures=0$' "$TMP/out" &&
        [ "$(grep -c 'xmm registers preserved' "$TMP/out")" -eq 3 ]
    r=$?; check "sigstate.$kind: SSE state across a handler, stack overflow on the sigaltstack" $r
    diag $r
done

# send_when_ready MANIFEST SIGNAL CODE: python prints "ready", then geode gets SIGNAL.
send_when_ready() {
    local m=$1 sig=$2 code=$3 pid
    "$GEODE" run --mode sim "$m" -c "$code" >"$TMP/sig.out" 2>"$TMP/sig.err" &
    pid=$!
    for _ in $(seq 200); do grep -q ready "$TMP/sig.out" 2>/dev/null && break; sleep 0.05; done
    sleep 0.2
    kill "-$sig" "$pid"
    ( sleep 30; kill -KILL "$pid" 2>/dev/null ) &
    local killer=$!
    wait "$pid"
    rc=$?
    kill "$killer" 2>/dev/null
    wait "$killer" 2>/dev/null
}

if [ -x /usr/bin/python3 ]; then
    sleeping='import signal, sys, time
def h(s, f):
    print("got", s, flush=True); sys.exit(9)
signal.signal(signal.SIGINT, h)
print("ready", flush=True)
time.sleep(20)
print("not interrupted")'
    busy="${sleeping%time.sleep(20)*}while True: pass"
    for path in notify classic; do
        extra=()
        [ "$path" = classic ] && extra=('geode.aex_notify = false')
        # python3 opens hundreds of files; this test is about signals: all allowed.
        manifest "$TMP/py.toml" /usr/bin/python3 'loader.argv = ["python3"]' 'sgx.enclave_size = "1G"' \
            "${extra[@]}" 'sgx.allowed_files = ["file:/"]' \
            'sys.enable_sigterm_injection = true'
        send_when_ready "$TMP/py.toml" INT "$sleeping"
        [ "$rc" -eq 9 ] && grep -q '^got 2$' "$TMP/sig.out"
        check "host SIGINT reaches python's handler in time.sleep ($path, status 9, got $rc)" $?
        send_when_ready "$TMP/py.toml" INT "$busy"
        [ "$rc" -eq 9 ] && grep -q '^got 2$' "$TMP/sig.out"
        check "host SIGINT reaches python's handler in a busy loop ($path, status 9, got $rc)" $?
        send_when_ready "$TMP/py.toml" TERM 'print("ready", flush=True)
while True: pass'
        check "an unhandled host SIGTERM ends geode with status 143 ($path, got $rc)" \
            $([ "$rc" -eq 143 ]; echo $?)
    done
else
    skip "python3 not installed"
fi

# kill(0, SIGTERM) inside the enclave: the caller's own copy (the host
# signal its OCALL sent to the group it is in) is the program's, not a
# SIGTERM from the host that sys.enable_sigterm_injection = false keeps out.
# As pid 1 of its namespace, sh gets it only through its trap.
if need /bin/busybox; then
    manifest "$TMP/kg.toml" /bin/busybox "$(trust /bin/busybox)"
    run_sim "$TMP/kg.toml" sh -c 'trap "echo got TERM" TERM; kill -TERM 0; echo after'
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$(printf 'got TERM\nafter')" ] &&
        ! grep -q 'SIGTERM not passed' "$TMP/err"
    r=$?; check "kill(0, SIGTERM) in the sim reaches the caller's own trap (not dropped as a host SIGTERM)" $r; diag $r
fi

# Realtime signals another process sends reach the program's handlers in
# the enclave (the host's second signal word), instead of ending it.
if [ -x /usr/bin/python3 ]; then
    cat >"$TMP/rt.py" <<'PY'
import os, signal, time
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    got = []
    signal.signal(signal.SIGRTMIN, lambda s, f: got.append(s))
    signal.signal(signal.SIGRTMIN + 3, lambda s, f: got.append(s))
    os.write(w, b"r")
    t = time.time()
    while len(got) < 2 and time.time() - t < 10:
        time.sleep(0.01)
    print("child got", sorted(got), flush=True)
    os._exit(0)
os.read(r, 1)
os.kill(pid, signal.SIGRTMIN)
os.kill(pid, signal.SIGRTMIN + 3)
print("wait", os.waitpid(pid, 0)[1])
PY
    manifest "$TMP/rt.toml" /usr/bin/python3 'sgx.enclave_size = "1G"' 'sgx.allowed_files = ["file:/"]'
    run_sim "$TMP/rt.toml" "$TMP/rt.py"
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$(printf 'child got [34, 37]\nwait 0')" ]
    r=$?; check "realtime signals from another process reach the enclave program's handlers (not its death)" $r; diag $r
fi

# A host that lies about who sent a signal (GEODE_TEST_HOSTILE_SENDER: a
# si_code of the kernel, a negative id, absurd counts): the PAL refuses the
# answer, the program gets the signal without a sender, never the lie.
bin="$GEODE_BUILD/tests/conformance/sig_queue_fork"
if need "$bin"; then
    mkdir -p "$TMP/hs"
    manifest "$TMP/hs.toml" "$bin" "$(trust "$bin" "file:$TMP/hs/")"
    GEODE_TEST_HOSTILE_SENDER=1 run_sim "$TMP/hs.toml" "$TMP/hs"
    [ "$rc" -eq 0 ] && grep -q '^child: exit 0$' "$TMP/out" &&
        ! grep -q 'from parent 1' "$TMP/out" && ! grep -q 'code 5' "$TMP/out" &&
        grep -q '^child got .* code 0 value 0 from parent 0$' "$TMP/out"
    r=$?; check "a host lying about a signal's sender: refused, the signal arrives without one" $r
    [ "$r" -eq 0 ] || sed -n '1,12s/^/    # /p' "$TMP/out"
fi
