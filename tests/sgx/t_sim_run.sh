#!/usr/bin/env bash
# Unmodified programs inside the software SGX: `geode run --mode sim` builds
# the manifest's enclave (trusted PAL + libOS + measured manifest), signs it,
# EINITs it in the sim and runs the program there; every system call reaches
# the libOS inside the enclave (#UD from `syscall`, or a rewritten site) and
# what it cannot serve inside leaves as an OCALL. Outputs are compared with
# the native program's.
. "$GEODE_ROOT/tests/sgx/lib.sh"

# Test programs built three ways: musl static (ET_EXEC at 0x400000, so the
# enclave's heap-low layout at base 0), glibc static-pie, glibc dynamic PIE.
for kind in musl spie dyn; do
    bin="$PROGS/hello.$kind"
    need "$bin" || continue
    manifest "$TMP/h.toml" "$bin" 'loader.env.GEODE_TEST_VAR = "inside"' 'sgx.enclave_size = "256M"' \
        "$(trust "$bin")"
    run_sim "$TMP/h.toml" one two
    [ "$rc" -eq 0 ] && grep -q '^hello from geode, argc=3$' "$TMP/out" &&
        grep -q '^GEODE_TEST_VAR=inside$' "$TMP/out"
    r=$?; check "hello.$kind in the sim enclave: argv and the manifest's environment" $r; diag $r
done

# The host environment is untrusted inside an enclave: geode's own
# diagnostic variables from it are obeyed only when the manifest lets the
# host environment in (loader.insecure__use_host_env).
bin="$PROGS/hello.musl"
if need "$bin"; then
    manifest "$TMP/env0.toml" "$bin" "$(trust "$bin")"
    manifest "$TMP/env1.toml" "$bin" 'loader.insecure__use_host_env = true' "$(trust "$bin")"
    GEODE_TRAP_STATS=1 run_sim "$TMP/env0.toml"
    r0=$rc; grep -q 'syscall traps=' "$TMP/err"; s0=$?
    GEODE_TRAP_STATS=1 run_sim "$TMP/env1.toml"
    [ "$r0" -eq 0 ] && [ "$s0" -ne 0 ] && [ "$rc" -eq 0 ] && grep -q 'syscall traps=' "$TMP/err"
    r=$?; check "GEODE_TRAP_STATS from the host is ignored in the enclave unless the manifest allows the host environment" $r; diag $r
fi

# Bad pointers in system calls: EFAULT, also when the trusted PAL is the one
# that meets them (copying a write() buffer into an OCALL frame).
for kind in musl spie dyn; do
    bin="$PROGS/badptr.$kind"
    need "$bin" || continue
    manifest "$TMP/bp.toml" "$bin" "$(trust "$bin")"
    run_sim "$TMP/bp.toml"
    [ "$rc" -eq 0 ] && grep -q '^failures=0$' "$TMP/out" && [ "$(grep -c '^pass' "$TMP/out")" -eq 6 ]
    r=$?; check "badptr.$kind in the sim enclave: EFAULT, locks released" $r; diag $r
done

BB=/bin/busybox
if ! file "$BB" 2>/dev/null | grep -q 'statically linked'; then
    skip "busybox-static not installed"
else
    manifest "$TMP/bb.toml" "$BB" 'loader.argv = ["busybox"]' 'sgx.enclave_size = "256M"' \
        "$(trust "$BB" "file:$TMP/" file:/etc/passwd file:/etc/group file:/etc/localtime)"
    run_sim "$TMP/bb.toml" echo hello enclave
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "hello enclave" ]
    r=$?; check "busybox echo (non-PIE static glibc)" $r; diag $r

    # A 16 GiB enclave: the heap's page maps (4.5 MiB) lie at the heap's
    # end, so 0x400000, where busybox is linked, is free (they lay at its
    # start, 0x10000, and covered it: "cannot reserve ... at 0x400000").
    manifest "$TMP/bb16.toml" "$BB" 'loader.argv = ["busybox"]' 'sgx.enclave_size = "16G"' "$(trust "$BB")"
    run_sim "$TMP/bb16.toml" echo hello big enclave
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "hello big enclave" ]
    r=$?; check "busybox echo in a 16 GiB enclave (a program linked at 0x400000)" $r; diag $r

    run_sim "$TMP/bb.toml" ls -la /
    grep -v ' proc$' "$TMP/out" >"$TMP/ls.geode"
    $BB ls -la / | grep -v ' proc$' >"$TMP/ls.native"
    [ "$rc" -eq 0 ] && cmp -s "$TMP/ls.geode" "$TMP/ls.native"
    r=$?; check "busybox ls -la / equals native (directories through OCALLs)" $r; diag $r

    head -c 10000000 /dev/urandom >"$TMP/big"
    run_sim "$TMP/bb.toml" sha256sum "$TMP/big"
    [ "$rc" -eq 0 ] && [ "$(cut -d' ' -f1 "$TMP/out")" = "$(sha256sum "$TMP/big" | cut -d' ' -f1)" ]
    r=$?; check "busybox sha256sum of 10 MB equals the host's" $r; diag $r

    # Shell builtins only: processes (fork) do not exist in the enclave yet.
    run_sim "$TMP/bb.toml" sh -c "echo b > $TMP/f; echo a >> $TMP/f; while read l; do echo [\$l]; done < $TMP/f; exit 3"
    [ "$rc" -eq 3 ] && [ "$(cat "$TMP/out")" = "$(printf '[b]\n[a]')" ] && [ "$(cat "$TMP/f")" = "$(printf 'b\na')" ]
    r=$?; check "busybox sh: builtins, a host file written and read back, exit status 3" $r; diag $r

    manifest "$TMP/tmpfs.toml" "$BB" 'loader.argv = ["busybox"]' 'sgx.enclave_size = "256M"' \
        'fs.mounts = [{type = "tmpfs", path = "/scratch"}]' "$(trust "$BB")"
    run_sim "$TMP/tmpfs.toml" sh -c 'echo inside > /scratch/f; read x < /scratch/f; echo $x /scratch/*'
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "inside /scratch/f" ]
    r=$?; check "tmpfs inside the enclave" $r; diag $r
fi

if [ -x /usr/bin/python3 ]; then
    # python3 opens hundreds of modules: this test is about running it, not
    # about trusted files (t_sim_trusted.sh), so every host file is allowed.
    manifest "$TMP/py.toml" /usr/bin/python3 'loader.argv = ["python3"]' 'sgx.enclave_size = "1G"' \
        'sgx.allowed_files = ["file:/"]'
    code='import json, hashlib, re
d = {"h": hashlib.sha256(b"geode").hexdigest(), "m": re.findall(r"\d+", "a1b22c333")}
open("'"$TMP"'/py.json", "w").write(json.dumps(d))
print(json.loads(open("'"$TMP"'/py.json").read())["m"])'
    run_sim "$TMP/py.toml" -c "$code"
    want=$(/usr/bin/python3 -c "$code")
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$want" ]
    r=$?; check "python3 (dynamic, non-PIE): json, hashlib, re, file I/O" $r; diag $r
else
    skip "python3 not installed"
fi

if [ -x /usr/bin/sqlite3 ]; then
    manifest "$TMP/sq.toml" /usr/bin/sqlite3 'loader.argv = ["sqlite3"]' 'sgx.enclave_size = "256M"' \
        "$(trust /usr/bin/sqlite3 "file:$TMP/")"
    sql="create table t(a integer, b text); with recursive c(x) as (select 1 union all select x+1
         from c where x < 20000) insert into t select x, 'row' || x from c;
         select count(*), sum(a), max(b) from t;"
    run_sim "$TMP/sq.toml" "$TMP/db.sqlite" "$sql"
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$(sqlite3 :memory: "$sql")" ] &&
        [ "$(sqlite3 "$TMP/db.sqlite" 'select count(*) from t')" = 20000 ]
    r=$?; check "sqlite3: 20000 inserts into a database file, aggregate equals native" $r; diag $r
else
    skip "sqlite3 not installed"
fi

if [ -x /usr/bin/lua5.4 ]; then
    manifest "$TMP/lua.toml" /usr/bin/lua5.4 'loader.argv = ["lua5.4"]' 'sgx.enclave_size = "256M"' \
        "$(trust /usr/bin/lua5.4)"
    code='local co = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end)
print(co() + co() + co(), string.format("%05.1f", math.pi), ("x"):rep(3))'
    run_sim "$TMP/lua.toml" -e "$code"
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$(lua5.4 -e "$code")" ]
    r=$?; check "lua5.4: coroutines and string functions" $r; diag $r
else
    skip "lua5.4 not installed"
fi

# A program fault inside the enclave is the program's signal, as natively.
if [ -x "$PROGS/hello.musl" ] && [ -x /usr/bin/python3 ]; then
    run_sim "$TMP/py.toml" -c 'import os, signal; os.kill(os.getpid(), signal.SIGTERM)'
    [ "$rc" -eq $((128 + 15)) ]
    r=$?; check "a program killed by SIGTERM: exit status 143 (got $rc)" $r; diag $r
fi

# A server with helper threads inside the enclave, driven natively over TCP.
if [ -x /usr/bin/redis-server ] && [ -x /usr/bin/redis-benchmark ]; then
    port=$((20000 + RANDOM % 20000))
    manifest "$TMP/redis.toml" /usr/bin/redis-server 'loader.argv = ["redis-server"]' 'sgx.max_threads = 8' \
        "$(trust /usr/bin/redis-server file:/etc/localtime file:/etc/ssl/openssl.cnf)"
    "$GEODE" run --mode sim "$TMP/redis.toml" --port "$port" --bind 127.0.0.1 --save '' \
        --appendonly no >"$TMP/redis.out" 2>&1 &
    pid=$!
    for _ in $(seq 200); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
    timeout 120 redis-benchmark -p "$port" -n 2000 -c 4 -t set,get --csv >"$TMP/bench.csv" 2>&1
    sets=$(grep -c '^"SET"' "$TMP/bench.csv"); gets=$(grep -c '^"GET"' "$TMP/bench.csv")
    keys=$(redis-cli -p "$port" dbsize 2>/dev/null)
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1
    wait "$pid"; src=$?
    [ "$sets" -eq 1 ] && [ "$gets" -eq 1 ] && [ "$keys" = 1 ] && [ "$src" -eq 0 ]
    r=$?; check "redis-server in the sim enclave serves redis-benchmark -n 2000 (set, get), exits 0" $r
    [ $r -eq 0 ] || sed -n '1,5s/^/    # /p' "$TMP/redis.out" "$TMP/bench.csv"
else
    skip "redis-server or redis-benchmark not installed"
fi

# At debug log level geode prints the transition counts at exit; with
# AEX-Notify every exception inside costs one AEX, one ERESUME, one EDECCSSA.
if [ -x "$PROGS/hello.spie" ]; then
    manifest "$TMP/dbg.toml" "$PROGS/hello.spie" 'loader.log_level = "debug"' \
        "$(trust "$PROGS/hello.spie")"
    sed -i '/loader.log_level = "warning"/d' "$TMP/dbg.toml"
    run_sim "$TMP/dbg.toml"
    line=$(grep '^geode: enclave transitions:' "$TMP/err")
    exc=$(sed -n 's/.* exceptions \([0-9]*\) .*/\1/p' <<<"$line")
    dec=$(sed -n 's/.* EDECCSSA \([0-9]*\) .*/\1/p' <<<"$line")
    aex=$(sed -n 's/.*AEX(reported) \([0-9]*\) .*/\1/p' <<<"$line")
    [ "$rc" -eq 0 ] && [ -n "$exc" ] && [ "$exc" -gt 0 ] && [ "$exc" = "$dec" ] && [ "$exc" = "$aex" ]
    r=$?; check "debug log: transition counts at exit, one AEX and one EDECCSSA per exception ($line)" $r
    diag $r
fi
