#!/usr/bin/env bash
# Sockets, epoll (python selectors), select and socketpair under geode;
# and a server under geode answering a native client on 127.0.0.1.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
need "$PY" || exit 0
M="$GEODE_ROOT/manifests/python3.manifest.toml"

code='import socket, selectors, threading, select
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen()
port = srv.getsockname()[1]
def serve():
    sel = selectors.EpollSelector()
    sel.register(srv, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select(timeout=10):
            if key.fileobj is srv:
                conn, _ = srv.accept(); sel.register(conn, selectors.EVENT_READ)
            else:
                data = key.fileobj.recv(1024)
                if not data:
                    return
                key.fileobj.sendall(data.upper())
t = threading.Thread(target=serve); t.start()
c = socket.create_connection(("127.0.0.1", port))
for word in (b"hello", b"geode"):
    c.sendall(word); print(c.recv(1024).decode())
c.close(); t.join()
a, b = socket.socketpair(); a.sendall(b"pair")
r, _, _ = select.select([b], [], [], 5)
print(b.recv(16).decode() if r else "select timed out")'
run_direct "$M" -c "$code"
[ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$(printf 'HELLO\nGEODE\npair')" ]
check "python3 TCP server+client over epoll, socketpair, select" $?

# Server under geode, client native.
srv='import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen()
print(s.getsockname()[1], flush=True)
c, _ = s.accept(); c.sendall(c.recv(100)[::-1]); c.close()'
"$GEODE" run --mode direct "$M" -c "$srv" >"$TMP/srv.out" 2>"$TMP/srv.err" &
pid=$!
for _ in $(seq 100); do [ -s "$TMP/srv.out" ] && break; sleep 0.05; done
port=$(head -1 "$TMP/srv.out")
reply=$($PY -c "import socket; c = socket.create_connection(('127.0.0.1', $port)); c.sendall(b'abcdef'); print(c.recv(100).decode())" 2>&1)
wait "$pid"
rc=$?
[ "$rc" -eq 0 ] && [ "$reply" = "fedcba" ]
check "server under geode answers a native client" $?
