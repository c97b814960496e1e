#!/usr/bin/env bash
# geode manifest check / expand / blob / render through the CLI.
set -u
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; }
check() { if eval "$2"; then ok "$1"; else nok "$1"; fi; }

cat >"$T/typo.toml" <<'M'
libos.entrypoint = "/bin/busybox"
[loader]
log_levle = "debug"
M
"$GEODE" manifest check "$T/typo.toml" >"$T/out" 2>"$T/err"; rc=$?
check "check: typo exits nonzero" "[ $rc -ne 0 ]"
check "check: typo names file:line:col, key and suggestion" \
    "grep -qF \"$T/typo.toml:3:1: error: loader.log_levle: unknown key (did you mean 'loader.log_level'?)\" $T/err"

mkdir -p "$T/tree/sub"; echo hello >"$T/tree/sub/f"; echo x >"$T/tree/g"
cat >"$T/m.toml" <<M
libos.entrypoint = "/bin/busybox"
loader.env.B = "2"
loader.env.A = "1"
sgx.trusted_files = ["file:$T/tree/"]
M
"$GEODE" manifest check "$T/m.toml" >"$T/out" 2>&1
check "check: valid manifest exits 0 and summarises" "grep -q 'valid' $T/out && grep -q 'trusted files: 1' $T/out"
"$GEODE" manifest expand "$T/m.toml" "$T/e.toml" --blob "$T/e.blob" 2>"$T/err"
want=$(sha256sum "$T/tree/sub/f" | cut -d' ' -f1)
check "expand: directory expanded with each file's sha256" "grep -q \"$want\" $T/e.toml && grep -c 'sha256' $T/e.toml | grep -q 2"
"$GEODE" manifest blob "$T/e.toml" "$T/e2.blob"
check "expand: written manifest gives the same canonical blob" "cmp -s $T/e.blob $T/e2.blob"
"$GEODE" manifest blob "$T/e.toml" "$T/e3.blob"
check "blob: deterministic" "cmp -s $T/e2.blob $T/e3.blob"
echo changed >"$T/tree/g"
"$GEODE" manifest expand "$T/m.toml" "$T/e4.toml" --blob "$T/e4.blob" 2>/dev/null
check "blob: changes when a trusted file changes" "! cmp -s $T/e.blob $T/e4.blob"

printf 'libos.entrypoint = "{{ entrypoint }}"\nloader.env.LD_LIBRARY_PATH = "{{ arch_libdir }}"\n' >"$T/t.tmpl"
"$GEODE" manifest render "$T/t.tmpl" "$T/r.toml" -D entrypoint=/usr/bin/python3
check "render: variables expanded" "grep -q '\"/usr/bin/python3\"' $T/r.toml && grep -q x86_64-linux-gnu $T/r.toml"
"$GEODE" manifest render "$T/t.tmpl" "$T/r2.toml" 2>"$T/err"; rc=$?
check "render: undefined variable is an error with position" "[ $rc -ne 0 ] && grep -q \"t.tmpl:1:24: error: 'entrypoint' is undefined\" $T/err"

"$GEODE" manifest bogus >/dev/null 2>"$T/err"; rc=$?
check "misuse exits 2 with one line" "[ $rc -eq 2 ] && [ \$(wc -l <$T/err) -eq 1 ]"
for c in run manifest measure sign keygen sigstruct doctor; do
    "$GEODE" $c --help >"$T/h" 2>&1; rc=$?
    check "geode $c --help exits 0" "[ $rc -eq 0 ] && [ -s $T/h ]"
done

# check rejects what run would reject, with the key and what to change.
printf 'libos.entrypoint = "bin/busybox"\n' >"$T/rel.toml"
"$GEODE" manifest check "$T/rel.toml" >"$T/out" 2>"$T/err"; rc=$?
check "check: a relative entrypoint starts from fs.start_dir, as Gramine reads it" \
    "[ $rc -eq 0 ] && grep -q '^entrypoint: *\"*/bin/busybox' $T/out"
printf 'libos.entrypoint = "/bin/busybox"\nsgx.enclave_size = "64T"\n' >"$T/big.toml"
"$GEODE" manifest check "$T/big.toml" >"$T/out" 2>"$T/err"; rc=$?
check "check: an enclave larger than 64G is an error" \
    "[ $rc -ne 0 ] && grep -q 'sgx.enclave_size: must be a power of two from 1M to 64G' $T/err"
printf 'libos.entrypoint = "/bin/busybox"\nsgx.enclave_size = "64M"\nsys.brk.max_size = "128M"\n' >"$T/brk.toml"
"$GEODE" manifest check "$T/brk.toml" >"$T/out" 2>"$T/err"; rc=$?
check "check: a brk that does not fit the enclave is an error at its line" \
    "[ $rc -ne 0 ] && grep -q 'brk.toml:3:.*sys.brk.max_size: .* do not fit in sgx.enclave_size (64 MiB).*raise sgx.enclave_size' $T/err"
printf 'libos.entrypoint = "/bin/busybox"\nsgx.enclave_size = "16M"\n' >"$T/small.toml"
"$GEODE" manifest check "$T/small.toml" >"$T/out" 2>"$T/err"; rc=$?
check "check: a small enclave's default brk is a quarter of it" \
    "[ $rc -eq 0 ] && grep -q 'brk up to 4194304 bytes' $T/out"

# The trusted-file hash cache: a second measure hashes nothing again; a file
# changed behind its back (same size, mtime set back) is hashed again,
# because its ctime moved.
export GEODE_HASH_CACHE="$T/hash-cache"
mkdir -p "$T/ht"; echo aaaa >"$T/ht/f"; touch -d '2020-01-01' "$T/ht/f"
printf 'libos.entrypoint = "/bin/busybox"\nsgx.trusted_files = ["file:%s/ht/"]\n' "$T" >"$T/hc.toml"
mr1=$("$GEODE" measure "$T/hc.toml" 2>"$T/err")
check "hash cache: written by the first measure" "grep -q ' $T/ht/f\$' $T/hash-cache"
mr2=$("$GEODE" measure "$T/hc.toml" 2>"$T/err")
check "hash cache: the second measure gives the same MRENCLAVE" "[ -n '$mr1' ] && [ '$mr1' = '$mr2' ]"
sleep 0.01; echo bbbb >"$T/ht/f"; touch -d '2020-01-01' "$T/ht/f"
mr3=$("$GEODE" measure "$T/hc.toml" 2>"$T/err")
check "hash cache: same size and mtime but new contents: hashed again" "[ -n '$mr3' ] && [ '$mr3' != '$mr1' ]"
GEODE_HASH_CACHE=off "$GEODE" measure "$T/hc.toml" >"$T/out" 2>&1
check "hash cache: off gives the same MRENCLAVE" "[ \"\$(cat $T/out)\" = '$mr3' ]"
unset GEODE_HASH_CACHE

# Gramine's sgx.insecure__rpc_thread_num is geode.ocall_workers unless that
# key is written too; sys.disallow_subprocesses refuses fork with EAGAIN.
printf 'libos.entrypoint = "/bin/busybox"\nsgx.insecure__rpc_thread_num = 3\n' >"$T/rpc.toml"
"$GEODE" manifest check "$T/rpc.toml" >"$T/out" 2>"$T/err"
check "check: sgx.insecure__rpc_thread_num = 3 gives 3 OCALL workers, no warning" \
    "grep -q ' 3 OCALL worker(s)' $T/out && ! grep -q warning $T/err"
printf 'geode.ocall_workers = 1\n' >>"$T/rpc.toml"
"$GEODE" manifest check "$T/rpc.toml" >"$T/out" 2>"$T/err"
check "check: geode.ocall_workers wins over sgx.insecure__rpc_thread_num" \
    "grep -q ' 1 OCALL worker(s)' $T/out"
for v in false true; do
    cat >"$T/nofork.toml" <<M
libos.entrypoint = "/bin/busybox"
loader.argv = ["sh", "-c", "echo a; /bin/busybox true && echo forked"]
fs.root = { uri = "file:/" }
sys.disallow_subprocesses = $v
M
    "$GEODE" run --mode direct "$T/nofork.toml" >"$T/out" 2>"$T/err"; rc=$?
    if [ $v = false ]; then
        check "run: sys.disallow_subprocesses = false: sh forks" \
            "[ $rc -eq 0 ] && [ \"\$(cat $T/out)\" = \"\$(printf 'a\\nforked')\" ]"
    else
        check "run: sys.disallow_subprocesses = true: sh cannot fork (EAGAIN), exit status 2" \
            "[ $rc -eq 2 ] && [ \"\$(cat $T/out)\" = a ] && grep -q 'fork: Resource temporarily unavailable' $T/err"
    fi
done

# sys.fds.limit is RLIMIT_NOFILE (soft and hard), up to nr_open (1048576,
# Linux's default); above that it is nr_open, with a warning.
for n in 100 5000 2000000; do
    cat >"$T/fds.toml" <<M
libos.entrypoint = "/bin/busybox"
loader.argv = ["sh", "-c", "ulimit -n; ulimit -Hn"]
fs.root = { uri = "file:/" }
sys.fds.limit = $n
M
    "$GEODE" run --mode direct "$T/fds.toml" >"$T/out" 2>"$T/err"; rc=$?
    want=$n; [ $n -gt 1048576 ] && want=1048576
    check "run: sys.fds.limit = $n gives RLIMIT_NOFILE $want, soft and hard" \
        "[ $rc -eq 0 ] && [ \"\$(cat $T/out)\" = \"\$(printf '$want\\n$want')\" ]"
done
check "check: sys.fds.limit above nr_open warns, naming it" \
    "grep -q 'sys.fds.limit: above nr_open (1048576' $T/err"

# sys.enable_extra_runtime_domain_names_conf: the host's name in uname and
# its resolv.conf's nameserver lines at /etc/resolv.conf, over an empty root.
mkdir -p "$T/dnsroot/etc"
cat >"$T/dns.toml" <<M
libos.entrypoint = "/bin/busybox"
loader.argv = ["sh", "-c", "uname -n; cat /etc/resolv.conf"]
fs.root = { uri = "file:$T/dnsroot" }
fs.mounts = [{ path = "/bin", uri = "file:/bin" }]
sys.enable_extra_runtime_domain_names_conf = true
M
"$GEODE" run --mode direct "$T/dns.toml" >"$T/out" 2>"$T/err"; rc=$?
want_ns=$(grep -E '^nameserver[[:space:]]+[0-9a-fA-F.:]+[[:space:]]*$' /etc/resolv.conf 2>/dev/null | awk '{print $1" "$2}')
check "run: extra_runtime_domain_names_conf gives uname the host's name and /etc/resolv.conf its nameservers" \
    "[ $rc -eq 0 ] && [ \"\$(head -1 $T/out)\" = \"\$(cat /proc/sys/kernel/hostname)\" ] && [ \"\$(grep ^nameserver $T/out)\" = \"$want_ns\" ] && ! grep -q warning $T/err"
