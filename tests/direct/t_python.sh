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
