#!/usr/bin/env bash
# Fresh memory reads as zeros against a host that tries to show the program
# something else: it adds the enclave's heap (not measured) with a pattern
# instead of zeros (GEODE_TEST_HOST_DIRTY_HEAP) and keeps every page it maps
# accessible, PROT_NONE requests included (GEODE_TEST_HOST_WIDENS_MPROTECT=all),
# so an access the enclave expected to fault does not. On SGX1 only the
# enclave's own zeroing stands between the program and the pattern (lazy
# commits are done at once there: docs/sgx-pal.md, "Demand paging"); under
# EDMM a page not yet EAUGed and EACCEPTed faults whatever the page table says.
# zeromem prints the count of non-zero bytes of anonymous mappings, break
# growth, main-stack pages never touched and a PROT_NONE reservation made
# accessible by mprotect, in the process and in a forked
# child: every count is 0 natively. (Before lazy commits below the EDMM
# part were made at once, the sim run showed 61,440 non-zero stack bytes
# and 8,388,608 in the 8 MiB mapping: the hook does reach the program.)
. "$GEODE_ROOT/tests/sgx/lib.sh"

for kind in musl dyn; do
    bin="$PROGS/zeromem.$kind"
    need "$bin" || continue
    "$bin" >"$TMP/native.$kind" 2>&1
    grep -q 'child: mmap 16 KiB 0, mmap 8 MiB 0, brk 1 MiB 0, reserve 64 MiB 0' "$TMP/native.$kind"
    check "zeromem.$kind natively: every count 0" $?
    for edmm in false true; do
        manifest "$TMP/z.toml" "$bin" "sgx.edmm_enable = $edmm" "$(trust "$bin")"
        GEODE_TEST_HOST_DIRTY_HEAP=1 GEODE_TEST_HOST_WIDENS_MPROTECT=all run_sim "$TMP/z.toml"
        [ "$rc" -eq 0 ] && cmp -s "$TMP/out" "$TMP/native.$kind"
        r=$?; check "zeromem.$kind (edmm $edmm): a dirty heap and a host that maps every page show no byte of the host's" $r
        [ "$r" -eq 0 ] || { diag $r; diff "$TMP/native.$kind" "$TMP/out" | sed -n '1,6s/^/    # /p'; }
    done
done
