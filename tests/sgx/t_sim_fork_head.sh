#!/usr/bin/env bash
# The fork stream's memory records carry their head (address, pages) in
# the clear, as additional data of the sealed data that follows
# (docs/sgx-pal.md, "Fork"): a host that moves a record to another address
# (GEODE_TEST_FORK_TAMPER=head:K flips bit 14 of its address, still a page
# of the heap) makes the child refuse to start on the authentication, not
# on a range check, and the parent's fork fail with EAGAIN; the same with
# a warm process pool. Records 1 and 2: a record whose moved address
# leaves its region (which one depends on the layout: record 0, the first
# page of the heap's page maps, which lie at the heap's end since
# 2026-12-08) is refused on a range or order check first, which proves
# nothing about the authentication; record 0 is checked to be refused too.
. "$GEODE_ROOT/tests/sgx/lib.sh"

BB=/bin/busybox
if need "$BB"; then
    for pool in 0 1; do
        manifest "$TMP/bb.toml" "$BB" "geode.process_pool = $pool" "$(trust "$BB" file:/tmp/)"
        GEODE_TEST_FORK_TAMPER=head:0 run_sim "$TMP/bb.toml" sh -c 'echo $(echo inner); echo after'
        grep -q "forked child refuses to start: " "$TMP/err" &&
            grep -q "can't fork: Resource temporarily unavailable" "$TMP/err" && ! grep -q inner "$TMP/out"
        r=$?
        check "fork channel: memory record 0 moved 16 KiB$([ "$pool" != 0 ] && echo " (pool)") -> the child refuses, fork fails with EAGAIN" $r
        diag $r
        for k in 1 2; do
            GEODE_TEST_FORK_TAMPER=head:$k run_sim "$TMP/bb.toml" sh -c 'echo $(echo inner); echo after'
            grep -q "forked child refuses to start: .*a record failed its authentication" "$TMP/err" &&
                grep -q "can't fork: Resource temporarily unavailable" "$TMP/err" &&
                ! grep -q inner "$TMP/out"
            r=$?
            check "fork channel: memory record $k moved 16 KiB$([ "$pool" != 0 ] && echo " (pool)") -> the child refuses (authentication), fork fails with EAGAIN" $r
            diag $r
        done
    done
    # The control: the same run without the hook forks.
    run_sim "$TMP/bb.toml" sh -c 'echo $(echo inner); echo after'
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$(printf 'inner\nafter')" ]
    check "fork channel: (control) untouched, the same script forks" $?
fi
exit 0
