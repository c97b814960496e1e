#!/usr/bin/env bash
# Runs every TOML 1.0 case of toml-test (the list files-toml-1.0.0) through
# `geode manifest toml-decode`: valid cases must decode to the expected
# tagged JSON, invalid ones must be rejected with a line:column message.
# The decoder runs once per case; one comparator process checks them all.
set -u
# shared/ sits beside the checkout (in CI too).
SUITE=${TOML_TEST_DIR:-$GEODE_ROOT/../shared/conformance/toml-test}
[ -d "$SUITE" ] || SUITE=/work/shared/conformance/toml-test
LIST="$SUITE/files-toml-1.0.0"
if [ ! -f "$LIST" ]; then
    echo "skip - toml-test suite not found at $SUITE"; exit 0
fi
if [ ! -x "$GEODE" ]; then
    echo "not ok - $GEODE is not built"; exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
while IFS= read -r case; do
    case "$case" in
    valid/*.toml) kind=valid ;;
    invalid/*.toml) kind=invalid ;;
    *) continue ;; # the .json halves of valid cases
    esac
    n=$((n + 1))
    name=${case%.toml}
    timeout 10 "$GEODE" manifest toml-decode <"$SUITE/$case" >"$work/$n.out" 2>"$work/$n.err"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$name" "$?" "$work/$n.out" "$work/$n.err" \
        "$SUITE/$name.json" >>"$work/results.tsv"
done <"$LIST"
/usr/bin/python3 "$GEODE_ROOT/tests/toml/compare.py" "$work/results.tsv"
