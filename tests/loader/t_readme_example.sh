#!/usr/bin/env bash
# The README's first command ends by running this example; keep it working.
cd "$GEODE_ROOT" || exit 1
out=$("$GEODE" run --mode direct examples/hello/hello.manifest.toml 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q '^Hello from Geode$' <<<"$out" && grep -q '^pid 1 ' <<<"$out"; then
    echo "ok - README example runs under geode (direct mode)"
else
    echo "not ok - README example (exit $rc): $(head -3 <<<"$out" | tr '\n' ' ')"
fi
grep -qF 'geode run --mode direct examples/hello/hello.manifest.toml' README.md &&
    echo "ok - README names the example command" || echo "not ok - README names the example command"
