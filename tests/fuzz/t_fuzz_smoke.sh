#!/usr/bin/env bash
# Builds the libFuzzer targets (ASan + UBSan) and runs each for a short,
# bounded time; any crash or sanitizer report fails the test.
cd "$GEODE_ROOT" || exit 1
# The shared build dir as a plain 'make' spells it (relative inside the
# tree): the dependency files (-MMD) name their targets as they were built,
# so an object rebuilt here under an absolute spelling would hide its header
# dependencies from the next 'make', which would then link it stale.
BUILD_DIR=${GEODE_BUILD#"$GEODE_ROOT"/}
if ! make -s -j2 BUILD="$BUILD_DIR" fuzz-bins >/dev/null 2>"$GEODE_BUILD/fuzz-build.log"; then
    echo "not ok - fuzz targets build (see $GEODE_BUILD/fuzz-build.log)"; exit 1
fi
FUZZ_SECONDS=${FUZZ_SECONDS:-15} ./tests/fuzz/smoke "$GEODE_BUILD"
