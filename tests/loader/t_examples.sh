#!/usr/bin/env bash
# The examples' `make check` (examples/*/Makefile, Gramine CI-Examples style):
# each runs its program under Geode (sim here, direct where the sim cannot
# run) and compares the output with the native program's. Run on a copy of
# examples/ so that the checkout stays clean.
set -u
T=$(mktemp -d /tmp/geode-examples.XXXXXX)
trap 'rm -rf "$T"' EXIT
chmod 755 "$T" # nginx's workers run as nobody and read html/ below it
. "$GEODE_ROOT/tests/sgx/sim_unavailable.sh"
mode=sim
why=$(sim_unavailable)
if [ -n "$why" ]; then
    mode=direct
    echo "skip - the sim runs of the examples: the sim cannot run on this host ($why); direct instead"
fi
cp -r "$GEODE_ROOT/examples" "$T/" || exit 1
for ex in bash python sqlite redis memcached nginx; do
    case $ex in
    bash) need=/usr/bin/bash ;; python) need=/usr/bin/python3 ;; sqlite) need=/usr/bin/sqlite3 ;;
    redis) need=/usr/bin/redis-server ;; memcached) need=/usr/bin/memcached ;; nginx) need=/usr/sbin/nginx ;;
    esac
    if [ ! -x "$need" ]; then
        echo "skip - examples/$ex: $need is not installed (make deps)"
        continue
    fi
    if timeout -k 5 120 make -C "$T/examples/$ex" check GEODE="$GEODE" GEODE_MODE=$mode \
        >"$T/$ex.log" 2>&1 && grep -q "^\[ $ex: $mode .* equal" "$T/$ex.log"; then
        echo "ok - examples/$ex: make check ($mode) equals native"
    else
        echo "not ok - examples/$ex: make check ($mode) equals native"
        tail -15 "$T/$ex.log" | sed 's/^/# /'
    fi
done
