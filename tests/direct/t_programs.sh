#!/usr/bin/env bash
# The test programs (tests/programs) built as musl static, glibc static-pie
# and glibc dynamic PIE, run under geode --mode direct and compared with
# their native runs.
. "$(dirname "$0")/lib.sh"

for kind in musl spie dyn; do
    bin="$PROGS/hello.$kind"
    need "$bin" || continue
    manifest "$TMP/h.toml" "$bin" 'loader.env.GEODE_TEST_VAR = "from-manifest"'
    run_direct "$TMP/h.toml" one two
    expected=$(GEODE_TEST_VAR=from-manifest "$bin" one two)
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$expected" ]
    check "hello.$kind: output equals native (argv, envp)" $?
    run_direct "$TMP/h.toml" x
    check "hello.$kind: exit status 7 passed through" $([ "$rc" -eq 7 ]; echo $?)

    bin="$PROGS/fileops.$kind"
    need "$bin" || continue
    manifest "$TMP/f.toml" "$bin"
    mkdir -p "$TMP/fo.$kind"
    run_direct "$TMP/f.toml" "$TMP/fo.$kind"
    [ "$rc" -eq 42 ] && grep -q '^failures=0$' "$TMP/out"
    check "fileops.$kind: files, dirs, devices, pipes, ENOSYS" $?
    [ "$(grep -c 'unsupported syscall io_pgetevents' "$TMP/err")" -eq 1 ]
    check "fileops.$kind: unknown syscall logged once by name" $?
done

# Arguments are refused unless the manifest allows them.
if need "$PROGS/hello.musl"; then
    echo "libos.entrypoint = \"$PROGS/hello.musl\"" >"$TMP/noargs.toml"
    run_direct "$TMP/noargs.toml" a
    [ "$rc" -eq 1 ] && grep -q 'insecure__use_cmdline_argv' "$TMP/err"
    check "arguments refused without loader.insecure__use_cmdline_argv" $?
    if [ -e /dev/sgx_enclave ]; then
        skip "--mode sgx on a machine without SGX: this one has /dev/sgx_enclave"
    else
        "$GEODE" run --mode sgx "$TMP/noargs.toml" >/dev/null 2>"$TMP/err"
        [ $? -eq 1 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q 'SGX' "$TMP/err"
        check "--mode sgx without SGX: exit 1, one line naming the cause ($(cat "$TMP/err"))" $?
    fi
    printf 'libos.entrypoint = "%s"\nloader.argv = ["prog", "m1"]\n' "$PROGS/hello.musl" >"$TMP/argv.toml"
    run_direct "$TMP/argv.toml"
    grep -q '^arg1=m1$' "$TMP/out"
    check "loader.argv used when the command line is not" $?
fi

# Threads: clone, per-thread TLS, futex-based mutex, join (CHILD_CLEARTID).
for kind in musl spie dyn; do
    bin="$PROGS/threads.$kind"
    need "$bin" || continue
    manifest "$TMP/t.toml" "$bin"
    run_direct "$TMP/t.toml"
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "counter=400000 tls=ok" ]
    check "threads.$kind: 4 threads, mutex, TLS, join" $?
done

# Signals: SIGSEGV/SIGFPE handlers with siglongjmp, SA_SIGINFO, SA_ONSTACK,
# SA_RESETHAND, masks; then an unhandled raise(SIGUSR2) kills: 128 + 12.
for kind in musl spie dyn; do
    bin="$PROGS/signals.$kind"
    need "$bin" || continue
    manifest "$TMP/s.toml" "$bin"
    run_direct "$TMP/s.toml"
    [ "$rc" -eq 140 ] && grep -q '^failures=0$' "$TMP/out"
    check "signals.$kind: handlers, sigaltstack, masks, default action (status 140)" $?
done

# Timers: setitimer interrupting a blocking read (EINTR), SA_RESTART
# restarting it, alarm + sigsuspend.
for kind in musl spie dyn; do
    bin="$PROGS/alarm.$kind"
    need "$bin" || continue
    manifest "$TMP/a.toml" "$bin"
    RUN_TIMEOUT=20 run_direct "$TMP/a.toml"
    [ "$rc" -eq 0 ] && grep -q '^failures=0$' "$TMP/out"
    check "alarm.$kind: EINTR, SA_RESTART, alarm + sigsuspend" $?
done

# Bad pointers from the program give EFAULT and leave the libOS usable.
for kind in musl spie dyn; do
    bin="$PROGS/badptr.$kind"
    need "$bin" || continue
    manifest "$TMP/b.toml" "$bin"
    run_direct "$TMP/b.toml"
    [ "$rc" -eq 0 ] && grep -q '^failures=0$' "$TMP/out"
    check "badptr.$kind: EFAULT instead of a crash, locks released" $?
done

# Signal state: xmm registers of the interrupted code survive a handler that
# clobbers them (trap path, then the rewritten site's trampoline path), and
# a stack overflow is caught by a handler on the sigaltstack.
for kind in musl spie dyn; do
    bin="$PROGS/sigstate.$kind"
    need "$bin" || continue
    manifest "$TMP/ss.toml" "$bin"
    RUN_TIMEOUT=20 run_direct "$TMP/ss.toml"
    [ "$rc" -eq 0 ] && grep -q '^failures=0$' "$TMP/out" &&
        [ "$(grep -c 'xmm registers preserved' "$TMP/out")" -eq 3 ]
    check "sigstate.$kind: SSE state across a handler, stack overflow on the sigaltstack" $?
done

# Handlers that change the interrupted context (skip or repair a fault, set a register).
for kind in musl spie dyn; do
    bin="$PROGS/ucontext.$kind"
    need "$bin" || continue
    manifest "$TMP/uc.toml" "$bin"
    RUN_TIMEOUT=20 run_direct "$TMP/uc.toml"
    [ "$rc" -eq 0 ] && grep -q '^failures=0$' "$TMP/out"
    check "ucontext.$kind: handlers that change the ucontext (RIP, RAX, RBX)" $?
done

# Memory: mremap shrink/grow/move, MADV_DONTNEED, MAP_SHARED write-back by
# msync and munmap, /proc/self/maps.
for kind in musl spie dyn; do
    bin="$PROGS/memops.$kind"
    need "$bin" || continue
    manifest "$TMP/mo.toml" "$bin"
    mkdir -p "$TMP/mo.$kind"
    run_direct "$TMP/mo.toml" "$TMP/mo.$kind"
    [ "$rc" -eq 0 ] && grep -q '^failures=0$' "$TMP/out" && [ "$(grep -c '^pass' "$TMP/out")" -eq 10 ]
    check "memops.$kind: mremap, MADV_DONTNEED, MAP_SHARED write-back, maps" $?
done

# Bad pointers to every socket call: EFAULT from the libOS, never a fault
# inside the PAL; the sockets keep working.
for kind in musl spie dyn; do
    bin="$PROGS/sockfault.$kind"
    need "$bin" || continue
    manifest "$TMP/sf.toml" "$bin"
    RUN_TIMEOUT=20 run_direct "$TMP/sf.toml"
    [ "$rc" -eq 0 ] && grep -q '^failures=0$' "$TMP/out" && [ "$(grep -c '^pass' "$TMP/out")" -eq 21 ]
    check "sockfault.$kind: bad pointers to socket calls give EFAULT" $?
done

# Process groups: setpgid/getpgid, kill(-pgid) and waitpid(-pgid) over
# forked children, kill(0) to the caller's own group, setsid.
for kind in musl spie dyn; do
    bin="$PROGS/pgroups.$kind"
    need "$bin" || continue
    manifest "$TMP/pg.toml" "$bin"
    RUN_TIMEOUT=20 run_direct "$TMP/pg.toml"
    [ "$rc" -eq 0 ] && grep -q '^failures=0$' "$TMP/out" && [ "$(grep -c '^pass' "$TMP/out")" -eq 9 ]
    check "pgroups.$kind: kill(-pgid), waitpid(-pgid), kill(0), setsid" $?
done

# A directory opened without O_DIRECTORY is one for getdents64, *at, fchdir,
# read and mmap; a regular file opened the same way is not.
for kind in musl spie dyn; do
    bin="$PROGS/dirfd.$kind"
    need "$bin" || continue
    manifest "$TMP/dirfd.toml" "$bin"
    RUN_TIMEOUT=20 run_direct "$TMP/dirfd.toml" "$TMP"
    [ "$rc" -eq 0 ] && grep -q '^failures=0$' "$TMP/out" && [ "$(grep -c '^pass' "$TMP/out")" -eq 13 ]
    check "dirfd.$kind: a directory opened O_RDONLY without O_DIRECTORY, and a file" $?
done

# execve releases the old program's mappings; MAP_FIXED_NOREPLACE refuses
# to replace a mapping.
for kind in musl spie dyn; do
    bin="$PROGS/execmaps.$kind"
    need "$bin" || continue
    manifest "$TMP/em.toml" "$bin"
    run_direct "$TMP/em.toml"
    [ "$rc" -eq 0 ] && grep -q '^failures=0$' "$TMP/out" && [ "$(grep -c '^pass' "$TMP/out")" -eq 3 ]
    check "execmaps.$kind: execve releases old mappings, MAP_FIXED_NOREPLACE" $?
done

# The rest of issue #4's list: link, linkat, symlinkat, utimensat,
# setuid/setgid, rt_sigtimedwait.
for kind in musl spie dyn; do
    bin="$PROGS/sysmore.$kind"
    need "$bin" || continue
    manifest "$TMP/sm.toml" "$bin"
    mkdir -p "$TMP/sm.$kind"
    run_direct "$TMP/sm.toml" "$TMP/sm.$kind"
    [ "$rc" -eq 0 ] && grep -q '^failures=0$' "$TMP/out" && [ "$(grep -c '^pass' "$TMP/out")" -eq 12 ]
    check "sysmore.$kind: link(at), symlinkat, utimensat, setuid, sigtimedwait" $?
done
