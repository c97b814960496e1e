#!/usr/bin/env bash
# The conformance programs whose facts hold on any Linux file system, run
# with their scratch directory on a tmpfs mount of the libOS (fs.mounts
# type "tmpfs") and compared with a native run on the host's tmpfs
# (/dev/shm): the libOS's tmpfs keeps times, symlinks, holes' zeros and
# directory listings as Linux's tmpfs does. Programs that touch what the
# libOS's tmpfs does not hold (hard links, FIFOs, O_TMPFILE, xattrs) are
# not in the list (docs/syscalls.md).
. "$GEODE_ROOT/tests/sgx/lib.sh"
SIM_WHY=$(sim_unavailable)
BIN="$GEODE_BUILD/tests/conformance"
PROGS="fs_times fs_dirs fs_copy fs_memfd"

if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" != tmpfs ]; then
    skip "t_conformance_tmpfs: /dev/shm is not a tmpfs here (native runs need one)"
    exit 0
fi
for name in $PROGS; do
    bin="$BIN/$name"
    if [ ! -x "$bin" ]; then
        skip "$name on tmpfs (not built: $bin)"
        continue
    fi
    d=$(mktemp -d /dev/shm/geode-conf.XXXXXX)
    timeout -k 5 30 "$bin" "$d" >"$TMP/native" 2>&1
    echo "exit status $?" >>"$TMP/native"
    rm -rf "$d"
    for mode in direct sim; do
        if [ "$mode" = sim ] && [ -n "$SIM_WHY" ]; then
            skip "$name on tmpfs, sim: the sim cannot run on this host ($SIM_WHY)"
            continue
        fi
        manifest "$TMP/m.toml" "$bin" "loader.uid = $(id -u)" "loader.gid = $(id -g)" \
            'fs.mounts = [{type = "tmpfs", path = "/scratch"}]' \
            "$([ "$mode" = sim ] && trust "$bin")"
        timeout -k 5 30 "$GEODE" run --mode "$mode" "$TMP/m.toml" /scratch >"$TMP/out" 2>"$TMP/err" </dev/null
        echo "exit status $?" >>"$TMP/out"
        if diff -u --label native --label "$mode" "$TMP/native" "$TMP/out" >"$TMP/diff"; then
            ok "$name on tmpfs, $mode"
        else
            notok "$name on tmpfs, $mode"
            sed 's/^/    /' "$TMP/diff"
            sed -n '1,5s/^/    # stderr: /p' "$TMP/err"
        fi
    done
done
