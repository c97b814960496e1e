# Encrypted mounts: the cases both modes run (sourced by
# tests/direct/t_encfs.sh with RUN=run_direct and tests/sgx/t_sim_encfs.sh
# with RUN=run_sim). Expects lib.sh's helpers, $RUN and $MODE.
BB=/bin/busybox
KEY=00112233445566778899aabbccddeeff
ENC="$TMP/enc"
mkdir -p "$ENC"

# enc_manifest FILE KEY_NAME [extra lines]: busybox with /enc encrypted.
enc_manifest() {
    local file=$1 kn=$2
    shift 2
    manifest "$file" /bin/busybox "fs.root = { uri = \"file:/\" }" \
        "fs.mounts = [ { type = \"encrypted\", path = \"/enc\", uri = \"file:$ENC\", key_name = \"$kn\" } ]" \
        "fs.insecure__keys.k1 = \"$KEY\"" 'fs.insecure__keys.k2 = "ffeeddccbbaa99887766554433221100"' \
        "sgx.allowed_files = [\"file:/\"]" 'sgx.enclave_size = "1G"' "$@"
}
enc_manifest "$TMP/k1.toml" k1
enc_manifest "$TMP/k2.toml" k2

SECRET="geode-encfs-secret-$$"
$RUN "$TMP/k1.toml" sh -c "echo $SECRET > /enc/f; seq 1 30000 >> /enc/f; mkdir /enc/d; echo in-dir > /enc/d/g"
$RUN "$TMP/k1.toml" sh -c 'head -1 /enc/f; md5sum < /enc/f; cat /enc/d/g; stat -c %s /enc/f; ls /enc'
want=$( (echo "$SECRET"; seq 1 30000) | md5sum)
size=$( (echo "$SECRET"; seq 1 30000) | wc -c)
[ "$rc" -eq 0 ] && [ "$(sed -n 1p "$TMP/out")" = "$SECRET" ] && [ "$(sed -n 2p "$TMP/out")" = "$want" ] &&
    [ "$(sed -n 3p "$TMP/out")" = in-dir ] && [ "$(sed -n 4p "$TMP/out")" = "$size" ] &&
    [ "$(sed -n 5,6p "$TMP/out" | tr '\n' ' ')" = "d f " ]
r=$?; check "$MODE: written in one run, read back in the next (contents, stat size, directories)" $r
[ $r -eq 0 ] || sed -n '1,5s/^/    # /p' "$TMP/err"

! grep -q "$SECRET" "$ENC/f" && ! grep -q '^29999$' "$ENC/f" && [ "$(stat -c %s "$ENC/f")" -gt "$size" ]
check "$MODE: the host file is ciphertext (neither string is in it)" $?

$RUN "$TMP/k2.toml" cat /enc/f
[ "$rc" -ne 0 ] && grep -q 'Permission denied' "$TMP/err" &&
    grep -q 'encrypted file /enc/f: metadata fails its MAC (wrong key' "$TMP/err"
check "$MODE: the wrong key: EACCES and a log line naming the file" $?

cp "$ENC/f" "$TMP/good"
# tamper NAME ERRNO_TEXT CAUSE COMMAND...: COMMAND damages $ENC/f, then cat
# must fail with the errno and a log line naming /enc/f and the cause.
tamper() {
    local name=$1 err=$2 cause=$3 path=/enc/f
    shift 3
    cp "$TMP/good" "$ENC/f"
    "$@"
    [ -e "$ENC/f" ] || path=/enc/moved
    $RUN "$TMP/k1.toml" cat "$path"
    [ "$rc" -ne 0 ] && grep -q "$err" "$TMP/err" && grep -q "encrypted file $path: $cause" "$TMP/err"
    r=$?; check "$MODE: $name: $err, logged" $r
    [ $r -eq 0 ] || sed -n '1,3s/^/    # /p' "$TMP/err"
    rm -f "$ENC/moved"
}
flip() { printf "\\x$(printf %02x $(( $(od -An -tu1 -j"$1" -N1 "$ENC/f") ^ 1 )))" |
    dd of="$ENC/f" bs=1 seek="$1" conv=notrunc status=none; }
node() { dd if="$1" bs=4096 skip="$2" count=1 status=none; }
put_node() { dd of="$ENC/f" bs=4096 seek="$1" conv=notrunc status=none; }
swap() { node "$TMP/good" 3 | put_node 4; node "$TMP/good" 4 | put_node 3; }
tamper "a flipped byte in a data node" 'Input/output error' 'data node fails its MAC' flip $((5 * 4096 + 77))
tamper "a flipped byte in the metadata" 'Permission denied' 'metadata fails its MAC' flip 300
tamper "a flipped byte in the tree node" 'Input/output error' 'tree node fails its MAC' flip $((4096 + 9))
tamper "the host file truncated by a node" 'Input/output error' 'the host file is truncated' truncate -s -4096 "$ENC/f"
tamper "two data nodes swapped" 'Input/output error' 'data node fails its MAC' swap
tamper "the host file renamed" 'Permission denied' 'bound to another path' mv "$ENC/f" "$ENC/moved"

# Rollback of one node: node 4 (data node 2) as it was before a later write.
cp "$TMP/good" "$ENC/f"
$RUN "$TMP/k1.toml" sh -c 'echo changed | dd of=/enc/f bs=1 seek=9000 conv=notrunc status=none'
node "$TMP/good" 4 | put_node 4
$RUN "$TMP/k1.toml" cat /enc/f
[ "$rc" -ne 0 ] && grep -q 'Input/output error' "$TMP/err" && grep -q 'encrypted file /enc/f: data node fails its MAC' "$TMP/err"
check "$MODE: a data node rolled back to an older version of the file: EIO, logged" $?

# A directory is not renamed (its files are bound to their paths): EXDEV,
# and mv copies it; FIFOs, symlinks and hard links are not made (EPERM).
$RUN "$TMP/k1.toml" sh -c 'mkdir /enc/dd && echo moved-along > /enc/dd/y && mv /enc/dd /enc/ee &&
    cat /enc/ee/y && ls /enc | grep -c dd; mkfifo /enc/p; ln -s y /enc/ee/s; ln /enc/ee/y /enc/ee/h; ls /enc/ee'
[ "$(cat "$TMP/out" | tr '\n' ' ')" = "moved-along 0 y " ] && [ "$(grep -c 'Operation not permitted' "$TMP/err")" = 3 ]
r=$?; check "$MODE: mv of a directory copies it (EXDEV); mkfifo, symlink, link: EPERM" $r
[ $r -eq 0 ] || sed -n '1,8s/^/    # /p' "$TMP/out" "$TMP/err"

# Python: the file calls one by one, then a sqlite database in two runs.
PY=/usr/bin/python3
if [ -x "$PY" ]; then
    enc_manifest "$TMP/py.toml" k1 'loader.argv = ["python3"]'
    sed -i 's|"/bin/busybox"|"/usr/bin/python3"|' "$TMP/py.toml"
    code='import os, mmap, errno
p = "/enc/py.bin"
fd = os.open(p, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, b"0123456789" * 1000)
os.pwrite(fd, b"AB", 5000)
print(os.pread(fd, 4, 4999), os.lseek(fd, 0, os.SEEK_END), os.fstat(fd).st_size)
os.ftruncate(fd, 20000); os.fsync(fd)
print(os.stat(p).st_size, os.pread(fd, 3, 19998), os.pread(fd, 2, 9998))
os.ftruncate(fd, 7); os.close(fd)
fd = os.open(p, os.O_WRONLY | os.O_APPEND)
os.write(fd, b"tail"); os.close(fd)
print(open(p, "rb").read())
with open(p, "r+b") as f:
    m = mmap.mmap(f.fileno(), 0, flags=mmap.MAP_PRIVATE)
    print(m[:11], len(m)); m.close()
    try:
        mmap.mmap(f.fileno(), 0, flags=mmap.MAP_SHARED); print("shared map: allowed")
    except OSError as e:
        print("shared map:", errno.errorcode[e.errno])
os.rename(p, "/enc/d/renamed.bin")
print(open("/enc/d/renamed.bin", "rb").read(), os.path.exists(p), flush=True)
pid = os.fork()
if pid == 0:
    print("child reads", open("/enc/d/renamed.bin", "rb").read(), flush=True)
    open("/enc/child.txt", "w").write("from the child")
    os._exit(0)
os.waitpid(pid, 0)
print("parent reads", open("/enc/child.txt").read())
os.unlink("/enc/child.txt"); print(os.path.exists("/enc/child.txt"))'
    $RUN "$TMP/py.toml" -c "$code"
    expect="b'9AB2' 10000 10000
20000 b'\\x00\\x00' b'89'
b'0123456tail'
b'0123456tail' 11
shared map: ENODEV
b'0123456tail' False
child reads b'0123456tail'
parent reads from the child
False"
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$expect" ]
    r=$?; check "$MODE: python3: pwrite/pread, lseek, fstat, ftruncate, fsync, O_APPEND, MAP_PRIVATE, rename, fork, unlink" $r
    [ $r -eq 0 ] || { diff <(echo "$expect") "$TMP/out" | sed 's/^/    # /'; sed -n '1,5s/^/    # /p' "$TMP/err"; }

    db='import sqlite3, sys
c = sqlite3.connect("/enc/db.sqlite")
if sys.argv[1] == "w":
    c.execute("create table t (k integer primary key, v text)")
    c.executemany("insert into t (v) values (?)", [("row %d" % i,) for i in range(2000)])
    c.commit()
else:
    print(c.execute("select count(*), max(v) from t").fetchone(), c.execute("pragma integrity_check").fetchone()[0])'
    $RUN "$TMP/py.toml" -c "$db" w && $RUN "$TMP/py.toml" -c "$db" r
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "(2000, 'row 999') ok" ] && ! grep -q 'row 999' "$ENC/db.sqlite"
    r=$?; check "$MODE: a sqlite3 database written in one run, read in the next, ciphertext on the host" $r
    [ $r -eq 0 ] || sed -n '1,5s/^/    # /p' "$TMP/out" "$TMP/err"
else
    skip "$MODE: python3 not installed"
fi
