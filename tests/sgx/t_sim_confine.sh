#!/usr/bin/env bash
# The confined host (pal/sgx/urts/urts_confine.c, docs/sgx-pal.md "Confined
# host"): once the enclave is built, geode run's own process may make only
# the host calls the manifest needs.
#  - the test hook GEODE_TEST_CONFINE=1 makes the untrusted runtime itself
#    try forbidden calls after the filter is in place (execve of /bin/true
#    twice, socket with geode.host_network = false, ptrace, an executable
#    mapping outside the enclave): each fails with EPERM, each is named
#    once, and the program still runs as usual;
#  - with the default geode.host_network the same socket is allowed;
#  - a program's socket() with geode.host_network = false gets EPERM, its
#    socketpair still works;
#  - sgx.insecure__host_unconfined = true: no filter, and geode says so.
. "$GEODE_ROOT/tests/sgx/lib.sh"

bin="$PROGS/hello.dyn"
if need "$bin"; then
    manifest "$TMP/h.toml" "$bin" 'geode.host_network = false' "$(trust "$bin")"
    GEODE_TEST_CONFINE=1 run_sim "$TMP/h.toml" one
    [ "$rc" -eq 0 ] && grep -q '^hello from geode, argc=2$' "$TMP/out" &&
        [ "$(grep -c '^geode: host call execve refused by the confinement filter (manifest does not allow' "$TMP/err")" -eq 1 ] &&
        [ "$(grep -c '^geode: confinement test: execve /bin/true: Operation not permitted$' "$TMP/err")" -eq 2 ]
    r=$?; check "execve after the start is refused (EPERM, named once) and the program runs on" $r; diag $r

    grep -q '^geode: host call socket refused by the confinement filter (manifest does not allow host networking: geode.host_network = false)$' "$TMP/err" &&
        grep -q '^geode: confinement test: socket AF_INET: Operation not permitted$' "$TMP/err"
    r=$?; check "socket is refused when the manifest says geode.host_network = false" $r; diag $r

    grep -q '^geode: host call ptrace refused by the confinement filter' "$TMP/err" &&
        grep -q '^geode: confinement test: ptrace: Operation not permitted$' "$TMP/err" &&
        grep -q '^geode: host call mmap refused by the confinement filter (manifest does not allow executable host memory outside the enclave)$' "$TMP/err" &&
        grep -q '^geode: confinement test: mmap PROT_EXEC outside the enclave: Operation not permitted$' "$TMP/err"
    r=$?; check "ptrace and an executable mapping outside the enclave are refused" $r; diag $r

    manifest "$TMP/n.toml" "$bin" "$(trust "$bin")"
    GEODE_TEST_CONFINE=1 run_sim "$TMP/n.toml"
    [ "$rc" -eq 0 ] && grep -q '^geode: confinement test: socket AF_INET: allowed$' "$TMP/err" &&
        grep -q '^geode: confinement test: execve /bin/true: Operation not permitted$' "$TMP/err" &&
        ! grep -q 'host call socket refused' "$TMP/err"
    r=$?; check "socket is allowed with the default geode.host_network; execve still refused" $r; diag $r

    manifest "$TMP/u.toml" "$bin" 'sgx.insecure__host_unconfined = true' "$(trust "$bin")"
    run_sim "$TMP/u.toml"
    [ "$rc" -eq 0 ] && grep -q '^hello from geode' "$TMP/out" &&
        grep -q '^geode run: the host is not confined (sgx.insecure__host_unconfined)$' "$TMP/err" &&
        ! grep -q 'confinement' "$TMP/err"
    r=$?; check "sgx.insecure__host_unconfined = true: no filter, and a line says so" $r; diag $r
fi

PY=/usr/bin/python3
if need "$PY"; then
    cp "$GEODE_ROOT/manifests/python3.manifest.toml" "$TMP/py.toml"
    echo 'geode.host_network = false' >>"$TMP/py.toml"
    cat >"$TMP/sock.py" <<'PYEOF'
import socket
try:
    socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    print("socket: allowed")
except PermissionError as e:
    print("socket: EPERM")
a, b = socket.socketpair()
a.sendall(b"pair")
print("socketpair:", b.recv(4).decode())
PYEOF
    RUN_TIMEOUT=240 run_sim "$TMP/py.toml" "$TMP/sock.py"
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$(printf 'socket: EPERM\nsocketpair: pair')" ] &&
        grep -q '^geode: host call socket refused by the confinement filter' "$TMP/err"
    r=$?; check "python3 with geode.host_network = false: socket() is EPERM, socketpair works" $r
    [ "$r" -eq 0 ] || { sed -n '1,5s/^/    # /p' "$TMP/out"; diag 1; }
fi
