#!/usr/bin/env bash
# Exitless OCALLs in the sim (geode.ocall_workers): the same programs give
# the same results with 0 workers (every OCALL leaves the enclave) and with
# 2 (host workers serve them while the enclave thread stays inside; reads
# and writes on pipes and ttys are handed back to the thread's own exit).
# The counters and a hostile worker are checked in test_sgx_exitless.
. "$GEODE_ROOT/tests/sgx/lib.sh"

BB=/bin/busybox
if ! file "$BB" 2>/dev/null | grep -q 'statically linked'; then
    skip "busybox-static not installed"
else
    head -c 3000000 /dev/urandom >"$TMP/big"
    want=$(sha256sum "$TMP/big" | cut -d' ' -f1)
    for w in 0 2; do
        manifest "$TMP/bb$w.toml" "$BB" 'loader.argv = ["busybox"]' 'sgx.enclave_size = "256M"' \
            "geode.ocall_workers = $w" "$(trust "$BB" "file:$TMP/")"
        run_sim "$TMP/bb$w.toml" sha256sum "$TMP/big"
        [ "$rc" -eq 0 ] && [ "$(cut -d' ' -f1 "$TMP/out")" = "$want" ]
        r=$?; check "busybox sha256sum of 3 MB with ocall_workers = $w equals the host's" $r; diag $r
    done
    # A pipe between two builtins would need fork; stdin from a pipe is a
    # read a worker hands back.
    printf 'through a pipe\n' | timeout -k 5 60 "$GEODE" run --mode sim "$TMP/bb2.toml" cat >"$TMP/out" 2>"$TMP/err"
    rc=$?
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "through a pipe" ]
    r=$?; check "busybox cat of a pipe with ocall_workers = 2 (READ handed back)" $r; diag $r
fi

if [ -x /usr/bin/python3 ]; then
    code='import hashlib, os
p = "'"$TMP"'/py.bin"
with open(p, "wb") as f:
    for i in range(200): f.write(hashlib.sha256(str(i).encode()).digest() * 64)
h = hashlib.sha256()
with open(p, "rb") as f:
    while (b := f.read(4096)): h.update(b)
print(os.path.getsize(p), h.hexdigest(), sorted(os.listdir("'"$TMP"'"))[:3])'
    want=$(/usr/bin/python3 -c "$code")
    for w in 0 2; do
        # python3 opens hundreds of files; this test is about OCALLs: all allowed.
        manifest "$TMP/py$w.toml" /usr/bin/python3 'loader.argv = ["python3"]' 'sgx.enclave_size = "1G"' \
            "geode.ocall_workers = $w" 'sgx.allowed_files = ["file:/"]'
        run_sim "$TMP/py$w.toml" -c "$code"
        [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$want" ]
        r=$?; check "python3 file I/O with ocall_workers = $w equals native" $r; diag $r
    done
else
    skip "python3 not installed"
fi

# Demand paging with workers: mem_lazy as natively. (The nested OCALL from a
# fault in the copy out of a worker's slot is what the busybox cat check
# above caught when it reused the slot; this program's reads into fresh
# pages did not reach that copy.)
bin="$GEODE_BUILD/tests/conformance/mem_lazy"
if need "$bin"; then
    mkdir -p "$TMP/lazy.n" "$TMP/lazy.w"
    "$bin" "$TMP/lazy.n" >"$TMP/lazy.native" 2>&1
    manifest "$TMP/lazy.toml" "$bin" 'geode.ocall_workers = 2' "$(trust "$bin" "file:$TMP/lazy.w/")"
    run_sim "$TMP/lazy.toml" "$TMP/lazy.w"
    [ "$rc" -eq 0 ] && cmp -s "$TMP/out" "$TMP/lazy.native"
    r=$?; check "mem_lazy with ocall_workers = 2 as natively" $r
    [ "$r" -eq 0 ] || diff "$TMP/lazy.native" "$TMP/out" | sed -n '1,8s/^/    # /p'
fi

# Sockets with workers: a worker serves reads, writes, recv and send on a
# non-blocking socket (with MSG_DONTWAIT) and polls without waiting; a
# blocking recv, and a poll or epoll wait with nothing ready, go back to
# the thread's own exit, where they wait. Results as natively.
if [ -x /usr/bin/python3 ]; then
    code='import socket, select, threading, time, os
a, b = socket.socketpair()
got = []
t = threading.Thread(target=lambda: got.append(b.recv(5)))
t.start(); time.sleep(0.1); a.send(b"hello"); t.join()
b.setblocking(False)
try:
    b.recv(10); r = "data"
except BlockingIOError:
    r = "EAGAIN"
a.sendall(b"x" * 100000)
n = 0
while n < 100000:
    select.select([b], [], [], 5)
    n += len(b.recv(65536))
p = select.poll(); p.register(b, select.POLLIN)
t0 = time.time(); empty = p.poll(100); waited = time.time() - t0 >= 0.09
ep = select.epoll(); ep.register(b.fileno(), select.EPOLLIN)
e1 = ep.poll(0.05)
os.write(a.fileno(), b"yy"); e2 = [ev for _, ev in ep.poll(1)]
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(); srv.setblocking(False)
c = socket.create_connection(srv.getsockname())
select.select([srv], [], [], 5); s, _ = srv.accept(); s.setblocking(False)
c.sendall(b"over tcp"); select.select([s], [], [], 5)
print(got, r, n, empty, waited, e1, e2, s.recv(100), os.read(b.fileno(), 10))'
    want=$(/usr/bin/python3 -c "$code")
    for w in 0 2; do
        manifest "$TMP/sock$w.toml" /usr/bin/python3 'loader.argv = ["python3"]' 'sgx.enclave_size = "1G"' \
            "geode.ocall_workers = $w" 'sgx.allowed_files = ["file:/"]' 'sgx.max_threads = 8'
        run_sim "$TMP/sock$w.toml" -c "$code"
        [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$want" ]
        r=$?; check "python3 sockets, poll and epoll with ocall_workers = $w equal native" $r; diag $r
    done
fi
