#!/usr/bin/env bash
# Debian's python3 (dynamic, non-PIE, through ld-linux) under geode.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
need "$PY" || exit 0
M="$GEODE_ROOT/manifests/python3.manifest.toml"

run_direct "$M" -c 'print(1)'
[ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "1" ]
check "python3 -c 'print(1)'" $?

code='import json, hashlib, re; print(json.dumps({"h": hashlib.sha256(b"geode").hexdigest(), "m": re.sub("o+", "0", "foo")}))'
run_direct "$M" -c "$code"
[ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$($PY -c "$code")" ]
check "python3 json/hashlib/re equals native" $?

run_direct "$M" -c 'import sys; sys.exit(5)'
check "python3 sys.exit(5) gives status 5" $([ "$rc" -eq 5 ]; echo $?)

code='import threading
out = []
def work(i): out.append(sum(range(i * 1000)))
ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
[t.start() for t in ts]; [t.join() for t in ts]
print(sorted(out))'
run_direct "$M" -c "$code"
[ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$($PY -c "$code")" ]
check "python3 threading with 4 threads equals native" $?

# A SIGINT sent to geode from the host reaches the program's handler while
# it sleeps (the blocking host call is interrupted, the libOS delivers).
code='import signal, sys, time
def h(s, f):
    print("got", s, flush=True); sys.exit(9)
signal.signal(signal.SIGINT, h)
print("ready", flush=True)
time.sleep(20)
print("not interrupted")'
"$GEODE" run --mode direct "$M" -c "$code" >"$TMP/sig.out" 2>"$TMP/sig.err" &
pid=$!
for _ in $(seq 100); do grep -q ready "$TMP/sig.out" 2>/dev/null && break; sleep 0.05; done
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 9 ] && grep -q '^got 2$' "$TMP/sig.out"
check "host SIGINT reaches python's handler (status 9)" $?

code='import subprocess
print(subprocess.run(["echo", "sub"], capture_output=True, text=True).stdout.strip())
print(subprocess.call(["sh", "-c", "exit 4"]))'
run_direct "$M" -c "$code"
[ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$(printf 'sub\n4')" ]
check "python3 subprocess (fork/exec, pipes, wait status)" $?
