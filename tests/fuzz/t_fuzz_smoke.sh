#!/usr/bin/env bash
# Builds the libFuzzer targets (ASan + UBSan) and runs each for a short,
# bounded time; any crash or sanitizer report fails the test.
cd "$GEODE_ROOT" || exit 1
if ! make -s -j2 BUILD="$GEODE_BUILD" fuzz-bins >/dev/null 2>"$GEODE_BUILD/fuzz-build.log"; then
    echo "not ok - fuzz targets build (see $GEODE_BUILD/fuzz-build.log)"; exit 1
fi
FUZZ_SECONDS=${FUZZ_SECONDS:-15} ./tests/fuzz/smoke "$GEODE_BUILD"
