#!/usr/bin/env bash
# Debian's nginx under geode --mode direct (manifests/nginx.manifest.toml and
# manifests/nginx.conf, master process and one forked worker) serves a
# static file on 127.0.0.1: concurrent fetches (bash /dev/tcp, and wrk when
# installed) all get the file, the error log stays empty, an idle worker
# sleeps, and SIGQUIT / SIGTERM to the master end every process. In the sim
# enclave (no fork yet) the same with master_process off.
. "$(dirname "$0")/lib.sh"
NGINX=/usr/sbin/nginx
need "$NGINX" || exit 0
M="$GEODE_ROOT/manifests/nginx.manifest.toml"

free_port() {
    local p
    for _ in $(seq 50); do
        p=$((20000 + RANDOM % 20000))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
    echo 18080
}

# start PREFIX: nginx under geode in the background ($pid); waits until the
# port answers.
start() {
    "$GEODE" run --mode direct "$M" -p "$1/" -c nginx.conf >"$1/stdout" 2>"$1/stderr" &
    pid=$!
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

# fetch PATH: the body of one HTTP/1.0 GET, headers dropped.
fetch() {
    exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
    printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$1" >&3
    sed '1,/^\r$/d' <&3
    exec 3<&-
}

# The process tree under geode's pid (the master), ids of its descendants.
descendants() { pgrep -P "$1" | while read -r c; do echo "$c"; descendants "$c"; done; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

port=$(free_port)
P="$TMP/ngx"
mkdir -p "$P/html"
chmod 755 "$TMP" "$P" "$P/html" # nginx serves as nobody, natively too
sed "s/127.0.0.1:8080/127.0.0.1:$port/" "$GEODE_ROOT/manifests/nginx.conf" >"$P/nginx.conf"
head -c 6000 /dev/urandom | base64 >"$P/html/file.txt"

start "$P"
r=$?; check "nginx starts under geode and listens on 127.0.0.1:$port" $r
[ $r -eq 0 ] || { sed 's/^/    # /' "$P/stderr" "$P/error.log" 2>/dev/null | head; exit 0; }
workers=$(descendants "$pid" | wc -l)
check "the master runs a forked worker ($workers processes under the master)" $([ "$workers" -ge 1 ]; echo $?)

# 8 clients x 25 requests, each reply compared with the file.
for c in $(seq 8); do
    (
        bad=0
        for _ in $(seq 25); do
            fetch /file.txt | cmp -s - "$P/html/file.txt" || bad=$((bad + 1))
        done
        echo "$bad" >"$TMP/bad.$c"
    ) &
done
wait $(jobs -p | grep -v "^$pid$") 2>/dev/null
bad=$(cat "$TMP"/bad.* | awk '{s += $1} END {print s}')
check "200 concurrent fetches (8 clients): every reply is the file ($bad wrong)" $([ "$bad" = 0 ]; echo $?)

if command -v wrk >/dev/null; then
    wrk -t2 -c16 -d2s "http://127.0.0.1:$port/file.txt" >"$TMP/wrk" 2>&1
    reqs=$(awk '/requests in/ {print $1}' "$TMP/wrk")
    ! grep -qE 'Non-2xx|Socket errors' "$TMP/wrk" && [ "${reqs:-0}" -gt 100 ]
    r=$?; check "wrk, 16 connections for 2 s: $reqs requests, no errors, no non-2xx" $r
    [ $r -eq 0 ] || sed 's/^/    # /' "$TMP/wrk"
else
    skip "wrk not installed (apt-get install wrk)"
fi

sleep 0.5
before=0 after=0
for p in $pid $(descendants "$pid"); do before=$((before + $(cpu_ticks "$p"))); done
sleep 1
for p in $pid $(descendants "$pid"); do after=$((after + $(cpu_ticks "$p"))); done
check "idle nginx sleeps ($((after - before)) ticks of CPU in 1 s)" $([ $((after - before)) -le 5 ]; echo $?)

tree=$(descendants "$pid")
kill -QUIT "$pid"
timeout 10 tail --pid="$pid" -f /dev/null
wait "$pid"
rc=$?
left=0
for p in $tree; do kill -0 "$p" 2>/dev/null && left=$((left + 1)); done
check "SIGQUIT to the master: exit status 0 ($rc), no process left ($left)" \
    $([ "$rc" -eq 0 ] && [ "$left" -eq 0 ]; echo $?)
check "error log empty ($(wc -l <"$P/error.log") lines)" $([ ! -s "$P/error.log" ]; echo $?)
[ -s "$P/error.log" ] && sed 's/^/    # /' "$P/error.log" | head -5

# SIGTERM (fast shutdown) ends the master and its worker too.
rm -f "$P/error.log"
if start "$P"; then
    tree=$(descendants "$pid")
    fetch /file.txt | cmp -s - "$P/html/file.txt"
    got=$?
    kill -TERM "$pid"
    timeout 10 tail --pid="$pid" -f /dev/null
    wait "$pid"
    rc=$?
    left=0
    for p in $tree; do kill -0 "$p" 2>/dev/null && left=$((left + 1)); done
    check "SIGTERM to the master: served, exit status 0 ($rc), no process left ($left), empty log" \
        $([ "$got" -eq 0 ] && [ "$rc" -eq 0 ] && [ "$left" -eq 0 ] && [ ! -s "$P/error.log" ]; echo $?)
else
    notok "nginx restarts under geode for the SIGTERM case"
fi

# In the sim enclave: the master forks two workers into new enclaves (the
# same manifest with the prefix allowed); a graceful SIGQUIT ends them all.
S="$TMP/sim"
mkdir -p "$S/html"
cp "$P/nginx.conf" "$P/html/file.txt" "$S/" && mv "$S/file.txt" "$S/html/"
sed -e "s#file:/tmp/geode-nginx/#file:$S/#" -e '/^geode.mode/d' "$M" >"$TMP/sim.toml"
printf 'sgx.enclave_size = "1G"\nsgx.max_threads = 4\n' >>"$TMP/sim.toml"
"$GEODE" run --mode sim "$TMP/sim.toml" -p "$S/" -c nginx.conf -g 'worker_processes 2;' \
    >"$S/stdout" 2>"$S/stderr" &
pid=$!
up=1
for _ in $(seq 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && { up=0; break; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
done
if [ $up -ne 0 ] && grep -qi 'sgx\|sim' "$S/stderr"; then
    skip "sim mode unavailable here: $(head -1 "$S/stderr")"
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || true
else
    bad=0
    for _ in $(seq 20); do fetch /file.txt | cmp -s - "$P/html/file.txt" || bad=$((bad + 1)); done
    kill -QUIT "$pid"
    timeout 10 tail --pid="$pid" -f /dev/null
    wait "$pid"
    rc=$?
    [ $up -eq 0 ] && [ "$bad" -eq 0 ] && [ "$rc" -eq 0 ] && [ ! -s "$S/error.log" ]
    r=$?; check "sim enclave, master and 2 forked workers: 20 fetches ($bad wrong), SIGQUIT exit $rc, empty log" $r
    [ $r -eq 0 ] || sed 's/^/    # /' "$S/stderr" "$S/error.log" 2>/dev/null | head -5
fi
