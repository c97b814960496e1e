#!/usr/bin/env bash
# SGX2 (EDMM) in the sim: sgx.edmm_enable adds only the heap's bookkeeping
# and sgx.edmm_precommit_size at build (MRENCLAVE follows both keys); the
# trusted PAL adds the rest as the libOS commits it, gives heap pages real
# EPCM permissions and removes freed pages. Programs print what they print
# natively; with a host that leaves every page it maps open
# (GEODE_TEST_HOST_WIDENS_MPROTECT) a write to a PROT_READ page still
# faults with EDMM, and does not without it (SGX1: heap pages are RWX).
# (Reads of PROT_NONE pages stay the page table's business: the EPCM keeps R
# on every committed page, which the PAL itself reads, e.g. to fork.)
# Also t_sim_fork.sh again with every enclave under EDMM.
. "$GEODE_ROOT/tests/sgx/lib.sh"

bin="$PROGS/memprot.musl"
if need "$bin"; then
    "$bin" >"$TMP/native" 2>&1
    manifest "$TMP/e.toml" "$bin" 'sgx.enclave_size = "256M"' 'sgx.edmm_enable = true' "$(trust "$bin")"
    manifest "$TMP/e4.toml" "$bin" 'sgx.enclave_size = "256M"' 'sgx.edmm_enable = true' \
        'sgx.edmm_precommit_size = "4M"' "$(trust "$bin")"
    manifest "$TMP/s.toml" "$bin" 'sgx.enclave_size = "256M"' "$(trust "$bin")"
    m_e=$("$GEODE" measure "$TMP/e.toml" 2>/dev/null)
    m_e4=$("$GEODE" measure "$TMP/e4.toml" 2>/dev/null)
    m_s=$("$GEODE" measure "$TMP/s.toml" 2>/dev/null)
    [ -n "$m_e" ] && [ -n "$m_e4" ] && [ "$m_e" != "$m_s" ] && [ "$m_e" != "$m_e4" ]
    check "geode measure: MRENCLAVE changes with sgx.edmm_enable and sgx.edmm_precommit_size" $?

    for mf in e e4; do
        run_sim "$TMP/$mf.toml"
        [ "$rc" -eq 0 ] && cmp -s "$TMP/out" "$TMP/native"
        r=$?; check "memprot with EDMM ($mf): protections, munmap and 32 MiB as natively" $r; diag $r
    done

    GEODE_TEST_HOST_WIDENS_MPROTECT=1 run_sim "$TMP/e.toml"
    [ "$rc" -eq 0 ] && grep -qx 'write to a PROT_READ page faults: 1' "$TMP/out" &&
        grep -qx 'the byte is unchanged: 1' "$TMP/out"
    r=$?; check "EDMM: the EPCM refuses the write a host that widens every mprotect lets through" $r; diag $r
    GEODE_TEST_HOST_WIDENS_MPROTECT=1 run_sim "$TMP/s.toml"
    [ "$rc" -eq 0 ] && grep -qx 'write to a PROT_READ page faults: 0' "$TMP/out"
    r=$?; check "SGX1 (no EDMM): the same host makes the write succeed (RWX heap pages)" $r; diag $r
fi

# Demand paging under EDMM: lazy pages are EAUGed on first touch, by any
# thread (docs/sgx-pal.md, "Demand paging"); the same program runs in SGX1
# sim and direct mode in the conformance tier.
bin="$GEODE_BUILD/tests/conformance/mem_lazy"
if need "$bin"; then
    mkdir -p "$TMP/lazy.n" "$TMP/lazy.e"
    "$bin" "$TMP/lazy.n" >"$TMP/lazy.native" 2>&1
    manifest "$TMP/lazy.toml" "$bin" 'sgx.edmm_enable = true' "$(trust "$bin" "file:$TMP/lazy.e/")"
    for i in 1 2 3; do
        run_sim "$TMP/lazy.toml" "$TMP/lazy.e"
        [ "$rc" -eq 0 ] && cmp -s "$TMP/out" "$TMP/lazy.native" || break
    done
    [ "$rc" -eq 0 ] && cmp -s "$TMP/out" "$TMP/lazy.native"
    r=$?; check "EDMM demand paging: mem_lazy as natively, three runs (two threads on fresh pages)" $r
    [ "$r" -eq 0 ] || diff "$TMP/lazy.native" "$TMP/out" | sed -n '1,8s/^/    # /p'
fi

# Threads entering and leaving while the heap's pages are added, restricted,
# trimmed and removed: glibc's stack reuse (MADV_DONTNEED, munmap, mmap and
# mprotect at the freed address) from three threads at once. Each EACCEPT of
# a trimmed or restricted page needs the sim's ETRACK to have moved every
# thread inside to the new epoch, entering ones included.
bin="$GEODE_BUILD/tests/conformance/mem_thread_churn"
if need "$bin"; then
    mkdir -p "$TMP/churn"
    manifest "$TMP/churn.toml" "$bin" 'sgx.edmm_enable = true' 'sgx.enclave_size = "1G"' 'sgx.max_threads = 16' "$(trust "$bin")"
    # Three runs of 12 threads; one of 4 where every crossing is a signal
    # and base moves are arch_prctl (a host without kernel FSGSBASE: 12
    # threads took 80-125 s a run under a hypervisor that traps them), so
    # that the suite keeps its time.
    runs=3 threads=12
    "$GEODE" doctor 2>/dev/null | grep -q 'FSGSBASE: instructions run, bases not kept' && runs=1 threads=4
    "$bin" "$TMP/churn" $threads >"$TMP/churn.native" 2>&1
    for i in $(seq $runs); do
        run_sim "$TMP/churn.toml" "$TMP/churn" $threads
        [ "$rc" -eq 0 ] && cmp -s "$TMP/out" "$TMP/churn.native" || break
    done
    [ "$rc" -eq 0 ] && cmp -s "$TMP/out" "$TMP/churn.native"
    r=$?; check "EDMM: short-lived threads reusing stacks, $runs run(s) of $threads threads as natively (mem_thread_churn)" $r
    [ "$r" -eq 0 ] || { diff "$TMP/churn.native" "$TMP/out" | sed -n '1,8s/^/    # /p'; diag $r; }

    # A host that trims half of what it is asked to and says it failed: the
    # trusted PAL EACCEPTs every page as trimmed anyway and keeps the ones
    # the CPU says are not (they are still the enclave's), never using a
    # trimmed page as its own (before: an unhandled #PF at EMODPE).
    GEODE_TEST_HOST_HALF_TRIM=1 run_sim "$TMP/churn.toml" "$TMP/churn" $threads
    [ "$rc" -eq 0 ] && cmp -s "$TMP/out" "$TMP/churn.native"
    r=$?; check "EDMM: a host that trims half of each range and reports a failure changes nothing the program sees" $r
    [ "$r" -eq 0 ] || { diff "$TMP/churn.native" "$TMP/out" | sed -n '1,8s/^/    # /p'; diag $r; }
fi

bin=/bin/busybox
if need "$bin"; then
    manifest "$TMP/bb.toml" "$bin" 'loader.argv = ["busybox"]' 'sgx.edmm_enable = true' "$(trust "$bin")"
    run_sim "$TMP/bb.toml" sh -c 'echo a; seq 3 | wc -l; echo $((6*7))'
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$(printf 'a\n3\n42')" ]
    r=$?; check "busybox sh with EDMM: builtins, a pipe of two forked children" $r; diag $r
fi

if [ -x /usr/bin/python3 ]; then
    manifest "$TMP/py.toml" /usr/bin/python3 'loader.argv = ["python3"]' 'sgx.enclave_size = "1G"' \
        'sgx.edmm_enable = true' 'sgx.allowed_files = ["file:/"]'
    run_sim "$TMP/py.toml" -c 'import subprocess; b = bytearray(50 << 20); print(len(b), subprocess.check_output(["/bin/echo", "x"]).decode().strip())'
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "52428800 x" ]
    r=$?; check "python3 with EDMM: a 50 MiB bytearray and a subprocess" $r; diag $r
fi

GEODE_TEST_EDMM=1 bash "$GEODE_ROOT/tests/sgx/t_sim_fork.sh" >"$TMP/fork.log" 2>&1
n_ok=$(grep -c '^ok - ' "$TMP/fork.log"); n_bad=$(grep -c '^not ok - ' "$TMP/fork.log")
[ "$n_bad" -eq 0 ] && [ "$n_ok" -gt 5 ]
r=$?; check "t_sim_fork with sgx.edmm_enable in every manifest: $n_ok ok, $n_bad not ok" $r
[ $r -eq 0 ] || grep '^not ok' "$TMP/fork.log" | head -5 | sed 's/^/    # /'
