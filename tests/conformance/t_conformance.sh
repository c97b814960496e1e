#!/usr/bin/env bash
# The conformance tier (docs/conformance.md): each tests/conformance/*.c
# program runs natively and under geode in every mode its "// modes:"
# header names (direct, sim); its output and exit status must equal the
# native run's. A difference listed in tests/conformance/known-differences
# is reported as a skip with its reason; a listed run that now matches is a
# failure, so the list can only shrink.
. "$GEODE_ROOT/tests/sgx/lib.sh"
SIM_WHY=$(sim_unavailable)

CONF="$GEODE_ROOT/tests/conformance"
BIN="$GEODE_BUILD/tests/conformance"
KNOWN="$CONF/known-differences"
RUN_TIMEOUT=${GEODE_CONF_TIMEOUT:-30}
HOST_UID=$(id -u)
HOST_GID=$(id -g)
ONLY=${GEODE_CONF_ONLY:-} # run only the programs whose name contains this

declare -A known=() used=()
if [ -f "$KNOWN" ]; then
    while read -r prog mode reason || [ -n "$prog" ]; do
        [[ -z "$prog" || "$prog" == \#* ]] && continue
        known["$prog $mode"]=$reason
    done <"$KNOWN"
fi

# modes_of SRC: the geode modes named by the program's "// modes:" line.
modes_of() { sed -n 's|^// modes:||p' "$1" | head -1; }

# result FILE RC: what is compared, the output and then the exit status.
result() { cat "$1"; echo "exit status $2"; }

# run_mode NAME BIN MODE: runs BIN under geode and compares with $TMP/NAME.native.out.
run_mode() {
    local name=$1 bin=$2 mode=$3 dir="$TMP/$1.$3.d" key="$1 $3"
    mkdir -p "$dir"
    if [ "$mode" = sim ]; then
        manifest "$TMP/$name.$mode.toml" "$bin" "loader.uid = $HOST_UID" "loader.gid = $HOST_GID" \
            "$(trust "$bin" "file:$dir/" "file:/dev/ptmx" "file:/dev/pts/")"
    else
        manifest "$TMP/$name.$mode.toml" "$bin" "loader.uid = $HOST_UID" "loader.gid = $HOST_GID"
    fi
    timeout -k 5 "$RUN_TIMEOUT" "$GEODE" run --mode "$mode" "$TMP/$name.$mode.toml" "$dir" \
        >"$TMP/out" 2>"$TMP/err" </dev/null
    result "$TMP/out" $? >"$TMP/$name.$mode.out"
    local same=0
    diff -a -u --label "$name native" --label "$name $mode" "$TMP/$name.native.out" "$TMP/$name.$mode.out" \
        >"$TMP/diff" || same=1
    if [ -n "${known[$key]+x}" ]; then
        used[$key]=1
        if [ "$same" -eq 0 ]; then
            notok "$name $mode listed as a known difference but matches: remove it from known-differences"
        else
            skip "$name $mode known difference: ${known[$key]}"
            sed 's/^/    /' "$TMP/diff"
        fi
    elif [ "$same" -eq 0 ]; then
        ok "$name $mode"
    else
        notok "$name $mode"
        sed 's/^/    /' "$TMP/diff"
        sed -n '1,5s/^/    # stderr: /p' "$TMP/err"
    fi
}

for src in "$CONF"/*.c; do
    name=$(basename "$src" .c)
    [[ -z "$ONLY" || "$name" == *"$ONLY"* ]] || continue
    bin="$BIN/$name"
    modes=$(modes_of "$src")
    if [ -z "$modes" ]; then
        notok "$name: no '// modes:' line in $src"
        continue
    fi
    if [ ! -x "$bin" ]; then
        for mode in $modes; do skip "$name $mode (not built: $bin)"; done
        continue
    fi
    mkdir -p "$TMP/$name.native.d"
    timeout -k 5 "$RUN_TIMEOUT" "$bin" "$TMP/$name.native.d" >"$TMP/out" 2>"$TMP/err" </dev/null
    result "$TMP/out" $? >"$TMP/$name.native.out"
    for mode in $modes; do
        case $mode in
        sim) if [ -n "$SIM_WHY" ]; then
                 used["$name sim"]=1 # its entry, if any, stays: nothing ran to say otherwise
                 skip "$name sim: the sim cannot run on this host ($SIM_WHY)"
             else
                 run_mode "$name" "$bin" "$mode"
             fi ;;
        direct) run_mode "$name" "$bin" "$mode" ;;
        *) notok "$name: unknown mode '$mode' in $src" ;;
        esac
    done
done

# An entry that names no run of a program would hide nothing and never shrink.
if [ -z "$ONLY" ]; then
    for key in "${!known[@]}"; do
        [ -n "${used[$key]+x}" ] ||
            notok "known-differences entry '$key' names no program run in that mode: remove it"
    done
fi
