#!/usr/bin/env bash
# make install puts geode and its runtime files where the installed geode finds them.
cd "$GEODE_ROOT" || exit 1
# The shared build dir as a plain 'make' spells it (relative inside the
# tree): the dependency files (-MMD) name their targets as they were built,
# so an object rebuilt here under an absolute spelling would hide its header
# dependencies from the next 'make', which would then link it stale.
BUILD_DIR=${GEODE_BUILD#"$GEODE_ROOT"/}
D=$(mktemp -d); trap 'rm -rf "$D"' EXIT
if make -s BUILD="$BUILD_DIR" install PREFIX=/opt/geode DESTDIR="$D" >"$D.log" 2>&1; then
    echo "ok - make install PREFIX=/opt/geode DESTDIR=..."
else
    echo "not ok - make install: $(tail -3 "$D.log" | tr '\n' ' ')"; exit 1
fi
rm -f "$D.log"
G="$D/opt/geode/bin/geode"
[ -x "$G" ] && [ -f "$D/opt/geode/lib/geode/libos.elf" ] &&
    echo "ok - installed geode and lib/geode/libos.elf" || echo "not ok - installed files missing"
out=$("$G" run --mode direct examples/hello/hello.manifest.toml 2>&1)
grep -q '^Hello from Geode$' <<<"$out" && echo "ok - installed geode runs the example" ||
    echo "not ok - installed geode runs the example: $(head -2 <<<"$out" | tr '\n' ' ')"
