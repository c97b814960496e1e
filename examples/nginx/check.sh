#!/usr/bin/env bash
# Fetches pages from nginx under Geode and from native nginx (same
# configuration); status lines and bodies must be equal. Run by `make check`.
. ../lib.sh
fetch_all() { # fetch_all PORT: status line and body of each request
    local path
    for path in /index.html /docs/readme.txt /missing.html /; do
        printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$path" | talk "$1" |
            sed -e '2,/^$/d'
    done
}
run_one() { # run_one OUT PREFIX ROOT COMMAND...
    local out=$1 prefix=$2 root=$3 port pid rc
    shift 3
    port=$(free_port)
    rm -rf "$prefix" && mkdir -p "$prefix"
    chmod 755 "$prefix"
    sed -e "s|@PORT@|$port|" -e "s|@ROOT@|$root|" nginx.conf.in >"$prefix/nginx.conf"
    "$@" >"$out.log" 2>&1 &
    pid=$!
    wait_port "$port" && fetch_all "$port" >"$out"
    rc=$?
    kill -QUIT "$pid" 2>/dev/null # graceful stop
    timeout 20 tail --pid="$pid" -f /dev/null || stop "$pid"
    [ $rc -eq 0 ] || cat "$out.log" "$prefix/error.log" >&2
    return $rc
}
run_one OUTPUT.native "$PWD/native" "$PWD/html" nginx -p "$PWD/native/" -c nginx.conf -e stderr ||
    exit 1
run_one OUTPUT "$PWD/work" /html $GEODE_RUN nginx.manifest || exit 1
grep -q '<h1>nginx under Geode</h1>' OUTPUT.native || { echo "native nginx did not serve" >&2; exit 1; }
diff -u OUTPUT.native OUTPUT
# The error logs say the same (the 404), without times, process ids and paths.
norm() { sed -e 's/^[0-9/: ]*\(\[[a-z]*\]\) [0-9#]*: \*[0-9]* /\1 /' -e "s|$PWD/html|/html|" "$1"; }
diff -u <(norm native/error.log) <(norm work/error.log)
