#!/usr/bin/env bash
# Issue 8's acceptance run, by hand (not part of make test: about 10
# minutes): busybox, python3 with 8 threads and redis-server under
# redis-benchmark, each N times (default 20) in the sim enclave while two
# busy loops compete for the CPUs, once with the host's real capabilities
# and once with GEODE_TEST_HIDE_CAPS=fsgsbase (the kernel-loses-bases
# emulation). Prints one line per program and host kind: "K of N correct".
# Usage: tests/sgx/stress_programs.sh [BUILD] [N]
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${1:-build}; [ "${B#/}" != "$B" ] || B="$ROOT/$B"
BUILD=$(cd "$B" && pwd)
N=${2:-20}
GEODE="$BUILD/geode"
TMP=$(mktemp -d /tmp/geode-stress.XXXXXX)
loops=()
cleanup() { kill "${loops[@]}" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
for _ in 1 2; do (while :; do :; done) & loops+=($!); done

trusted() { # TOML list of trusted files for a dynamic program and its libraries
    local files=("$1" $(ldd "$1" | grep -o '/[^ ]*'))
    printf 'sgx.trusted_files = ['
    printf '"file:%s", ' "${files[@]}" /etc/ld.so.cache
    printf ']\n'
}

cat >"$TMP/bb.toml" <<T
libos.entrypoint = "/bin/busybox"
loader.argv = ["busybox", "sh", "-c", "echo hello; i=0; while [ \$i -lt 200 ]; do i=\$((i+1)); done; echo \$i"]
loader.log_level = "error"
sgx.trusted_files = ["file:/bin/busybox"]
T
cat >"$TMP/thr.py" <<'P'
import threading, hashlib
out = [None] * 8
def work(i):
    h = hashlib.sha256()
    for j in range(2000):
        h.update(b"%d-%d" % (i, j))
    out[i] = h.hexdigest()[:8]
ts = [threading.Thread(target=work, args=(i,)) for i in range(8)]
for t in ts: t.start()
for t in ts: t.join()
print(" ".join(out))
P
sed -e 's|^loader.argv.*|loader.argv = ["python3", "'"$TMP"'/thr.py"]|' \
    -e 's|^loader.insecure__use_cmdline_argv.*||' "$ROOT/manifests/python3.manifest.toml" >"$TMP/py.toml"
echo 'sgx.max_threads = 16' >>"$TMP/py.toml"
{ echo 'libos.entrypoint = "/usr/bin/redis-server"'
  echo 'loader.argv = ["redis-server"]'
  echo 'loader.insecure__use_cmdline_argv = true'
  echo 'loader.log_level = "error"'
  echo 'sgx.max_threads = 8'
  trusted /usr/bin/redis-server
  echo 'sgx.allowed_files = ["file:/etc/localtime", "file:/etc/ssl/openssl.cnf"]'
} >"$TMP/redis.toml"

want_bb=$(/bin/busybox sh -c 'echo hello; i=0; while [ $i -lt 200 ]; do i=$((i+1)); done; echo $i')
want_py=$(/usr/bin/python3 "$TMP/thr.py")

one_redis() {
    local port=$((20000 + RANDOM % 20000))
    "$GEODE" run --mode sim "$TMP/redis.toml" --port "$port" --bind 127.0.0.1 --save '' \
        --appendonly no >"$TMP/redis.out" 2>&1 &
    local pid=$!
    for _ in $(seq 400); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
    timeout 120 redis-benchmark -p "$port" -n 2000 -c 4 -t set,get --csv >"$TMP/bench.csv" 2>&1
    local sets gets keys
    sets=$(grep -c '^"SET"' "$TMP/bench.csv"); gets=$(grep -c '^"GET"' "$TMP/bench.csv")
    keys=$(redis-cli -p "$port" dbsize 2>/dev/null)
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1
    wait "$pid"
    local src=$?
    [ "$sets" -eq 1 ] && [ "$gets" -eq 1 ] && [ "$keys" = 1 ] && [ "$src" -eq 0 ]
}

for hide in "" fsgsbase; do
    export GEODE_TEST_HIDE_CAPS=$hide
    kind=${hide:+"hidden $hide"}; kind=${kind:-"host capabilities"}
    bb=0 py=0 rd=0
    for _ in $(seq "$N"); do
        [ "$(timeout 120 "$GEODE" run --mode sim "$TMP/bb.toml" 2>"$TMP/err")" = "$want_bb" ] && bb=$((bb + 1))
        [ "$(timeout 300 "$GEODE" run --mode sim "$TMP/py.toml" 2>"$TMP/err")" = "$want_py" ] && py=$((py + 1))
        one_redis && rd=$((rd + 1))
    done
    echo "$kind: busybox $bb of $N, python3 8 threads $py of $N, redis-benchmark $rd of $N"
done
