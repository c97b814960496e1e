#!/usr/bin/env bash
# busybox-static (static glibc, non-PIE) under geode --mode direct.
. "$(dirname "$0")/lib.sh"
BB=/bin/busybox
M="$GEODE_ROOT/manifests/busybox.manifest.toml"
file "$BB" 2>/dev/null | grep -q 'statically linked' || { skip "busybox-static not installed"; exit 0; }

run_direct "$M" echo hello world
[ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "hello world" ]
check "busybox echo" $?

printf 'line one\nline two\n' >"$TMP/in.txt"
run_direct "$M" cat "$TMP/in.txt"
cmp -s "$TMP/out" "$TMP/in.txt"
check "busybox cat" $?

# /proc differs between any two moments (link counts), so leave it out.
run_direct "$M" ls -la /
grep -v ' proc$' "$TMP/out" >"$TMP/ls.geode"
$BB ls -la / | grep -v ' proc$' >"$TMP/ls.native"
[ "$rc" -eq 0 ] && cmp -s "$TMP/ls.geode" "$TMP/ls.native"
check "busybox ls -la / equals native" $?

head -c 10485760 /dev/urandom >"$TMP/big"
run_direct "$M" sha256sum "$TMP/big"
[ "$rc" -eq 0 ] && [ "$(cut -d' ' -f1 "$TMP/out")" = "$(sha256sum "$TMP/big" | cut -d' ' -f1)" ]
check "busybox sha256sum of 10 MiB equals the host's" $?

run_direct "$M" sh -c 'echo hi; exit 3'
[ "$rc" -eq 3 ] && [ "$(cat "$TMP/out")" = "hi" ]
check "busybox sh -c 'echo hi; exit 3' exits 3" $?

run_direct "$M" sh -c 'kill -TERM $$'
check "killed by SIGTERM: status 143" $([ "$rc" -eq 143 ]; echo $?)

# Processes: fork, execve (applets re-exec /proc/self/exe), pipes, wait.
run_direct "$M" sh -c 'echo hi | sort; exit 3'
[ "$rc" -eq 3 ] && [ "$(cat "$TMP/out")" = "hi" ]
check "busybox sh -c 'echo hi | sort; exit 3' exits 3" $?

printf 'pear\napple\nfig\n' >"$TMP/fruit"
run_direct "$M" sort "$TMP/fruit"
[ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$(sort "$TMP/fruit")" ]
check "busybox sort" $?

run_direct "$M" sh -c "gzip -c $TMP/big | gunzip -c | sha256sum"
[ "$rc" -eq 0 ] && [ "$(cut -d' ' -f1 "$TMP/out")" = "$(sha256sum "$TMP/big" | cut -d' ' -f1)" ]
check "busybox gzip -c | gunzip -c round trip" $?

mkdir -p "$TMP/tree/sub" "$TMP/untar"
echo data >"$TMP/tree/sub/file"
run_direct "$M" sh -c "cd $TMP && tar cf - tree | (cd $TMP/untar && tar xf -)"
[ "$rc" -eq 0 ] && diff -r "$TMP/tree" "$TMP/untar/tree" >/dev/null
check "busybox tar c | tar x round trip" $?

run_direct "$M" find "$TMP/tree" -name file
[ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$TMP/tree/sub/file" ]
check "busybox find" $?

# busybox httpd under geode (a fork per connection) and wget under geode.
mkdir -p "$TMP/www"
echo "served-by-geode" >"$TMP/www/index.html"
# busybox httpd under geode on a port below the kernel's ephemeral range
# (32768+), then wget under geode. One retry on a fresh port guards against
# an environmental failure (port taken, a starved machine); the first
# attempt's diagnostics are printed either way.
fetch_once() {
    local port=$((20000 + RANDOM % 12000))
    "$GEODE" run --mode direct "$M" httpd -f -p "127.0.0.1:$port" -h "$TMP/www" >"$TMP/httpd.log" 2>&1 &
    local hpid=$!
    for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
    run_direct "$M" wget -q -O - "http://127.0.0.1:$port/index.html"
    kill "$hpid"; wait "$hpid" 2>/dev/null
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "served-by-geode" ]
}
if ! fetch_once; then
    echo "# wget attempt 1 failed (exit $rc): $(head -c 300 "$TMP/err" | tr '\n' ' ')"
    echo "# httpd log: $(head -c 300 "$TMP/httpd.log" | tr '\n' ' ')"
    fetch_once
fi
check "busybox wget from busybox httpd, both under geode" $?
