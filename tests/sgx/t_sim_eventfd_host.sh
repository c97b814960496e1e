#!/usr/bin/env bash
# An eventfd shared with a forked child inside an enclave. By default the
# libOS keeps each process's counter (the host is not trusted with it) and
# refuses the child's use of one it inherited (EPERM, with a warning), not
# counting apart from its parent (which hung the parent before). With
# sys.insecure__allow_eventfd (or Gramine's older loader.insecure__allow_eventfd)
# the eventfd is the host's (OCALL_EVENTFD) and the program sees Linux's
# semantics: the conformance program eventfd_fork prints what native does.
. "$GEODE_ROOT/tests/sgx/lib.sh"

bin="$GEODE_BUILD/tests/conformance/eventfd_fork"
need "$bin" || exit 0
"$bin" >"$TMP/native" 2>&1
grep -q '^child: write 5: 8$' "$TMP/native"
check "eventfd_fork natively: the child's write reaches the parent" $?

manifest "$TMP/m.toml" "$bin" "$(trust "$bin")"
run_sim "$TMP/m.toml"
[ "$rc" -eq 0 ] && grep -q '^child: write 5: -1 EPERM$' "$TMP/out" &&
    grep -q 'eventfd: a descriptor inherited across fork' "$TMP/err"
r=$?; check "without the key: the child's write is refused (EPERM) with a warning" $r; diag $r

for key in sys.insecure__allow_eventfd loader.insecure__allow_eventfd; do
    manifest "$TMP/m.toml" "$bin" "$key = true" "$(trust "$bin")"
    run_sim "$TMP/m.toml"
    [ "$rc" -eq 0 ] && cmp -s "$TMP/out" "$TMP/native"
    r=$?; check "$key = true: the host's eventfd, output equal to native" $r
    [ "$r" -eq 0 ] || { diag $r; diff "$TMP/native" "$TMP/out" | sed -n '1,6s/^/    # /p'; }
done
