#!/usr/bin/env bash
# Syscall-site rewriting: 1,000,000 getppid calls from a static program
# take fewer than 1,000 SIGSYS traps when it is on, one trap per call when
# it is off (manifest key geode.syscall_rewrite), with the same output.
. "$(dirname "$0")/lib.sh"

traps() { sed -n 's/.*syscall traps=\([0-9]*\).*/\1/p' "$TMP/err"; }

for kind in musl spie; do
    bin="$PROGS/getppid_loop.$kind"
    need "$bin" || continue
    manifest "$TMP/on.toml" "$bin" "geode.syscall_rewrite = true"
    manifest "$TMP/off.toml" "$bin" "geode.syscall_rewrite = false"
    GEODE_TRAP_STATS=1 run_direct "$TMP/on.toml" 1000000
    on_out=$(cat "$TMP/out") on_traps=$(traps)
    [ "$rc" -eq 0 ] && [ -n "$on_traps" ] && [ "$on_traps" -lt 1000 ]
    check "getppid x1e6 ($kind) with rewriting: ${on_traps:-?} traps (< 1000)" $?
    GEODE_TRAP_STATS=1 run_direct "$TMP/off.toml" 100000
    off_traps=$(traps)
    [ "$rc" -eq 0 ] && [ -n "$off_traps" ] && [ "$off_traps" -ge 100000 ]
    check "getppid x1e5 ($kind) without rewriting: ${off_traps:-?} traps (>= 1e5)" $?
    off_out=$(cat "$TMP/out")
    GEODE_TRAP_STATS=1 run_direct "$TMP/on.toml" 100000
    [ "$on_out" = "calls=1000000 sum=0" ] && [ "$off_out" = "$(cat "$TMP/out")" ] &&
        [ "$off_out" = "calls=100000 sum=0" ]
    check "getppid ($kind): same result with and without rewriting" $?
done

# The wide shape (core/rewrite.c): glibc's read in a threaded process sets
# its number with `xor %eax,%eax`, and syscall(2) at run time. 3000 reads
# and the program's other calls take a few dozen traps (every site once,
# and the fork/clone/execve calls through syscall(2), which go back to the
# trap path), against more than 3000 without it.
bin="$GEODE_BUILD/tests/conformance/rewrite_wide"
if need "$bin"; then
    manifest "$TMP/wide.toml" "$bin" "geode.syscall_rewrite = true"
    GEODE_TRAP_STATS=1 run_direct "$TMP/wide.toml"
    wide_traps=$(sed -n 's/.*syscall traps=\([0-9]*\).*/\1/p' "$TMP/err" | tail -1)
    [ "$rc" -eq 0 ] && grep -q '^3000 reads: 3000 bytes, sum 328420$' "$TMP/out" &&
        grep -q "^read after the handler: 1 'z', handler ran 1$" "$TMP/out" &&
        [ -n "$wide_traps" ] && [ "$wide_traps" -lt 300 ]
    check "threaded read and syscall(2) sites rewritten: ${wide_traps:-?} traps for 3000 reads (< 300)" $?
fi

# The same through a shared library the program's dynamic loader maps
# (eh_frame_hdr_of_mapping finds libc.so.6's tables from its ELF header):
# python3 with a second thread reads a pipe 3000 times through glibc's
# threaded read.
if [ -x /usr/bin/python3 ]; then
    code='import os, threading
threading.Thread(target=lambda: None).start()
r, w = os.pipe()
n = 0
for i in range(3000):
    os.write(w, b"x"); n += len(os.read(r, 1))
print(n)'
    manifest "$TMP/py.toml" /usr/bin/python3 "geode.syscall_rewrite = true"
    GEODE_TRAP_STATS=1 run_direct "$TMP/py.toml" -c "$code"
    py_traps=$(sed -n 's/.*syscall traps=\([0-9]*\).*/\1/p' "$TMP/err" | tail -1)
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = 3000 ] && [ -n "$py_traps" ] && [ "$py_traps" -lt 1000 ]
    check "python3: 3000 threaded reads and writes through libc.so.6 take ${py_traps:-?} traps (< 1000)" $?
fi
