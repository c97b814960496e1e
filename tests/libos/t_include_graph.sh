#!/usr/bin/env bash
# The libOS's include graph has no cycle between its folders (lib, core,
# fs, elf, sys, ...): tests/libos/include_graph.py over libos/; nor do
# pal/ (direct, crypto, include, sgx) and loader/, read with every -I folder
# the build gives them (the SGX layers inside pal/sgx/ are t_sgx_layers'),
# whose file-level cycles are reported. The checker itself must find a
# cycle planted in a copy.
cd "$GEODE_ROOT" || exit 1
G=tests/libos/include_graph.py
out=$(python3 $G -I pal/include libos 2>&1); rc=$?
if [ $rc -eq 0 ]; then
    echo "ok - libos/: no include cycle between folders ($(tail -1 <<<"$out" | sed 's/^# //'))"
else
    echo "not ok - libos/: include cycles between folders"
    sed 's/^/    /' <<<"$out" | head -40
fi
I="-I pal/include -I pal/crypto -I pal/sgx -I loader -I pal/direct -I pal/sgx/enclave"
for d in arch abi platform identity image sim urts; do I="$I -I pal/sgx/$d"; done
out=$(python3 $G $I pal loader 2>&1); rc=$?
if [ $rc -eq 0 ]; then
    echo "ok - pal/ and loader/: no include cycle between folders ($(tail -1 <<<"$out" | sed 's/^# //'))"
else
    echo "not ok - pal/ and loader/: include cycles between folders"
fi
grep -v '^    ' <<<"$out" | sed 's/^/#   /'

# The checker finds a planted two-folder cycle (and names its files).
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/r/a" "$tmp/r/b"
printf '#include "b/y.h"\n' >"$tmp/r/a/x.h"
printf '#include "a/x.h"\n' >"$tmp/r/b/y.c"
printf '\n' >"$tmp/r/b/y.h"
planted=$(python3 $G "$tmp/r"); prc=$?
if [ $prc -ne 0 ] && grep -q "folder cycle: $tmp/r/a $tmp/r/b" <<<"$planted" &&
    grep -q "r/b/y.c -> .*r/a/x.h" <<<"$planted"; then
    echo "ok - the checker finds a planted folder cycle"
else
    echo "not ok - the checker missed a planted folder cycle (exit $prc)"
    sed 's/^/    /' <<<"$planted"
fi
# ... and a file-level one (a header and its .c file are one component).
printf '#include "b/y.h"\n' >"$tmp/r/a/x.c"; printf '#include "a/x.h"\n' >"$tmp/r/a/z.h"
printf '#include "z.h"\n' >"$tmp/r/a/w.h"; printf '#include "w.h"\n' >"$tmp/r/a/x.h"
printf '#include "x.h"\n' >"$tmp/r/a/z.c"; printf '\n' >"$tmp/r/b/y.c"
planted=$(python3 $G "$tmp/r"); prc=$?
if [ $prc -eq 0 ] && grep -q "file cycle (3 components)" <<<"$planted"; then
    echo "ok - the checker reports a file-level cycle inside a folder (not fatal)"
else
    echo "not ok - file-level cycle not reported as such (exit $prc)"
    sed 's/^/    /' <<<"$planted"
fi
