#!/usr/bin/env bash
# The fork stream's memory records carry their head (address, pages) in
# the clear, as additional data of the sealed data that follows
# (docs/sgx-pal.md, "Fork"): a host that moves a record to another address
# (GEODE_TEST_FORK_TAMPER=head:K flips bit 14 of its address, still a page
# of the heap) makes the child refuse to start on the authentication, not
# on a range check, and the parent's fork fail with EAGAIN; the same with
# a warm process pool. Whether a moved record stays inside its region
# depends on where the parent's pages lie (the layout, and what the libOS
# has committed): one that leaves it is refused on a range or order check
# first, which proves nothing about the authentication. So records 0 to 5
# are each moved in turn: every one must be refused with the fork failing
# (EAGAIN), and at least two of them on the authentication.
. "$GEODE_ROOT/tests/sgx/lib.sh"

BB=/bin/busybox
if need "$BB"; then
    for pool in 0 1; do
        manifest "$TMP/bb.toml" "$BB" "geode.process_pool = $pool" "$(trust "$BB" file:/tmp/)"
        what=$([ "$pool" != 0 ] && echo " (pool)")
        auth=0
        for k in 0 1 2 3 4 5; do
            GEODE_TEST_FORK_TAMPER=head:$k run_sim "$TMP/bb.toml" sh -c 'echo $(echo inner); echo after'
            grep -q "forked child refuses to start: " "$TMP/err" &&
                grep -q "can't fork: Resource temporarily unavailable" "$TMP/err" && ! grep -q inner "$TMP/out"
            r=$?
            check "fork channel: memory record $k moved 16 KiB$what -> the child refuses, fork fails with EAGAIN" $r
            diag $r
            grep -q "forked child refuses to start: .*a record failed its authentication" "$TMP/err" && auth=$((auth + 1))
        done
        [ "$auth" -ge 2 ]
        check "fork channel$what: $auth of the 6 moved records refused on the authentication (at least 2)" $?
    done
    # The control: the same run without the hook forks.
    run_sim "$TMP/bb.toml" sh -c 'echo $(echo inner); echo after'
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$(printf 'inner\nafter')" ]
    check "fork channel: (control) untouched, the same script forks" $?
fi
exit 0
