#!/usr/bin/env bash
# fork in the enclave (pal/sgx/enclave/pal_fork.c, docs/sgx-pal.md "Fork"):
# a child is a new enclave with the parent's state, sent over a host socket
# sealed under a key only this enclave derives.
#  - tests/programs/forkstate.c (memory, descriptors, registers, signals,
#    cwd, threads, vfork+execve, posix_spawn, statuses; "big": 100 MiB)
#    in the sim and natively: the same output;
#  - busybox sh: pipelines, subshells, $(...), background jobs, statuses,
#    compared with busybox run natively;
#  - the same with geode.process_pool = 2 (children whose enclave was
#    built ahead: the descriptor table handed over whole);
#  - a hostile host (GEODE_TEST_FORK_TAMPER): a flipped byte, a dropped
#    record and a replayed stream each make the child refuse to start, and
#    the parent's fork fail with EAGAIN; no process is left behind.
. "$GEODE_ROOT/tests/sgx/lib.sh"
# GEODE_TEST_EDMM=1 (t_sim_edmm.sh runs it so): every enclave with sgx.edmm_enable.
if [ -n "${GEODE_TEST_EDMM:-}" ]; then
    eval "$(declare -f manifest | sed '1s/manifest/manifest_base/')"
    manifest() { manifest_base "$@" 'sgx.edmm_enable = true'; }
fi

for case in "musl big 0" "dyn - 0" "dyn - 2"; do
    set -- $case
    kind=$1 arg=${2#-} pool=$3
    bin="$PROGS/forkstate.$kind"
    need "$bin" || continue
    manifest "$TMP/f.toml" "$bin" 'sgx.enclave_size = "1G"' "geode.process_pool = $pool" "$(trust "$bin" file:/tmp/)"
    (cd /tmp && "$bin" $arg) >"$TMP/native" 2>&1
    run_sim "$TMP/f.toml" $arg
    [ "$rc" -eq 0 ] && grep -q '^failures=0$' "$TMP/out" && diff -u "$TMP/native" "$TMP/out" >"$TMP/diff"
    r=$?
    check "forkstate.$kind${arg:+ $arg}$([ "$pool" != 0 ] && echo " (pool)"): the forked child has the parent's state (as natively)" $r
    [ "$r" -eq 0 ] || { sed -n '1,8s/^/    # /p' "$TMP/diff" "$TMP/out"; diag 1; }
done

# Descriptors between enclave processes (tests/programs/fcntlmore.c, as
# t_creds.sh in direct mode): SIGPIPE, record locks and flock across fork,
# SCM_RIGHTS, O_ASYNC's SIGIO, recvfrom, fallocate, copy_file_range, mknod.
bin="$PROGS/fcntlmore.dyn"
if need "$bin"; then
    mkdir -p "$TMP/fmn" "$TMP/fms"
    manifest "$TMP/fm.toml" "$bin" "$(trust "$bin" "file:$TMP/fms/")"
    "$bin" "$TMP/fmn" 2>&1 | sed "s|$TMP/fmn|DIR|g" >"$TMP/native"
    run_sim "$TMP/fm.toml" "$TMP/fms"
    sed -i "s|$TMP/fms|DIR|g" "$TMP/out"
    diff -u "$TMP/native" "$TMP/out" >"$TMP/diff"
    r=$?
    check "fcntlmore.dyn in the sim: locks, SCM_RIGHTS, SIGIO and SIGPIPE between enclave processes as natively" $r
    [ "$r" -eq 0 ] || { sed -n '1,10s/^/    # /p' "$TMP/diff"; diag 1; }
fi

# epoll across fork: a registration the child makes after the fork is the
# child's own (docs/sgx-pal.md); the parent's wait neither reports it as a
# registration of its own that has the same slot (data 3) nor drops it
# silently: it logs why (tests/programs/epollshare.c; natively 1 ready, 2).
bin="$PROGS/epollshare.dyn"
if need "$bin"; then
    manifest "$TMP/e.toml" "$bin" "$(trust "$bin")"
    run_sim "$TMP/e.toml"
    [ "$rc" -eq 0 ] && grep -q "^parent's wait after the child's add: 0 ready, data sum 0$" "$TMP/out" &&
        grep -q '^child: 0$' "$TMP/out" &&
        [ "$(grep -c 'epoll: an event of a registration this process does not hold' "$TMP/err")" -eq 1 ]
    r=$?
    check "epoll after fork: the child's new registration is not the parent's (no data 3), and the parent logs that it is not delivered" $r
    [ "$r" -eq 0 ] || { sed 's/^/    # /' "$TMP/out"; diag 1; }
fi

# The fork stream goes in bulk through host memory (OCALL_PROCS_FORK_SEND/
# RECV, 1 MiB a call): the child of a 100 MiB process makes a few hundred
# OCALLs, not one per 60 KiB record (> 1,700), and has every page.
bin="$GEODE_BUILD/bench/procs"
if need "$bin"; then
    manifest "$TMP/b.toml" "$bin" "$(trust "$bin")" 'sgx.enclave_size = "512M"'
    sed -i 's/log_level = .*/log_level = "debug"/' "$TMP/b.toml"
    RUN_TIMEOUT=120 run_sim "$TMP/b.toml" fork 100 1
    child=$(grep -m1 'enclave transitions' "$TMP/err" | sed -n 's/.*inside: ECALL [0-9]* OCALL \([0-9]*\).*/\1/p')
    # The count depends on how the host's reads meet the stream: about 130
    # since a read waits briefly for the writer (urts_fork.c), quiet or
    # beside two CPU hogs; before, 450 to 970 quiet and once 2,027 while
    # the whole suite ran. The limit sits below the per-record regime
    # (> 1,700). Under EDMM
    # (t_sim_edmm runs this script with GEODE_TEST_EDMM) the child also adds
    # the parent's committed pages, an MPROTECT and an AUGMENT OCALL per run
    # of committed pages (enclave_heap_fork_prepare_all), not per record of
    # 14 pages (~4,600 OCALLs in all when it was); on an Intel host the
    # stream's reads met it in 390 to 2,800 OCALLs from one run to the next.
    limit=1500
    [ -n "${GEODE_TEST_EDMM:-}" ] && limit=3600
    [ "$rc" -eq 0 ] && grep -q '^ns_per_call=' "$TMP/out" && [ -n "$child" ] && [ "$child" -lt "$limit" ] &&
        grep -q 'received at fork [0-9]* pages (data 2[5-9][0-9][0-9][0-9])' "$TMP/err"
    r=$?
    check "fork of a 100 MiB process: the stream goes in bulk (the child made ${child:-?} OCALLs) and the child has the parent's pages" $r
    [ "$r" -eq 0 ] || diag 1
fi

# posix_spawn from a 100 MiB process (libos/sys/vfork.c): the child runs on
# the parent's thread until its exec, and the fork made there leaves the
# program's private memory out (process_fork_exec), which the exec frees:
# the child receives its libOS's pages, not the 100 MiB (25,600 pages as
# data before).
hello="$GEODE_BUILD/bench/hello"
if need "$bin" && need "$hello"; then
    manifest "$TMP/s.toml" "$bin" "$(trust "$bin" "file:$hello")" 'sgx.enclave_size = "512M"'
    sed -i 's/log_level = .*/log_level = "debug"/' "$TMP/s.toml"
    RUN_TIMEOUT=120 run_sim "$TMP/s.toml" spawn "$hello" 2 0 100
    data=$(grep 'received at fork' "$TMP/err" | sed -n 's/.*(data \([0-9]*\)).*/\1/p' | sort -n | tail -1)
    [ "$rc" -eq 0 ] && grep -q '^ns_per_call=.* rounds=2$' "$TMP/out" && [ -n "$data" ] && [ "$data" -lt 2000 ]
    r=$?
    check "posix_spawn from a 100 MiB process: the child gets the libOS's pages, not the program's (${data:-?} data pages)" $r
    [ "$r" -eq 0 ] || { sed 's/^/    # /' "$TMP/out"; diag 1; }
fi

# geode's own lines go to its own copy of standard error, never into a
# descriptor the program got after closing its fd 2 (tests/programs/diagfd.c).
bin="$PROGS/diagfd.dyn"
if need "$bin"; then
    manifest "$TMP/d.toml" "$bin" "$(trust "$bin")"
    : >"$TMP/refused-file"
    run_sim "$TMP/d.toml" "$TMP/refused-file"
    [ "$rc" -eq 0 ] && grep -q '^sockets empty: yes$' "$TMP/out" && grep -q "refused-file" "$TMP/err"
    r=$?
    check "with the program's stderr closed, geode's log line reaches geode's stderr, not the program's socket" $r
    [ "$r" -eq 0 ] || { sed 's/^/    # /' "$TMP/out"; diag 1; }
fi

# python3's subprocess (fork/exec, pipes both ways, exit statuses) with
# manifests/python3.manifest.toml, against native Python.
PY=/usr/bin/python3
if need "$PY"; then
    cat >"$TMP/sub.py" <<'PYEOF'
import subprocess, sys
r = subprocess.run([sys.executable, "-c", "print('child', 6 * 7)"], capture_output=True, text=True)
print("run:", r.returncode, r.stdout.strip())
p = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdout.write(sys.stdin.read().upper()); sys.exit(3)"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
print("pipe:", p.communicate("abc")[0], p.returncode)
import os
print("check_output, getppid:", subprocess.check_output([sys.executable, "-c", "import os, sys; print(os.getppid() == int(sys.argv[1]))", str(os.getpid())], text=True).strip())
PYEOF
    "$PY" "$TMP/sub.py" >"$TMP/native" 2>&1
    RUN_TIMEOUT=240 run_sim "$GEODE_ROOT/manifests/python3.manifest.toml" "$TMP/sub.py"
    [ "$rc" -eq 0 ] && diff -u "$TMP/native" "$TMP/out" >"$TMP/diff"
    r=$?
    check "python3 subprocess.run / Popen / check_output in the sim as natively" $r
    [ "$r" -eq 0 ] || { sed -n '1,8s/^/    # /p' "$TMP/diff"; diag 1; }
fi

# A bash script (arrays, functions, $(...), pipes into another program,
# subshells, background jobs, here-strings, statuses), against native bash.
BASH_BIN=/bin/bash
if need "$BASH_BIN" && need /bin/busybox; then
    cat >"$TMP/t.bash" <<'BASHEOF'
set -u
arr=(alpha beta gamma); echo "n=${#arr[@]} second=${arr[1]}"
f() { local v=$1; echo "f:$v"; return 3; }; f hello; echo "st=$?"
lines=$(for i in 1 2 3 4; do echo "$i"; done | /bin/busybox wc -l); echo "lines=$lines"
echo "$(( $(echo 6) * 7 ))"
( cd /tmp && pwd ); echo "back"
/bin/busybox tr a-z A-Z <<< "here string"
sleep 0.1 & sleep 0.2 & wait; echo "jobs done"
/bin/busybox sh -c 'exit 5'; echo "child st=$?"
{ echo one; echo two; } | while read -r l; do echo "read $l"; done
BASHEOF
    manifest "$TMP/bash.toml" "$BASH_BIN" "$(trust "$BASH_BIN")" 
    sed -i 's|^sgx.trusted_files = \[|sgx.trusted_files = ["file:/bin/busybox", |' "$TMP/bash.toml"
    echo 'sgx.allowed_files = ["file:/tmp/", "file:/etc/nsswitch.conf", "file:/etc/passwd", "file:/dev/tty"]' >>"$TMP/bash.toml"
    (cd "$TMP" && "$BASH_BIN" "$TMP/t.bash") >"$TMP/native" 2>&1
    (cd "$TMP" && run_sim "$TMP/bash.toml" "$TMP/t.bash")
    [ "$rc" -eq 0 ] && diff -u "$TMP/native" "$TMP/out" >"$TMP/diff"
    r=$?
    check "a bash script in the sim (arrays, functions, \$(...), pipes, subshells, jobs) as natively" $r
    [ "$r" -eq 0 ] || { sed -n '1,10s/^/    # /p' "$TMP/diff" "$TMP/out"; diag 1; }
fi

BB=/bin/busybox
if need "$BB"; then
    manifest "$TMP/bb.toml" "$BB" "$(trust "$BB" file:/tmp/ file:/etc/passwd)"
    script='echo pid=$$; echo sub=$(echo $(echo nested)); (exit 3); echo st=$?
ls / | sort | head -3 | wc -l; cat /etc/passwd | head -1 | cut -d: -f1
sh -c "kill -9 \$\$"; echo killed=$?
sleep 0.2 & sleep 0.1 & wait; echo waited
i=0; while [ $i -lt 5 ]; do x=$(echo $i); i=$((i+1)); done; echo loop=$x
{ echo a; echo b; } | while read l; do echo "got $l"; done
f() { echo in-func; return 4; }; f; echo fst=$?'
    if unshare --pid --fork --mount-proc true 2>/dev/null; then
        unshare --pid --fork --mount-proc "$BB" sh -c "$script" >"$TMP/bb.native" 2>&1
    else
        skip "busybox sh natively: no pid namespace here (pid=1 differs)"
        : >"$TMP/bb.native"
    fi
    sed -i '/^Killed$/d' "$TMP/bb.native"
    for pool in 0 2; do
        manifest "$TMP/bbp.toml" "$BB" "geode.process_pool = $pool" "$(trust "$BB" file:/tmp/ file:/etc/passwd)"
        run_sim "$TMP/bbp.toml" sh -c "$script"
        sed -i '/^Killed$/d' "$TMP/out"
        [ "$rc" -eq 0 ] && { [ ! -s "$TMP/bb.native" ] || diff -u "$TMP/bb.native" "$TMP/out" >"$TMP/diff"; }
        r=$?
        check "busybox sh$([ "$pool" != 0 ] && echo " (pool)"): pipelines, subshells, \$(...), jobs and statuses as natively" $r
        [ "$r" -eq 0 ] || { sed -n '1,10s/^/    # /p' "$TMP/diff"; diag 1; }
    done

    # A hostile host on the channel: the child refuses, fork fails.
    for spec in flip:0 flip:4 drop:3 "record:$TMP/stream" "replay:$TMP/stream"; do
        GEODE_TEST_FORK_TAMPER=$spec run_sim "$TMP/bb.toml" sh -c 'echo $(echo inner); echo after'
        case $spec in
        record:*)
            [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$(printf 'inner\nafter')" ]
            check "fork channel: a host that only records passes the stream on" $?
            ;;
        *)
            grep -q "forked child refuses to start" "$TMP/err" &&
                grep -q "can't fork: Resource temporarily unavailable" "$TMP/err" &&
                ! grep -q inner "$TMP/out"
            r=$?
            check "fork channel: ${spec%%:*} -> the child refuses, fork fails with EAGAIN" $r
            diag $r
            ;;
        esac
    done
fi

# redis BGSAVE: the server forks inside the enclave and the child writes
# the snapshot of the parent's memory, which redis-check-rdb accepts and a
# second server loads back.
if [ -x /usr/bin/redis-server ] && [ -x /usr/bin/redis-cli ] && [ -x /usr/bin/redis-check-rdb ]; then
    port=$((20000 + RANDOM % 20000))
    mkdir -p "$TMP/rdb"
    manifest "$TMP/redis.toml" /usr/bin/redis-server 'loader.argv = ["redis-server"]' 'sgx.max_threads = 8' \
        "$(trust /usr/bin/redis-server file:/etc/localtime file:/etc/ssl/openssl.cnf "file:$TMP/rdb/")"
    start_redis() {
        "$GEODE" run --mode sim "$TMP/redis.toml" --port "$port" --bind 127.0.0.1 --dir "$TMP/rdb" \
            --save '' --appendonly no >"$TMP/redis.out" 2>&1 &
        rpid=$!
        for _ in $(seq 300); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
    }
    start_redis
    for i in $(seq 1 200); do echo "SET key$i value$i"; done | redis-cli -p "$port" >/dev/null 2>&1
    redis-cli -p "$port" bgsave >"$TMP/bgsave.out" 2>&1
    for _ in $(seq 200); do
        redis-cli -p "$port" info persistence 2>/dev/null | grep -q 'rdb_bgsave_in_progress:0' && break
        sleep 0.1
    done
    status=$(redis-cli -p "$port" info persistence 2>/dev/null | sed -n 's/^rdb_last_bgsave_status:\([a-z]*\).*/\1/p')
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1
    wait "$rpid"
    redis-check-rdb "$TMP/rdb/dump.rdb" >"$TMP/check.out" 2>&1
    chk=$?
    start_redis
    keys=$(redis-cli -p "$port" dbsize 2>/dev/null)
    val=$(redis-cli -p "$port" get key137 2>/dev/null)
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1
    wait "$rpid"
    [ "$status" = ok ] && [ "$chk" -eq 0 ] && [ "$keys" = 200 ] && [ "$val" = value137 ]
    r=$?
    check "redis-server BGSAVE in the sim: the forked child's dump.rdb checks out and loads back ($keys keys, status ${status:-?})" $r
    [ $r -eq 0 ] || sed -n '1,8s/^/    # /p' "$TMP/redis.out" "$TMP/bgsave.out" "$TMP/check.out"
else
    skip "redis-server, redis-cli or redis-check-rdb not installed"
fi
exit 0
