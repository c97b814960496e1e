# Helpers for the direct-mode integration tests (sourced by t_*.sh).
# Env from tests/run: GEODE_ROOT, GEODE_BUILD, GEODE.
set -u
PROGS="$GEODE_BUILD/tests/programs"
TMP=$(mktemp -d /tmp/geode-direct.XXXXXX)
# Only this shell cleans up: a subshell killed right after its fork (before
# bash resets its traps) would run this trap too, and take $TMP away from
# the tests still running (seen with the `( sleep; kill ) &` killers).
trap 'if [ "$BASHPID" = "$$" ]; then rm -rf "$TMP"; fi' EXIT

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
skip() { echo "skip - $*"; }
check() { # check NAME COND-STATUS
    if [ "$2" -eq 0 ]; then ok "$1"; else notok "$1"; fi
}

# manifest FILE ENTRYPOINT [extra toml lines...]: a manifest passing argv.
manifest() {
    local file=$1 entry=$2
    shift 2
    {
        echo "libos.entrypoint = \"$entry\""
        echo "loader.insecure__use_cmdline_argv = true"
        echo "loader.log_level = \"warning\""
        echo "loader.env.PATH = \"/usr/bin:/bin\""
        for line in "$@"; do echo "$line"; done
    } >"$file"
}

# run_direct MANIFEST ARGS...: stdout to $TMP/out, stderr to $TMP/err, status in $rc.
run_direct() {
    timeout -k 5 "${RUN_TIMEOUT:-120}" "$GEODE" run --mode direct "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
}

. "$GEODE_ROOT/tests/sgx/sim_unavailable.sh"

need() { # need FILE: prints a skip line and returns 1 when FILE is missing
    if [ ! -x "$1" ]; then skip "$1 not built or not installed"; return 1; fi
}
