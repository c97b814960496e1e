#!/usr/bin/env bash
# Debian applications under geode --mode direct: sqlite3, lua5.4 and
# redis-server (served to a native redis-benchmark), compared with native.
. "$(dirname "$0")/lib.sh"
R="$GEODE_ROOT/manifests"

if need /usr/bin/sqlite3; then
    sql='create table t(a integer, b text); begin;
with recursive c(x) as (select 1 union all select x + 1 from c where x < 100000)
insert into t select x, hex(x) from c; commit;
select count(*), sum(a), max(b), avg(length(b)) from t;'
    run_direct "$R/sqlite3.manifest.toml" :memory: "$sql"
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$(sqlite3 :memory: "$sql")" ]
    check "sqlite3 :memory: 100k inserts + aggregate equals native" $?
    run_direct "$R/sqlite3.manifest.toml" "$TMP/db.sqlite" "$sql"
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$(sqlite3 :memory: "$sql")" ] &&
        [ "$(sqlite3 "$TMP/db.sqlite" 'select count(*) from t')" = 100000 ]
    check "sqlite3 on a file: 100k inserts, readable natively afterwards" $?
fi

if need /usr/bin/lua5.4; then
    lua='local co = coroutine.wrap(function(a) local b = coroutine.yield(a * 2); return a + b end)
local t = {co(5), co(7)}
local s = string.format("%s|%s|%d", string.rep("ab", 3), ("Geode"):upper(), #t)
local f = io.open(os.getenv("TMPF"), "w"); f:write(s); f:close()
for line in io.lines(os.getenv("TMPF")) do print(t[1], t[2], line) end'
    echo "loader.env.TMPF = \"$TMP/lua.txt\"" >"$TMP/lua.toml"
    cat "$R/lua.manifest.toml" >>"$TMP/lua.toml"
    run_direct "$TMP/lua.toml" -e "$lua"
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$(TMPF=$TMP/lua.native lua5.4 -e "$lua")" ]
    check "lua5.4 coroutines, string functions, io equal native" $?
fi

if need /usr/bin/redis-server && need /usr/bin/redis-benchmark; then
    port=$((20000 + RANDOM % 20000))
    "$GEODE" run --mode direct "$R/redis.manifest.toml" --port "$port" --bind 127.0.0.1 \
        --save '' --appendonly no >"$TMP/redis.out" 2>&1 &
    pid=$!
    for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
    timeout 120 redis-benchmark -p "$port" -n 20000 -c 10 -t set,get --csv >"$TMP/bench.csv" 2>&1
    sets=$(grep -c '^"SET"' "$TMP/bench.csv"); gets=$(grep -c '^"GET"' "$TMP/bench.csv")
    errs=$(redis-cli -p "$port" info stats | grep -c '^rejected_connections:0')
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1
    wait "$pid"
    [ "$sets" -eq 1 ] && [ "$gets" -eq 1 ] && [ "$errs" -eq 1 ]
    check "redis-server under geode serves redis-benchmark -n 20000 (set, get)" $?
    sed 's/^/# /' "$TMP/bench.csv" | head -3
fi
