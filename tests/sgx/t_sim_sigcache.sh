#!/usr/bin/env bash
# The development flow's kept signatures (loader/sig_cache.c): a second
# start of the same enclave takes its SIGSTRUCT from the cache instead of
# measuring and signing; another enclave's entry under its name is refused
# by EINIT, dropped, and the start goes on with a fresh signature; any
# change to the enclave names another entry; GEODE_SIG_CACHE=off keeps none.
. "$GEODE_ROOT/tests/sgx/lib.sh"

bin="$PROGS/hello.musl"
if need "$bin"; then
    export GEODE_SIG_CACHE="$TMP/sigs"
    manifest "$TMP/a.toml" "$bin" "$(trust "$bin")"
    sed -i 's/log_level = "warning"/log_level = "debug"/' "$TMP/a.toml"
    manifest "$TMP/b.toml" "$bin" 'sgx.enclave_size = "128M"' "$(trust "$bin")"
    sed -i 's/log_level = "warning"/log_level = "debug"/' "$TMP/b.toml"
    kept() { grep -q '(signature kept)' "$TMP/err"; }
    run_sim "$TMP/a.toml"; r1=$rc; kept; k1=$?
    run_sim "$TMP/a.toml"; r2=$rc; kept; k2=$?
    [ "$r1" -eq 0 ] && [ "$k1" -ne 0 ] && [ "$r2" -eq 0 ] && [ "$k2" -eq 0 ] && grep -q '^hello' "$TMP/out" &&
        [ "$(ls "$TMP/sigs" | wc -l)" -eq 1 ]
    r=$?; check "a second start of the same enclave uses the kept SIGSTRUCT (one entry)" $r; diag $r
    a=$(ls "$TMP/sigs")
    run_sim "$TMP/b.toml"; kept; kb=$?
    b=$(ls "$TMP/sigs" | grep -v "$a")
    [ "$rc" -eq 0 ] && [ "$kb" -ne 0 ] && [ -n "$b" ]
    r=$?; check "another enclave (another size) is measured and signed, under another name" $r; diag $r
    cp "$TMP/sigs/$b" "$TMP/sigs/$a"
    run_sim "$TMP/a.toml"
    [ "$rc" -eq 0 ] && grep -q '^hello' "$TMP/out" && grep -q 'kept signature of this enclave was refused' "$TMP/err" &&
        ! cmp -s "$TMP/sigs/$a" "$TMP/sigs/$b"
    r=$?; check "another enclave's SIGSTRUCT under this name: EINIT refuses it, the start signs anew and goes on" $r; diag $r
    run_sim "$TMP/a.toml"; kept
    [ "$?" -eq 0 ] && [ "$rc" -eq 0 ]
    r=$?; check "... and the next start uses the new entry" $r; diag $r
    rm -rf "$TMP/sigs"
    GEODE_SIG_CACHE=off run_sim "$TMP/a.toml"
    [ "$rc" -eq 0 ] && [ ! -e "$TMP/sigs" ] && ! kept
    r=$?; check "GEODE_SIG_CACHE=off: nothing kept" $r; diag $r
    unset GEODE_SIG_CACHE
fi
