# Helpers for the enclave (sim) integration tests, sourced by t_sim_*.sh:
# tests/direct/lib.sh (manifest, check, need, $TMP...), trust.sh (trusted
# and allowed files for a program), and the two below.
. "$GEODE_ROOT/tests/direct/lib.sh"
. "$GEODE_ROOT/tests/sgx/trust.sh"

# Every t_sim_* script runs programs in the sim: where the host cannot run
# it (geode run refuses), the whole script is one skip with the reason.
case "$(basename "$0")" in
t_sim_*)
    sim_why=$(sim_unavailable)
    if [ -n "$sim_why" ]; then
        skip "$(basename "$0" .sh): the sim cannot run on this host ($sim_why)"
        exit 0
    fi
    ;;
esac

# run_sim MANIFEST ARGS...: stdout to $TMP/out, stderr to $TMP/err, status in $rc.
run_sim() {
    timeout -k 5 "${RUN_TIMEOUT:-120}" "$GEODE" run --mode sim "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
}
# diag STATUS: after a failed check, the first lines of what geode said.
diag() { [ "$1" -eq 0 ] || sed -n '1,5s/^/    # /p' "$TMP/err"; }
