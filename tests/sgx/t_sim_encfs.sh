#!/usr/bin/env bash
# Encrypted mounts inside the sim enclave (the cases in
# tests/direct/encfs_cases.sh), and the sealing keys: a file under
# _sgx_mrenclave reads back in the next run, and not on another "machine"
# (another sim root key, chosen through XDG_CONFIG_HOME).
. "$GEODE_ROOT/tests/sgx/lib.sh"
[ -x /bin/busybox ] || { skip "busybox not installed"; exit 0; }
RUN=run_sim MODE=sim
. "$GEODE_ROOT/tests/direct/encfs_cases.sh"

for kn in _sgx_mrenclave _sgx_mrsigner; do
    enc_manifest "$TMP/$kn.toml" $kn
    $RUN "$TMP/$kn.toml" sh -c "echo sealed-$kn > /enc/$kn" && $RUN "$TMP/$kn.toml" cat /enc/$kn
    [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "sealed-$kn" ] && ! grep -q sealed "$ENC/$kn"
    check "sim: $kn: written in one run, read back in the next" $?
done

mkdir -p "$TMP/other-machine"
XDG_CONFIG_HOME="$TMP/other-machine" $RUN "$TMP/_sgx_mrenclave.toml" cat /enc/_sgx_mrenclave
[ "$rc" -ne 0 ] && grep -q 'Permission denied' "$TMP/err" &&
    grep -q 'encrypted file /enc/_sgx_mrenclave: metadata fails its MAC' "$TMP/err"
check "sim: another machine's root key cannot read an _sgx_mrenclave file (EACCES, logged)" $?

$RUN "$TMP/k1.toml" cat /enc/_sgx_mrenclave
[ "$rc" -ne 0 ] && grep -q 'metadata fails its MAC' "$TMP/err"
check "sim: an _sgx_mrenclave file does not open under a manifest key" $?

# Encrypted files are not host files the trusted-file policy governs: with
# only busybox trusted (strict policy), /enc is written, read and listed.
manifest "$TMP/strict.toml" /bin/busybox "fs.root = { uri = \"file:/\" }" \
    "fs.mounts = [ { type = \"encrypted\", path = \"/enc\", uri = \"file:$ENC\", key_name = \"k1\" } ]" \
    "fs.insecure__keys.k1 = \"$KEY\"" "$(trust /bin/busybox)"
$RUN "$TMP/strict.toml" sh -c 'echo strict > /enc/strict && cat /enc/strict && ls /enc | grep -c strict'
[ "$rc" -eq 0 ] && [ "$(cat "$TMP/out" | tr '\n' ' ')" = "strict 1 " ]
r=$?; check "sim: encrypted files and their directories under a strict trusted-file policy" $r
[ $r -eq 0 ] || sed -n '1,5s/^/    # /p' "$TMP/err"
