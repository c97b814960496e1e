#!/usr/bin/env bash
# Debian's PostgreSQL server under geode, direct and sim (skipped where it
# is not installed): a forked backend per connection, shared memory between
# processes (sys.insecure__shared_memory_untrusted, /dev/shm as an
# untrusted_shm mount for its dynamic segments), and backends that wake
# each other with SIGURG into a signalfd (a lost wake stalls a backend that
# waits for a lock until its deadlock timer). pgbench with 4 clients must
# finish every transaction, and much faster than one per deadlock timeout.
. "$(dirname "$0")/lib.sh"
BIN=/usr/lib/postgresql/15/bin
for p in "$BIN/postgres" "$BIN/initdb" "$BIN/pgbench" "$BIN/psql"; do
    need "$p" || exit 0
done
if ! id postgres >/dev/null 2>&1 || ! command -v runuser >/dev/null; then
    skip "PostgreSQL: no postgres user or no runuser"
    exit 0
fi
MODES="direct sim"
sim_why=$(sim_unavailable)
[ -n "$sim_why" ] && MODES=direct && skip "PostgreSQL in the sim: $sim_why"

D="$TMP/pg"
mkdir -p "$D"
chmod 755 "$TMP"
chown postgres "$D"
if ! runuser -u postgres -- "$BIN/initdb" -D "$D/data" -A trust >"$D/initdb.log" 2>&1; then
    skip "PostgreSQL: initdb failed natively ($(tail -1 "$D/initdb.log"))"
    exit 0
fi
uid=$(id -u postgres) gid=$(id -g postgres)
manifest "$D/m.toml" "$BIN/postgres" \
    'fs.root = { uri = "file:/" }' 'sgx.allowed_files = ["file:/"]' \
    'sgx.enclave_size = "2G"' 'sgx.max_threads = 16' \
    "loader.uid = $uid" "loader.gid = $gid" 'loader.env.LANG = "C.UTF-8"' \
    'sys.insecure__shared_memory_untrusted = true' \
    'fs.mounts = [ { type = "untrusted_shm", path = "/dev/shm", uri = "dev:/dev/shm" } ]'
chmod 644 "$D/m.toml"

port=$((20000 + RANDOM % 20000))
for mode in $MODES; do
    runuser -u postgres -- "$GEODE" run --mode "$mode" "$D/m.toml" -D "$D/data" -k "$D" \
        -p "$port" -c listen_addresses=127.0.0.1 -c deadlock_timeout=1s >"$D/$mode.log" 2>&1 &
    pid=$!
    up=1
    for _ in $(seq 300); do
        "$BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -Atc 'select 1' >/dev/null 2>&1 && { up=0; break; }
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    check "PostgreSQL ($mode): the server starts and answers" $up
    if [ $up -ne 0 ]; then
        sed -n '1,8s/^/    # /p' "$D/$mode.log"
        kill -KILL "$(pgrep -P "$pid" | head -1)" 2>/dev/null
        wait "$pid" 2>/dev/null
        continue
    fi
    out=$("$BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -Atc \
        "create table t_$mode(a int); insert into t_$mode select generate_series(1,1000); select count(*), sum(a) from t_$mode;" 2>&1)
    check "PostgreSQL ($mode): a table made, filled and summed ($(echo "$out" | tail -1))" \
        $([ "$(echo "$out" | tail -1)" = "1000|500500" ]; echo $?)
    timeout 120 "$BIN/pgbench" -h 127.0.0.1 -p "$port" -U postgres -i -s 1 postgres >"$D/init.$mode" 2>&1
    timeout 120 "$BIN/pgbench" -h 127.0.0.1 -p "$port" -U postgres -c 4 -t 50 postgres >"$D/bench.$mode" 2>&1
    r=$?
    done_tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$D/bench.$mode")
    failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$D/bench.$mode")
    check "PostgreSQL ($mode): pgbench, 4 clients, 200 transactions all done (${done_tx:-none}, failed ${failed:-?})" \
        $([ $r -eq 0 ] && [ "${done_tx:-0}" = 200 ] && [ "${failed:-1}" = 0 ]; echo $?)
    [ $r -eq 0 ] || sed -n '1,5s/^/    # /p' "$D/bench.$mode"
    tps=$(sed -n 's/^tps = \([0-9]*\).*/\1/p' "$D/bench.$mode")
    # Lost wakes between backends show as about one transaction per lock
    # wait per deadlock timeout (27 per second was seen): far below this.
    check "PostgreSQL ($mode): backends wake each other (${tps:-0} transactions/s, more than 50)" \
        $([ "${tps:-0}" -gt 50 ]; echo $?)
    # The server is geode under runuser, which does not pass SIGINT on.
    kill -INT "$(pgrep -P "$pid" | head -1)" 2>/dev/null
    wait "$pid"
    r=$?
    check "PostgreSQL ($mode): SIGINT shuts it down cleanly (status $r)" $([ $r -eq 0 ]; echo $?)
    grep -q "database system is shut down" "$D/$mode.log"
    check "PostgreSQL ($mode): the log says it shut down" $?
done
