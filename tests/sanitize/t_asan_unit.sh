#!/usr/bin/env bash
# Rebuilds the host-side code (loader, SGX host and sim code) and its unit
# tests (tests/unit, and the libOS unit tier tests/libos) with ASan + UBSan in a separate build tree, and runs them there: any
# sanitizer report fails the test.
cd "$GEODE_ROOT" || exit 1
B="$GEODE_BUILD/asan"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
units=$( (cd tests/unit && ls test_*.c; cd ../libos && ls test_*.c) | sed 's/\.c$//')
targets=$(for u in $units; do echo "$B/tests/$u"; done)
if ! make -s -j2 BUILD="$B" EXTRA_CFLAGS="$SAN" EXTRA_LDFLAGS="$SAN" \
    $targets >"$GEODE_BUILD/asan-build.log" 2>&1; then
    echo "not ok - sanitizer build (see $GEODE_BUILD/asan-build.log)"
    tail -20 "$GEODE_BUILD/asan-build.log"
    exit 1
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1
for u in $units; do
    out=$("$B/tests/$u" 2>&1); rc=$?
    if [ $rc -eq 0 ] && ! grep -q -e 'runtime error' -e 'AddressSanitizer' -e 'LeakSanitizer' <<<"$out"; then
        echo "ok - $u clean under ASan+UBSan"
    else
        echo "not ok - $u under ASan+UBSan (exit $rc)"
        grep -m5 -e 'runtime error' -e 'Sanitizer' -e '^not ok' <<<"$out" | sed 's/^/    /'
    fi
done
