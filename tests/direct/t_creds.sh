#!/usr/bin/env bash
# Credentials (tests/programs/creds.c): set*id, setgroups, setfsuid, chown
# and the ids across fork and execve, under geode --mode direct compared
# line by line with the native run (as root, and as uid 1000 against a
# manifest with loader.uid = 1000); then geode run by an unprivileged host
# user for a program that is root inside (chown the host refuses).
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
    skip "t_creds: the native runs need root (to compare a root program with Geode's)"
    exit 0
fi
scratch() { # a directory every uid may traverse and write, as the drops need
    local d
    d=$(mktemp -d /tmp/geode-creds.XXXXXX) && chmod 1777 "$d" && echo "$d"
}
nosym() { grep -v -E '(^| )l( |:|$)' "$1"; } # tmpfs holds no symlinks

for kind in musl spie dyn; do
    bin="$PROGS/creds.$kind"
    need "$bin" || continue
    manifest "$TMP/c.toml" "$bin"
    d=$(scratch)
    "$bin" "$d" create >"$TMP/native" 2>&1
    rm -rf "$d"
    d=$(scratch)
    run_direct "$TMP/c.toml" "$d" create
    rm -rf "$d"
    # Geode's host user is root here: files the program creates under a
    # changed fsuid are given to it, as natively.
    diff -u "$TMP/native" "$TMP/out" >"$TMP/diff"
    [ "$rc" -eq 0 ] && [ -s "$TMP/out" ]
    check "creds.$kind: root's set*id, setgroups, setfsuid, chown and new files' owners on the host, execve equal native$( [ -s "$TMP/diff" ] && echo " ($(head -c 600 "$TMP/diff"))")" \
        $([ "$rc" -eq 0 ] && [ ! -s "$TMP/diff" ]; echo $?)

    manifest "$TMP/ct.toml" "$bin" 'fs.mounts = [{type = "tmpfs", path = "/scratch"}]'
    run_direct "$TMP/ct.toml" /scratch create
    diff -u <(nosym "$TMP/native") <(nosym "$TMP/out") >"$TMP/diff"
    check "creds.$kind: tmpfs records owners (creator's fsuid/fsgid, chown) as native$( [ -s "$TMP/diff" ] && echo " ($(head -c 600 "$TMP/diff"))")" \
        $([ "$rc" -eq 0 ] && [ ! -s "$TMP/diff" ]; echo $?)

    d=$(mktemp -d /tmp/geode-creds.XXXXXX) && chmod 755 "$d" && touch "$d/r" "$d/s" && chmod 600 "$d/s"
    setpriv --reuid=1000 --regid=1000 --clear-groups "$bin" -nonroot "$d" >"$TMP/native" 2>&1
    manifest "$TMP/cn.toml" "$bin" 'loader.uid = 1000' 'loader.gid = 1000'
    run_direct "$TMP/cn.toml" -nonroot "$d"
    rm -rf "$d"
    diff -u "$TMP/native" "$TMP/out" >"$TMP/diff"
    check "creds.$kind: loader.uid/gid 1000: EPERM for every privileged change, as native$( [ -s "$TMP/diff" ] && echo " ($(head -c 600 "$TMP/diff"))")" \
        $([ "$rc" -eq 0 ] && [ ! -s "$TMP/diff" ]; echo $?)
done

# Root inside, unprivileged outside: the chowns the program may make are
# reported done (logged once), the host file keeps its host owner.
bin="$PROGS/creds.dyn"
if need "$bin"; then
    d=$(mktemp -d /tmp/geode-creds.XXXXXX) && chown 1000:1000 "$d"
    manifest "$d/c.toml" "$bin" # readable by the host user ($TMP is not)
    timeout -k 5 60 setpriv --reuid=1000 --regid=1000 --clear-groups "$GEODE" run --mode direct \
        "$d/c.toml" "$d" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    rm -rf "$d"
    [ "$rc" -eq 0 ] && grep -q '^fchownat f 65534:65534 = 0$' "$TMP/out" &&
        grep -q '^owner f: 1000:1000' "$TMP/out" && grep -q '^setgroups(0) = 0$' "$TMP/out" &&
        grep -q '^chown f to 0 = -1 EPERM$' "$TMP/out" &&
        [ "$(grep -c 'host refused a change' "$TMP/err")" -eq 1 ]
    check "host user 1000, root inside: chown reported done and logged once, host owner kept, drops refused after" $?
fi

# Descriptors (tests/programs/fcntlmore.c): SIGPIPE, record locks and flock
# seen across fork, F_SETOWN_EX, recvfrom's ignored address, fallocate,
# copy_file_range, mknod, fadvise, creat: equal to native on a host dir.
for kind in musl spie dyn; do
    bin="$PROGS/fcntlmore.$kind"
    need "$bin" || continue
    manifest "$TMP/f.toml" "$bin"
    mkdir -p "$TMP/fn.$kind" "$TMP/fg.$kind"
    "$bin" "$TMP/fn.$kind" >"$TMP/native" 2>&1
    run_direct "$TMP/f.toml" "$TMP/fg.$kind"
    diff -u "$TMP/native" "$TMP/out" >"$TMP/diff"
    check "fcntlmore.$kind: SIGPIPE, locks across processes, owners, recvfrom, fallocate, copy_file_range, mknod equal native$( [ -s "$TMP/diff" ] && echo " ($(head -c 600 "$TMP/diff"))")" \
        $([ "$rc" -eq 0 ] && [ -s "$TMP/out" ] && [ ! -s "$TMP/diff" ]; echo $?)
done

# The calls added by the syscall-table audit (tests/programs/sysaudit.c):
# equal to native where Linux and Geode answer alike, and Geode's
# documented refusals (docs/syscalls.md) as documented.
for kind in musl spie dyn; do
    bin="$PROGS/sysaudit.$kind"
    need "$bin" || continue
    manifest "$TMP/a.toml" "$bin"
    mkdir -p "$TMP/an.$kind" "$TMP/ag.$kind"
    "$bin" "$TMP/an.$kind" >"$TMP/native" 2>&1
    run_direct "$TMP/a.toml" "$TMP/ag.$kind"
    diff -u "$TMP/native" "$TMP/out" >"$TMP/diff"
    check "sysaudit.$kind: preadv/pwritev(2), utime(s), sched_*, priorities, prctl settings, getrusage, sendmmsg/recvmmsg, openat2 equal native$( [ -s "$TMP/diff" ] && echo " ($(head -c 600 "$TMP/diff"))")" \
        $([ "$rc" -eq 0 ] && [ -s "$TMP/out" ] && [ ! -s "$TMP/diff" ]; echo $?)
done
if need "$PROGS/sysaudit.dyn"; then
    manifest "$TMP/a.toml" "$PROGS/sysaudit.dyn"
    run_direct "$TMP/a.toml" -geode
    cat >"$TMP/expected" <<'EXP'
getxattr /proc/self/status = -1 EOPNOTSUPP
getxattr missing = -1 ENOENT
fsetxattr bad fd = -1 EBADF
listxattr /dev/null = -1 EOPNOTSUPP
membarrier QUERY = 0
membarrier GLOBAL = -1 EINVAL
name_to_handle_at = -1 EOPNOTSUPP
syslog READ_ALL = -1 EPERM
syslog SIZE_BUFFER = 0
setscheduler FIFO = -1 EPERM
EXP
    diff -u "$TMP/expected" "$TMP/out" >"$TMP/diff"
    check "sysaudit: xattrs, file handles, membarrier commands, syslog, real-time policies refused as docs/syscalls.md says" \
        $([ "$rc" -eq 0 ] && [ ! -s "$TMP/diff" ]; echo $?)
fi

# nginx's privilege drop (master_process on, user nobody): the master
# chowns its temp directories to nobody and spawns workers (setgid,
# setgroups, setuid; channels with SCM_RIGHTS and FIOASYNC) without an
# alert; a request is answered. Serving load is t_apps's and the bench's.
if [ -x /usr/sbin/nginx ]; then
    n="$TMP/ngx" port=$((20000 + RANDOM % 20000))
    mkdir -p "$n/html" && echo "served" >"$n/html/index.html"
    cat >"$n/nginx.conf" <<NGX
user nobody nogroup;
master_process on;
worker_processes 2;
daemon off;
pid $n/nginx.pid;
error_log $n/error.log notice;
events { }
http {
    access_log off;
    client_body_temp_path $n/body;
    proxy_temp_path $n/proxy;
    fastcgi_temp_path $n/fastcgi;
    uwsgi_temp_path $n/uwsgi;
    scgi_temp_path $n/scgi;
    server { listen 127.0.0.1:$port; root $n/html; }
}
NGX
    manifest "$TMP/n.toml" /usr/sbin/nginx
    "$GEODE" run --mode direct "$TMP/n.toml" -p "$n" -c "$n/nginx.conf" >"$TMP/out" 2>&1 &
    g=$!
    for _ in $(seq 50); do grep -q 'start worker process 3' "$n/error.log" 2>/dev/null && break; sleep 0.1; done
    body=$(curl -s -m 5 "http://127.0.0.1:$port/" 2>/dev/null)
    kill -TERM "$g" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$g" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$g" 2>/dev/null
    wait "$g" 2>/dev/null
    owners=$(stat -c %U "$n/body" "$n/proxy" "$n/fastcgi" "$n/uwsgi" "$n/scgi" | sort -u)
    [ "$owners" = "nobody" ] && grep -q 'start worker process 3' "$n/error.log" &&
        ! grep -E 'chown|setgid|setgroups|setuid|sendmsg|FIOASYNC|ioctl' "$n/error.log" | grep -q -E 'failed|alert' &&
        [ "$body" = "served" ]
    check "nginx user nobody: temp dirs chowned to nobody, workers spawned without alerts, a request answered$( [ "$body" = "served" ] || echo " (got '$body')")" $?
else
    skip "nginx not installed"
fi
