#!/usr/bin/env bash
# Sends scripts/commands.txt with redis-cli to redis-server under Geode and to
# native redis-server; the replies must be equal. Run by `make check`.
. ../lib.sh
run_one() { # run_one OUT PORT COMMAND...
    local out=$1 port=$2 pid rc
    shift 2
    "$@" >"$out.log" 2>&1 &
    pid=$!
    wait_port "$port" && redis-cli -p "$port" <scripts/commands.txt >"$out"
    rc=$?
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1
    timeout 20 tail --pid="$pid" -f /dev/null || stop "$pid"
    [ $rc -eq 0 ] || cat "$out.log" >&2
    return $rc
}
p=$(free_port)
run_one OUTPUT.native "$p" redis-server --save '' --bind 127.0.0.1 --port "$p" || exit 1
p=$(free_port)
run_one OUTPUT "$p" $GEODE_RUN redis-server.manifest --save '' --bind 127.0.0.1 --port "$p" ||
    exit 1
[ -s OUTPUT.native ] || { echo "no replies from the native server" >&2; exit 1; }
diff -u OUTPUT.native OUTPUT
