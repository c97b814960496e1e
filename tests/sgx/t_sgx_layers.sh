#!/usr/bin/env bash
# The SGX host layers (docs/architecture.md, "SGX host layers"): the sources
# keep them (sgx_layers.py: includes only of allowed folders, no "../", no
# loader/ under pal/, no folder-level include cycle, pal/sgx/build.mk's -I
# lists), the checker finds each kind of breach in a copy of the tree, and
# the build's own flags make an include of a higher layer fail to compile.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$GEODE_ROOT" || exit 1
PY=/usr/bin/python3
T=$(mktemp -d /tmp/geode-t-layers-XXXXXX)
trap 'rm -rf "$T"' EXIT

ok() { if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fi; }

$PY "$HERE/sgx_layers.py" . >"$T/out" 2>&1; rc=$?
ok $rc "the tree keeps the SGX host layers"
[ $rc = 0 ] || sed 's/^/    /' "$T/out"
found=$(grep -r 'loader/' pal/ | head -3)
ok "$([ -z "$found" ]; echo $?)" "grep -r 'loader/' pal/ finds nothing"
[ -z "$found" ] || echo "$found" | sed 's/^/    /'

# Each breach, in a copy of the tree, must be reported.
breach() { # NAME EXPECTED-REGEX: runs the checker on $T/tree after the caller's edit
    $PY "$HERE/sgx_layers.py" "$T/tree" >"$T/b.out" 2>&1; local rc=$?
    ok "$([ $rc = 1 ] && grep -qE "$2" "$T/b.out"; echo $?)" "the checker reports $1"
    rm -rf "$T/tree"
}
fresh() { mkdir -p "$T/tree" && cp -r pal loader "$T/tree/"; }

fresh; echo '#include "urts.h"' >>"$T/tree/pal/sgx/platform/vdso.c"
breach "platform including urts.h" 'platform/vdso.c: #include "urts.h" \(from urts/\): not allowed'
fresh; echo '#include "layout.h"' >>"$T/tree/pal/sgx/sim/sim_ctx.c"
breach "sim including the image builder" 'sim/sim_ctx.c: #include "layout.h" \(from image/\)'
fresh; echo '#include "manifest/manifest.h"' >>"$T/tree/pal/sgx/urts/urts_run.c"
breach "urts including a loader header" 'urts/urts_run.c: #include "manifest/manifest.h" \(from loader/\)'
fresh; echo '#include "../platform/vdso.h"' >>"$T/tree/pal/sgx/urts/urts_run.c"
breach 'an #include "../"' 'urts_run.c: #include "../platform/vdso.h" goes through'
fresh; echo '/* see loader/cmd_run.c */' >>"$T/tree/pal/sgx/image/layout.c"
breach "a loader/ path under pal/" 'image/layout.c:[0-9]+: names loader/'
fresh; echo '#include "run_sgx.h"' >>"$T/tree/pal/direct/pidns.c"
breach "a folder-level include cycle" 'include cycle between folders: .*loader.*pal/direct|include cycle between folders: .*pal/direct.*loader'
fresh; sed -i 's|^SGX_INC_platform := pal/sgx/arch pal/sgx/platform|& pal/sgx/urts|' \
    "$T/tree/pal/sgx/build.mk"
breach "build.mk giving a layer more folders" 'SGX_INC_platform is .*urts'
fresh; mkdir "$T/tree/pal/sgx/misc"; echo 'int x;' >"$T/tree/pal/sgx/misc/x.c"
breach "a folder with no layer" 'pal/sgx/misc/: a folder with no layer'

# The build's flags: an object of a layer compiles with -I for its own
# folders only (the command make would run, on a probe file).
probe() { # LAYER-OBJECT INCLUDE WANT(0 compiles, 1 fails)
    local cmd
    cmd=$(make -n -B -s BUILD="$T/b" "$T/b/host/$1" 2>/dev/null | grep -E -- " -c ${1%.o}\.c( |$)" | tail -1)
    if [ -z "$cmd" ]; then
        echo "not ok - the compile command of $1 (make -n)"
        return
    fi
    printf '#include "%s"\nint probe;\n' "$2" >"$T/probe.c"
    cmd=${cmd/ -c ${1%.o}.c / -fsyntax-only $T/probe.c }
    cmd=${cmd% -o *}
    cmd=${cmd/ -MMD -MP / } # no dependency file in the current folder
    (eval "$cmd") >/dev/null 2>&1; local rc=$?
    [ $rc != 0 ] && rc=1
    ok "$([ $rc = "$3" ]; echo $?)" \
        "${1#pal/sgx/}: #include \"$2\" $([ "$3" = 0 ] && echo compiles || echo fails) with its layer's flags"
}
probe pal/sgx/platform/vdso.o sgx_driver.h 0
probe pal/sgx/platform/vdso.o urts.h 1
probe pal/sgx/platform/vdso.o measure.h 1
probe pal/sgx/identity/measure.o sgx_err.h 0
probe pal/sgx/identity/measure.o layout.h 1
probe pal/sgx/sim/sim_ctx.o measure.h 0
probe pal/sgx/sim/sim_ctx.o layout.h 1
probe pal/sgx/sim/sim_ctx.o urts.h 1
probe pal/sgx/image/layout.o sigstruct.h 0
probe pal/sgx/image/layout.o sim_build.h 1
probe pal/sgx/urts/urts_run.o sim_build.h 0
probe pal/sgx/urts/urts_run.o manifest/manifest.h 1
probe pal/sgx/urts/urts_run.o run_sgx.h 1
