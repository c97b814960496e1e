#!/usr/bin/env bash
# Trusted and allowed files inside the sim enclave (docs/architecture.md,
# "Trusted files"): a trusted file reads as on the host; modified before
# the run it is refused (EACCES, the file named), modified while open its
# reads fail (EIO); it cannot be written; an allowed file reads and writes;
# an unlisted one is refused under strict and passed with a warning under
# allow_all_but_log; files below a trusted directory URI are trusted and
# the directories below it listable; an entrypoint in neither list fails
# the run with a clear message. Direct mode checks nothing.
. "$GEODE_ROOT/tests/sgx/lib.sh" # (run_sim and diag are this test's own, below)

run_sim() {
    timeout -k 5 "${RUN_TIMEOUT:-60}" "$GEODE" run --mode sim "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
}
diag() { [ "$1" -eq 0 ] || { echo "    # status $rc"; sed -n '1,5s/^/    # /p' "$TMP/out" "$TMP/err"; }; }
# flip FILE OFFSET: changes the byte there (its low bit), whatever it was
# (a fixed byte written over random data is the same one time in 256).
flip() {
    local b
    b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    printf "\\$(printf %o $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

BB=/bin/busybox
if ! file "$BB" 2>/dev/null | grep -q 'statically linked'; then
    skip "busybox-static not installed"
    exit 0
fi

D="$TMP/data"
mkdir -p "$D/tree/sub" "$D/open"
head -c 300000 /dev/urandom >"$D/t.bin"          # several 64 KiB chunks
echo "allowed before" >"$D/a.txt"
echo "not listed" >"$D/u.txt"
echo "deep" >"$D/tree/sub/f.txt"
echo "top" >"$D/tree/g.txt"
m="$TMP/m.toml"
manifest "$m" "$BB" 'loader.argv = ["busybox"]' \
    "sgx.trusted_files = [\"file:$BB\", \"file:$D/t.bin\", \"file:$D/tree/\"]" \
    "sgx.allowed_files = [\"file:$D/a.txt\", \"file:$D/open/\"]"

run_sim "$m" sha256sum "$D/t.bin"
[ "$rc" -eq 0 ] && [ "$(cut -d' ' -f1 "$TMP/out")" = "$(sha256sum "$D/t.bin" | cut -d' ' -f1)" ]
r=$?; check "a trusted file (300 KB, 5 chunks) reads in the enclave as on the host" $r; diag $r

run_sim "$m" sh -c "echo x >> $D/t.bin"
[ "$rc" -ne 0 ] && grep -q 'Permission denied' "$TMP/err" && grep -q "trusted file $D/t.bin is read-only" "$TMP/err" &&
    [ "$(sha256sum <"$D/t.bin")" = "$(sha256sum <"$D/t.bin")" ]
r=$?; check "writing to a trusted file: EACCES" $r; diag $r

run_sim "$m" sh -c "echo more >> $D/a.txt; echo new > $D/open/n.txt; cat $D/a.txt $D/open/n.txt"
[ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$(printf 'allowed before\nmore\nnew')" ] &&
    [ "$(cat "$D/open/n.txt")" = new ] && [ ! -s "$TMP/err" ]
r=$?; check "an allowed file and a file below an allowed directory: written and read back" $r; diag $r

run_sim "$m" cat "$D/u.txt"
[ "$rc" -ne 0 ] && [ ! -s "$TMP/out" ] &&
    grep -q "$D/u.txt is neither a trusted nor an allowed file (sgx.file_check_policy = strict)" "$TMP/err"
r=$?; check "an unlisted file under strict (the default): refused, the path named" $r; diag $r

run_sim "$m" sh -c "echo w > $D/u2.txt"
[ "$rc" -ne 0 ] && [ ! -e "$D/u2.txt" ]
r=$?; check "creating an unlisted file under strict: refused, nothing created" $r; diag $r

sed 's/^loader.log_level.*/loader.log_level = "warning"/' "$m" >"$TMP/log.toml"
echo 'sgx.file_check_policy = "allow_all_but_log"' >>"$TMP/log.toml"
run_sim "$TMP/log.toml" cat "$D/u.txt"
[ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "not listed" ] &&
    grep -q "$D/u.txt is neither a trusted nor an allowed file; allowed by sgx.file_check_policy = allow_all_but_log" "$TMP/err"
r=$?; check "an unlisted file under allow_all_but_log: read, with a warning" $r; diag $r

# Shell builtins only (no fork inside the enclave yet): read, globs, cd.
run_sim "$m" sh -c "read a < $D/tree/sub/f.txt; read b < $D/tree/g.txt; echo \$a \$b; echo $D/tree/*; cd $D/tree/sub && echo *"
[ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$(printf 'deep top\n%s\nf.txt' "$D/tree/g.txt $D/tree/sub")" ]
r=$?; check "a trusted directory URI: files below it read, directories below it listed" $r; diag $r

# Modified between geode run's hashing (the manifest) and the open inside:
# a manifest whose hash is the old content's.
cp "$D/t.bin" "$D/t2.bin"
old=$(sha256sum "$D/t2.bin" | cut -d' ' -f1)
manifest "$TMP/pin.toml" "$BB" 'loader.argv = ["busybox"]' \
    "sgx.trusted_files = [\"file:$BB\", {uri = \"file:$D/t2.bin\", sha256 = \"$old\"}]"
flip "$D/t2.bin" 100000
run_sim "$TMP/pin.toml" cat "$D/t2.bin"
[ "$rc" -ne 0 ] && [ ! -s "$TMP/out" ] && grep -q 'Permission denied' "$TMP/err" &&
    grep -q "trusted file $D/t2.bin was modified: SHA-256 [0-9a-f]\{64\} expected $old" "$TMP/err"
r=$?; check "a trusted file modified before the open: EACCES, the file and both hashes named" $r; diag $r

# Modified while the program has it open: python3 (every other file
# allowed; the trusted entry wins over "file:/") reads chunk 0, waits until
# the test has changed chunk 3 on the host, then reads it through the same
# descriptor and through a second open.
if [ -x /usr/bin/python3 ]; then
    cp "$D/t.bin" "$D/t3.bin"
    manifest "$TMP/live.toml" /usr/bin/python3 'loader.argv = ["python3"]' 'sgx.enclave_size = "1G"' \
        "sgx.trusted_files = [\"file:$D/t3.bin\"]" 'sgx.allowed_files = ["file:/"]'
    code="import os, time
def tail(f):
    f.seek(3 * 65536)
    try:
        return len(f.read(100))
    except OSError as e:
        return os.strerror(e.errno)
f = open('$D/t3.bin', 'rb', buffering=0)
print(len(f.read(1000)), flush=True)
open('$TMP/ready', 'w').close()
while not os.path.exists('$TMP/go'): time.sleep(0.02)
print(tail(f), tail(open('$D/t3.bin', 'rb', buffering=0)))
f.seek(65536); print(len(f.read(65536)))"
    rm -f "$TMP/go" "$TMP/ready"
    timeout -k 5 60 "$GEODE" run --mode sim "$TMP/live.toml" -c "$code" >"$TMP/out" 2>"$TMP/err" &
    pid=$!
    for _ in $(seq 600); do [ -e "$TMP/ready" ] && break; sleep 0.05; done
    flip "$D/t3.bin" $((3 * 65536 + 7))
    touch "$TMP/go"
    wait "$pid"
    rc=$?
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$(printf '1000\nInput/output error Input/output error\n65536')" ] &&
        grep -q "trusted file $D/t3.bin changed on the host after it was verified (bytes 196608..262144" "$TMP/err"
    r=$?; check "a trusted file modified while open: the changed chunk reads EIO (logged), the others still read" $r
    diag $r
else
    skip "python3 not installed"
fi

# The entrypoint in neither list.
manifest "$TMP/noentry.toml" "$BB" 'loader.argv = ["busybox"]' "sgx.allowed_files = [\"file:$D/a.txt\"]"
run_sim "$TMP/noentry.toml" echo hi
[ "$rc" -eq 127 ] && [ ! -s "$TMP/out" ] &&
    grep -q "busybox is neither a trusted nor an allowed file (sgx.file_check_policy = strict)" "$TMP/err" &&
    grep -q "cannot start the program" "$TMP/err"
r=$?; check "an entrypoint neither trusted nor allowed: the run fails (127), the file named" $r; diag $r

# Direct mode (no enclave) ignores the lists, as gramine-direct does.
timeout -k 5 60 "$GEODE" run --mode direct "$m" cat "$D/u.txt" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "not listed" ] && [ ! -s "$TMP/err" ]
r=$?; check "direct mode: no file checks" $r; diag $r
