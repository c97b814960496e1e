#!/usr/bin/env bash
# examples/ra-tls in the sim: `make check` (an OpenSSL server unmodified in
# the enclave, its quote in its certificate, checked by the host client), and
# a client expecting another MRENCLAVE refuses to talk to it.
. "$(dirname "$0")/lib.sh"

ex="$GEODE_ROOT/examples/ra-tls"
O="$TMP/ratls"
port=$((20000 + RANDOM % 20000))
timeout 120 make -s -C "$ex" check GEODE="$GEODE" O="$O" PORT="$port" >"$TMP/out" 2>"$TMP/err"
rc=$?
r=$([ "$rc" -eq 0 ] && grep -q '^client: attested server says: hello from inside the enclave' "$TMP/out" &&
    grep -q '^MRENCLAVE ' "$TMP/out"; echo $?)
check "RA-TLS: the client verifies the enclave's certificate (quote, MRENCLAVE, key hash), then talks to it" $r
diag $r

port=$((port + 1))
timeout 60 "$GEODE" run --mode sim "$O/server.toml" "$port" 1 >"$TMP/s.out" 2>"$TMP/s.err" &
srv=$!
for _ in $(seq 100); do grep -q listening "$TMP/s.out" 2>/dev/null && break; sleep 0.1; done
timeout 30 "$O/client" "$port" "$GEODE" "$(printf '%064d' 0)" "$O/qe.pem" >"$TMP/c.out" 2>"$TMP/c.err"
rc=$?
kill "$srv" 2>/dev/null
wait "$srv" 2>/dev/null
r=$([ "$rc" -eq 1 ] && grep -q 'mrenclave' "$TMP/c.err" && grep -q 'not talking to it' "$TMP/c.err" &&
    ! grep -q 'attested server says' "$TMP/c.out"; echo $?)
check "RA-TLS: a client expecting another MRENCLAVE refuses the server ($(head -c 200 "$TMP/c.err" | tr '\n' ';'))" $r
