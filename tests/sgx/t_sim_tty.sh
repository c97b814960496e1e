#!/usr/bin/env bash
# A terminal in the enclave and in direct mode (run under script(1), so
# that the program's stdin is a tty): TCGETS and TIOCGWINSZ write exactly
# the kernel's sizes into the program's memory (36 and 8 bytes; a 60-byte
# TCGETS reply overwrote 24 bytes of glibc's stack), isatty is true.
. "$GEODE_ROOT/tests/sgx/lib.sh"

if ! command -v script >/dev/null; then
    skip "script(1) not installed (bsdutils)"
    exit 0
fi
if ! timeout 10 script -qec true /dev/null </dev/null >/dev/null 2>&1; then
    skip "script(1) cannot open a pseudo-terminal on this host (no /dev/pts?)"
    exit 0
fi
want=$'TCGETS: ok, bytes written past 36: 0\nTIOCGWINSZ: ok, bytes written past 8: 0\nisatty: yes'
for kind in musl spie dyn; do
    bin="$PROGS/ttycanary.$kind"
    need "$bin" || continue
    manifest "$TMP/t.toml" "$bin" "$(trust "$bin")"
    for mode in direct sim; do
        timeout -k 5 60 script -qec "'$GEODE' run --mode $mode '$TMP/t.toml' 2>'$TMP/err'" /dev/null \
            </dev/null >"$TMP/out" 2>&1
        rc=$?
        tr -d '\r' <"$TMP/out" >"$TMP/out.txt"
        [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out.txt")" = "$want" ]
        r=$?; check "ttycanary.$kind ($mode, on a tty): TCGETS and TIOCGWINSZ write the kernel's sizes, isatty" $r
        [ "$r" -eq 0 ] && continue
        sed 's/^/    # /' "$TMP/out.txt" | head -5; diag 1
    done
done

# Setting the terminal from inside (TIOCSWINSZ, TCSETS through stty, then
# tcsetattr's TCSETSW back): the host's terminal takes it, as natively.
if need /bin/busybox; then
    cat >"$TMP/stty.sh" <<'SH'
stty rows 41 cols 93 && stty size && stty -echo && stty -a | tr ' ;' '\n\n' | grep -x -- -echo && stty echo
SH
    manifest "$TMP/s.toml" /bin/busybox "$(trust /bin/busybox "file:$TMP/stty.sh")"
    for mode in direct sim; do
        timeout -k 5 60 script -qec "'$GEODE' run --mode $mode '$TMP/s.toml' sh '$TMP/stty.sh' 2>'$TMP/err'; stty size" \
            /dev/null </dev/null >"$TMP/out" 2>&1
        rc=$?
        tr -d '\r' <"$TMP/out" >"$TMP/out.txt"
        [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out.txt")" = "$(printf '41 93\n-echo\n41 93')" ]
        r=$?; check "busybox stty ($mode, on a tty): window size and echo set from inside reach the host's terminal" $r
        [ "$r" -eq 0 ] || { sed 's/^/    # /' "$TMP/out.txt" | head -5; diag 1; }
    done
fi

# A pseudo-terminal of the host's (posix_openpt, TIOCSPTLCK, TIOCGPTN,
# /dev/pts/N): python's os.openpty, and bytes both ways through it.
if [ -x /usr/bin/python3 ] && [ -c /dev/ptmx ]; then
    cat >"$TMP/openpty_t.py" <<'PY'
import os, termios
m, s = os.openpty()
print("slave is a pts:", os.ttyname(s).startswith("/dev/pts/"), os.isatty(s))
os.write(m, b"ping\n")
print(os.read(s, 100))
attrs = termios.tcgetattr(s)
attrs[3] &= ~termios.ECHO
termios.tcsetattr(s, termios.TCSANOW, attrs)
os.write(m, b"quiet\n")
print(os.read(s, 100))
PY
    manifest "$TMP/pty.toml" /usr/bin/python3 'sgx.enclave_size = "1G"' 'sgx.allowed_files = ["file:/"]'
    /usr/bin/python3 "$TMP/openpty_t.py" >"$TMP/pty.native" 2>&1
    for mode in direct sim; do
        timeout -k 5 60 "$GEODE" run --mode $mode "$TMP/pty.toml" "$TMP/openpty_t.py" >"$TMP/out" 2>"$TMP/err"
        rc=$?
        [ "$rc" -eq 0 ] && diff -q "$TMP/pty.native" "$TMP/out" >/dev/null
        r=$?; check "os.openpty ($mode): a host pseudo-terminal, read, write and tcsetattr through it, as natively" $r
        [ "$r" -eq 0 ] || { sed 's/^/    # /' "$TMP/out" | head -5; diag 1; }
    done
fi

# forkpty (pty.fork: setsid and TIOCSCTTY in the child): the child's
# stdin is the new terminal, its output comes out of the master.
if [ -x /usr/bin/python3 ] && [ -c /dev/ptmx ]; then
    cat >"$TMP/fpty.py" <<'PY'
import os, pty
pid, fd = pty.fork()
if pid == 0:
    input()  # the parent's go, through the terminal
    print("in child", os.isatty(0), os.getsid(0) == os.getpid(), flush=True)
    input()  # stays until the parent has read that
    os._exit(0)
os.write(fd, b"go\n")
got = b""
while b"True True" not in got and b"False" not in got:
    got += os.read(fd, 100)
os.write(fd, b"bye\n")
print(got.split(b"\r\n")[1].decode())
print("status", os.waitpid(pid, 0)[1])
PY
    for mode in direct sim; do
        timeout -k 5 60 "$GEODE" run --mode $mode "$TMP/pty.toml" "$TMP/fpty.py" >"$TMP/out" 2>"$TMP/err"
        rc=$?
        [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$(printf 'in child True True\nstatus 0')" ]
        r=$?; check "pty.fork ($mode): the child's controlling terminal is the new pseudo-terminal" $r
        [ "$r" -eq 0 ] || { sed 's/^/    # /' "$TMP/out" | head -5; diag 1; }
    done
fi

# An interactive shell on a terminal takes job control (TIOCGPGRP,
# TIOCSPGRP, setpgid: busybox ash says "job control turned off" when any
# fails), and a background job is reported and waited for.
if need /bin/busybox; then
    manifest "$TMP/i.toml" /bin/busybox "$(trust /bin/busybox)" \
        'sgx.allowed_files = ["file:/dev/tty", "file:/etc/passwd", "file:/etc/group"]'
    for mode in direct sim; do
        printf 'true &\nwait\nexit\n' |
            timeout -k 5 60 script -qec "'$GEODE' run --mode $mode '$TMP/i.toml' sh -i" /dev/null \
                >"$TMP/out" 2>&1
        rc=$?
        tr -d '\r' <"$TMP/out" >"$TMP/out.txt"
        [ "$rc" -eq 0 ] && ! grep -q "job control turned off" "$TMP/out.txt" &&
            grep -q '^\[1\]+ *Done *true' "$TMP/out.txt"
        r=$?; check "busybox sh -i ($mode, on a tty): job control on, a background job reported done" $r
        [ "$r" -eq 0 ] || { sed 's/^/    # /' "$TMP/out.txt" | head -8; diag 1; }
    done
fi
