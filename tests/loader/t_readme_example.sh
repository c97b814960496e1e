#!/usr/bin/env bash
# The README's first command ends by running this example; keep it working,
# inside the software SGX (what the README runs) and in direct mode.
cd "$GEODE_ROOT" || exit 1
. "$GEODE_ROOT/tests/sgx/sim_unavailable.sh"
sim_why=$(sim_unavailable)
for mode in sim direct; do
    if [ "$mode" = sim ] && [ -n "$sim_why" ]; then
        echo "skip - README example in sim mode: the sim cannot run on this host ($sim_why)"
        continue
    fi
    out=$("$GEODE" run --mode $mode examples/hello/hello.manifest.toml 2>&1); rc=$?
    if [ $rc -eq 0 ] && grep -q '^Hello from Geode$' <<<"$out" && grep -q '^pid 1 sees /etc/os-release$' <<<"$out" &&
        grep -q '^PRETTY_NAME=' <<<"$out"; then
        echo "ok - README example runs under geode ($mode mode)"
    else
        echo "not ok - README example in $mode mode (exit $rc): $(head -3 <<<"$out" | tr '\n' ' ')"
    fi
done
grep -qF 'geode run --mode sim examples/hello/hello.manifest.toml' README.md &&
    echo "ok - README names the example command" || echo "not ok - README names the example command"
