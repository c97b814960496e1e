#!/usr/bin/env bash
# Runs each example manifest under geode --mode direct next to the native
# program and says whether the outputs match. Usage: examples/demo.sh [BUILD]
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
G="$ROOT/${1:-build}/geode"
M="$ROOT/manifests"

compare() { # compare NAME MANIFEST NATIVE-COMMAND ARGS...
    local name=$1 manifest=$2 native=$3
    shift 3
    local a b
    a=$("$G" run --mode direct "$manifest" "$@" 2>&1)
    b=$("$native" "$@" 2>&1)
    if [ "$a" = "$b" ]; then echo "same   $name"; else echo "DIFFER $name"; diff <(echo "$b") <(echo "$a") | head -5; fi
}

compare busybox "$M/busybox.manifest.toml" /bin/busybox sh -c 'echo hi | sort; echo $((6 * 7))'
compare python3 "$M/python3.manifest.toml" /usr/bin/python3 -c 'import json, hashlib; print(json.dumps(hashlib.sha256(b"g").hexdigest()))'
compare sqlite3 "$M/sqlite3.manifest.toml" /usr/bin/sqlite3 :memory: 'select 6 * 7, sqlite_version()'
compare lua "$M/lua.manifest.toml" /usr/bin/lua5.4 -e 'print(("geode"):upper(), 2 ^ 10)'
