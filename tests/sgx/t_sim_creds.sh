#!/usr/bin/env bash
# Credentials and host-file locks inside the sim enclave (no fork there):
# a program started as uid/gid 1000 is refused every privileged change as
# natively (tests/programs/creds.c -nonroot), and a lock held by a host
# process outside the enclave is seen and respected through the trusted
# PAL's OCALLs (tests/programs/fcntlmore.c -probe), as natively.
. "$GEODE_ROOT/tests/sgx/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
    skip "t_sim_creds: the native run of creds -nonroot needs root (setpriv)"
    exit 0
fi
for kind in musl spie dyn; do
    bin="$PROGS/creds.$kind"
    need "$bin" || continue
    d=$(mktemp -d /tmp/geode-creds.XXXXXX) && chmod 755 "$d" && touch "$d/r" "$d/s" && chmod 600 "$d/s"
    setpriv --reuid=1000 --regid=1000 --clear-groups "$bin" -nonroot "$d" >"$TMP/native" 2>&1
    manifest "$TMP/c.toml" "$bin" 'loader.uid = 1000' 'loader.gid = 1000' \
        'sgx.enclave_size = "256M"' "$(trust "$bin" "file:$d/")"
    run_sim "$TMP/c.toml" -nonroot "$d"
    rm -rf "$d"
    # The host thread takes the program's file-system ids (set_fs_ids,
    # OCALL_PROCS_SET_FS_IDS): root's 0600 file is refused as natively.
    grep -q "^open root's 0600 s = -1 EACCES$" "$TMP/out"
    perm=$?
    diff -u "$TMP/native" "$TMP/out" >"$TMP/diff"
    [ "$rc" -eq 0 ] && [ ! -s "$TMP/diff" ] && [ "$perm" -eq 0 ]
    r=$?; check "creds.$kind -nonroot in the sim enclave equals native (host file permissions included)$( [ -s "$TMP/diff" ] && echo " ($(head -c 400 "$TMP/diff"))")" $r; diag $r
done

# With exitless workers a file OCALL may run on a worker's host thread:
# each worker takes the ids the program set last before it serves, so a
# root program that drops to nobody is refused root's 0600 file
# (tests/conformance/creds_drop.c) as natively.
bin="$GEODE_BUILD/tests/conformance/creds_drop"
if need "$bin"; then
    d=$(mktemp -d /tmp/geode-creds.XXXXXX) && chmod 755 "$d"
    "$bin" "$d" >"$TMP/native" 2>&1
    echo "exit status $?" >>"$TMP/native"
    rm -rf "$d" && d=$(mktemp -d /tmp/geode-creds.XXXXXX) && chmod 755 "$d"
    manifest "$TMP/w.toml" "$bin" 'geode.ocall_workers = 2' 'sgx.enclave_size = "256M"' \
        "$(trust "$bin" "file:$d/")"
    sed -i 's/^loader.log_level = .*/loader.log_level = "debug"/' "$TMP/w.toml"
    run_sim "$TMP/w.toml" "$d"
    echo "exit status $rc" >>"$TMP/out"
    rm -rf "$d"
    diff -u "$TMP/native" "$TMP/out" >"$TMP/diff"
    # Only a run whose OCALLs workers served shows anything (the adaptive
    # policy may keep a short program on the exit path): the enclave's
    # counters say how many (exitless N).
    served=$(sed -n 's/.*(exitless \([0-9]*\)).*/\1/p' "$TMP/err" | head -1)
    if [ "${served:-0}" -eq 0 ]; then
        skip "creds_drop with geode.ocall_workers = 2: no OCALL went to a worker in this run (exitless ${served:-?}), nothing to compare"
    else
        [ ! -s "$TMP/diff" ] && grep -q EACCES "$TMP/out"
        r=$?; check "creds_drop with geode.ocall_workers = 2 in the sim enclave equals native ($served OCALLs served by workers, which take the file-system ids)$( [ -s "$TMP/diff" ] && echo " ($(head -c 400 "$TMP/diff"))")" $r; diag $r
    fi
fi

# A host process holds a POSIX lock on bytes 0..99 and a shared flock.
f="$TMP/locked"
: >"$f"
python3 - "$f" <<'PY' >"$TMP/holder" 2>&1 &
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX, 100, 0)
fd2 = os.open(sys.argv[1], os.O_RDWR)
fcntl.flock(fd2, fcntl.LOCK_SH)
print("held", flush=True)
time.sleep(120)
PY
holder=$!
for _ in $(seq 50); do grep -q held "$TMP/holder" && break; sleep 0.1; done
for kind in musl spie dyn; do
    bin="$PROGS/fcntlmore.$kind"
    need "$bin" || continue
    "$bin" -probe "$f" >"$TMP/native" 2>&1
    manifest "$TMP/p.toml" "$bin" 'sgx.enclave_size = "256M"' "$(trust "$bin" "file:$f")"
    run_sim "$TMP/p.toml" -probe "$f"
    diff -u "$TMP/native" "$TMP/out" >"$TMP/diff"
    [ "$rc" -eq 0 ] && grep -q 'F_SETLK wr 0..10 = -1 EAGAIN' "$TMP/out" && [ ! -s "$TMP/diff" ]
    r=$?; check "fcntlmore.$kind -probe in the sim enclave: a host process's record lock and flock seen and respected, as natively" $r; diag $r
done
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null || : # its SIGTERM status is expected
