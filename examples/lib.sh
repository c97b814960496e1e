# Helpers for the server examples' check.sh (sourced).
set -u
# A TCP port on 127.0.0.1 that is free now.
free_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# Waits up to 20 s for something to listen on 127.0.0.1:PORT.
wait_port() {
    local i
    for i in $(seq 400); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.05
    done
    echo "nothing listens on 127.0.0.1:$1" >&2
    return 1
}
# Sends stdin to 127.0.0.1:PORT and prints the answer (carriage returns dropped).
talk() {
    /usr/bin/python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(sys.stdin.buffer.read())
s.shutdown(socket.SHUT_WR)
out = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    out += b
sys.stdout.write(out.decode().replace("\r", ""))
' "$1"
}
# Stops PID (SIGTERM) and waits for it.
stop() {
    kill "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    return 0
}
