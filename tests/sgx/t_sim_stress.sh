#!/usr/bin/env bash
# Enclave threads under competing CPU load (issue 8): a busy loop on every
# core while programs with several enclave threads run again and again for
# at least 20 s, alternating between the sim's two ways of keeping FS/GS
# bases (FSGSBASE instructions, and arch_prctl plus the enclave's base sync
# with the kernel's loss of unsynced writes emulated: GEODE_TEST_HIDE_CAPS).
# State lost at a context switch shows up as a wrong result or a crash.
. "$GEODE_ROOT/tests/sgx/lib.sh"

STRESS_SECONDS=${GEODE_STRESS_SECONDS:-20}
busy=()
for _ in $(seq "$(nproc)"); do
    (while :; do :; done) &
    busy+=($!)
done
trap 'if [ "$BASHPID" = "$$" ]; then kill "${busy[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; fi' EXIT

jobs=()
if need "$PROGS/threads.spie"; then
    manifest "$TMP/t.toml" "$PROGS/threads.spie" 'sgx.enclave_size = "256M"' 'sgx.max_threads = 8' \
        "$(trust "$PROGS/threads.spie")"
    jobs+=(threads)
fi
if [ -x /usr/bin/python3 ]; then
    manifest "$TMP/py.toml" /usr/bin/python3 'loader.argv = ["python3"]' 'sgx.enclave_size = "1G"' \
        'sgx.max_threads = 12' 'sgx.allowed_files = ["file:/"]'
    code='import threading, hashlib
out = []
def work(i):
    h = hashlib.sha256()
    for k in range(3000): h.update(str(k * i).encode())
    out.append(h.hexdigest()[:8])
ts = [threading.Thread(target=work, args=(i,)) for i in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
print(sorted(out))'
    py_expect=$(/usr/bin/python3 -c "$code")
    jobs+=(python)
else
    skip "python3 not installed"
fi
[ ${#jobs[@]} -gt 0 ] || exit 0

declare -A runs=() bad=()
start=$SECONDS i=0
while [ $((SECONDS - start)) -lt "$STRESS_SECONDS" ]; do
    for mode in native volatile; do
        hide=; [ $mode = volatile ] && hide=fsgsbase
        for job in "${jobs[@]}"; do
            key="$job/$mode"
            runs[$key]=$((${runs[$key]:-0} + 1))
            if [ "$job" = threads ]; then
                GEODE_TEST_HIDE_CAPS=$hide RUN_TIMEOUT=60 run_sim "$TMP/t.toml"
                [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "counter=400000 tls=ok" ]
            else
                GEODE_TEST_HIDE_CAPS=$hide RUN_TIMEOUT=60 run_sim "$TMP/py.toml" -c "$code"
                [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$py_expect" ]
            fi || {
                bad[$key]=$((${bad[$key]:-0} + 1))
                echo "# $key run ${runs[$key]}: status $rc"; sed -n '1,3s/^/#   /p' "$TMP/err"
            }
        done
    done
    i=$((i + 1))
done
for key in "${!runs[@]}"; do
    check "$key under a busy loop per core: ${runs[$key]} runs, ${bad[$key]:-0} wrong" "${bad[$key]:-0}"
done
