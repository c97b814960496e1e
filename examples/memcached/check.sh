#!/usr/bin/env bash
# Sends scripts/commands.txt (memcached's text protocol) to memcached under
# Geode and to native memcached; the replies must be equal. Run by `make check`.
. ../lib.sh
run_one() { # run_one OUT PORT COMMAND...
    local out=$1 port=$2 pid rc
    shift 2
    "$@" >"$out.log" 2>&1 &
    pid=$!
    wait_port "$port" && talk "$port" <scripts/commands.txt | sed 's/^\(VALUE n 5 2\) [0-9]*$/\1 CAS/' >"$out"
    rc=$?
    stop "$pid"
    [ $rc -eq 0 ] || cat "$out.log" >&2
    return $rc
}
MC=$(command -v memcached)
p=$(free_port)
if [ "$(id -u)" = 0 ]; then
    run_one OUTPUT.native "$p" "$MC" -u nobody -l 127.0.0.1 -p "$p" || exit 1
else
    run_one OUTPUT.native "$p" "$MC" -l 127.0.0.1 -p "$p" || exit 1
fi
p=$(free_port)
run_one OUTPUT "$p" $GEODE_RUN memcached.manifest -l 127.0.0.1 -p "$p" || exit 1
[ -s OUTPUT.native ] || { echo "no replies from the native server" >&2; exit 1; }
diff -u OUTPUT.native OUTPUT
