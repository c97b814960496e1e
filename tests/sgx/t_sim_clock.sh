#!/usr/bin/env bash
# The trusted PAL's clocks (pal_clock.c): where RDTSC runs in the enclave
# (the sim's default, SGX2 parts) clock_gettime and gettimeofday are read
# from the TSC between host readings, so a loop of them makes few OCALLs;
# where it is #UD (SGX1 parts: GEODE_TEST_SIM_RDTSC_UD) every reading asks
# the host, after one exception. Either way the clocks agree with the
# host's: the wall clock lies between the host's readings before and after
# the run, the monotonic clock never goes back, and both advance alike.
. "$GEODE_ROOT/tests/sgx/lib.sh"
bin="$GEODE_BUILD/tests/programs/clockloop.spie"
need "$bin" || exit 0
N=100000
{ echo "libos.entrypoint = \"$bin\""; echo 'loader.insecure__use_cmdline_argv = true'
  echo 'loader.log_level = "debug"'; trust "$bin"; } >"$TMP/c.toml"
count() { sed -n "s/.*inside:.* $1 \([0-9]*\) .*/\1/p" "$TMP/err" | tail -1; }

# run_clock LABEL [ENV...]: the loop under the sim, checked against the host's clock.
run_clock() {
    local label=$1 before after first last
    shift
    before=$(date +%s%N)
    env "$@" timeout -k 5 120 "$GEODE" run --mode sim "$TMP/c.toml" $N >"$TMP/out" 2>"$TMP/err"
    rc=$?
    after=$(date +%s%N)
    read -r first last <"$TMP/out"
    ocalls=$(count OCALL)
    exceptions=$(count exceptions)
    [ "$rc" -eq 0 ] && [ -n "$first" ] && [ "$before" -le "$first" ] && [ "$first" -le "$last" ] &&
        [ "$last" -le "$after" ] && grep -q '^monotonic back 0, wall back 0, skew under 2 ms$' "$TMP/out"
    r=$?; check "$label: clocks within the host's readings, never back, no skew ($(sed -n 2p "$TMP/out"))" $r
    diag $r
}

run_clock "TSC between host readings"
[ -n "$ocalls" ] && [ "$ocalls" -lt $((4 * N / 10)) ]
r=$?; check "$((4 * N)) clock readings took $ocalls OCALLs (under a tenth)" $r; diag $r

if "$GEODE" doctor 2>/dev/null | grep -q 'RDTSC trapping: works'; then
    base=$exceptions
    run_clock "RDTSC #UD (SGX1 model)" GEODE_TEST_SIM_RDTSC_UD=1
    [ -n "$ocalls" ] && [ "$ocalls" -ge $((4 * N)) ] && [ -n "$base" ] && [ "$exceptions" -eq $((base + 1)) ]
    r=$?; check "SGX1 model: every reading asks the host ($ocalls OCALLs), after one #UD ($base -> $exceptions exceptions)" $r
    diag $r
else
    skip "RDTSC #UD model: this host cannot trap RDTSC (geode doctor)"
fi
