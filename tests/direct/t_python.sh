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

# A SIGINT sent to geode from the host reaches the program's handler while
# it sleeps (the blocking host call is interrupted, the libOS delivers).
code='import signal, sys, time
def h(s, f):
    print("got", s, flush=True); sys.exit(9)
signal.signal(signal.SIGINT, h)
print("ready", flush=True)
time.sleep(20)
print("not interrupted")'
"$GEODE" run --mode direct "$M" -c "$code" >"$TMP/sig.out" 2>"$TMP/sig.err" &
pid=$!
for _ in $(seq 100); do grep -q ready "$TMP/sig.out" 2>/dev/null && break; sleep 0.05; done
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 9 ] && grep -q '^got 2$' "$TMP/sig.out"
check "host SIGINT reaches python's handler (status 9)" $?

code='import subprocess
print(subprocess.run(["echo", "sub"], capture_output=True, text=True).stdout.strip())
print(subprocess.call(["sh", "-c", "exit 4"]))'
run_direct "$M" -c "$code"
[ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$(printf 'sub\n4')" ]
check "python3 subprocess (fork/exec, pipes, wait status)" $?

# multiprocessing: a Pool over fork (pipes, pickling) and a shared Value
# under a Lock (MAP_SHARED memory and a POSIX semaphore across processes).
cat >"$TMP/mp.py" <<'PY'
import multiprocessing as mp
def sq(x): return x * x
def inc(v, lock, n):
    for _ in range(n):
        with lock:
            v.value += 1
if __name__ == "__main__":
    with mp.Pool(4) as p:
        print("pool", sum(p.map(sq, range(10000))))
    v = mp.Value("i", 0); lock = mp.Lock()
    ps = [mp.Process(target=inc, args=(v, lock, 2000)) for _ in range(4)]
    for q in ps: q.start()
    for q in ps: q.join()
    print("value", v.value, [q.exitcode for q in ps])
PY
for i in 1 2 3; do
    run_direct "$M" "$TMP/mp.py"
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$(printf 'pool 333283335000\nvalue 8000 [0, 0, 0, 0]')" ]
    check "python3 multiprocessing Pool(4).map and a shared Value under a Lock (run $i)" $?
done

# A tmpfs mount and a chroot mount (fs.mounts) seen from python.
mkdir -p "$TMP/datadir"
echo hostdata >"$TMP/datadir/in.txt"
# (added to the manifest's own fs.mounts list, which has /dev/shm)
awk -v d="$TMP/datadir" '{ print } /^fs\.mounts = \[/ {
    print "  { type = \"tmpfs\", path = \"/scratch\" },"
    print "  { path = \"/data\", uri = \"file:" d "\" }," }' "$M" >"$TMP/mounts.toml"
cat >"$TMP/mounts.py" <<'PY'
import os, shutil
os.makedirs("/scratch/a/b")
with open("/scratch/a/b/f.txt", "w") as f: f.write("x" * 10000)
with open("/scratch/a/b/f.txt", "a") as f: f.write("tail")
print(os.path.getsize("/scratch/a/b/f.txt"), open("/scratch/a/b/f.txt").read()[-6:])
os.rename("/scratch/a/b/f.txt", "/scratch/a/g.txt")
print(sorted(os.listdir("/scratch/a")), os.path.isdir("/scratch/a/b"))
shutil.copy("/data/in.txt", "/scratch/in.txt"); print(open("/scratch/in.txt").read().strip())
with open("/data/out.txt", "w") as f: f.write("from-geode")
shutil.rmtree("/scratch/a"); print(os.listdir("/scratch"), os.path.exists("/scratch/a"))
PY
run_direct "$TMP/mounts.toml" "$TMP/mounts.py"
expected="10004 xxtail
['b', 'g.txt'] True
hostdata
['in.txt'] False"
[ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$expected" ] &&
    [ "$(cat "$TMP/datadir/out.txt")" = "from-geode" ] && [ ! -e /scratch ]
check "python3 on a tmpfs mount and a chroot mount" $?

# The libOS's /proc/self: status (pid 1 inside), fd/ listing, fd links, exe.
code='import os
st = dict(l.split(":\t", 1) for l in open("/proc/self/status").read().splitlines())
f = open("/etc/hostname")
print(st["Name"], st["Pid"], st["PPid"], str(f.fileno()) in os.listdir("/proc/self/fd"),
      os.readlink("/proc/self/fd/%d" % f.fileno()), os.readlink("/proc/self/exe"))'
run_direct "$M" -c "$code"
# exe: the file that runs, symlinks resolved, as Linux's (python3 -> python3.11)
[ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "python3 1 0 True /etc/hostname $(readlink -f /usr/bin/python3)" ]
check "/proc/self/status, fd/ and exe from the libOS" $?

# eventfd with epoll across threads, memfd_create.
code='import os, select, threading, time
fd = os.eventfd(0)
ep = select.epoll(); ep.register(fd, select.EPOLLIN)
print(ep.poll(0))
threading.Thread(target=lambda: (time.sleep(0.1), os.eventfd_write(fd, 3))).start()
print([e for _, e in ep.poll(5)], os.eventfd_read(fd), ep.poll(0))
m = os.memfd_create("x"); os.write(m, b"memfd-data"); os.lseek(m, 0, 0); print(os.read(m, 100))'
run_direct "$M" -c "$code"
[ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$($PY -c "$code")" ]
check "eventfd + epoll across threads, memfd_create equal native" $?
