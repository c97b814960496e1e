#!/usr/bin/env bash
# Encrypted mounts in direct mode (the cases in encfs_cases.sh), the
# sealing keys that need an enclave, and `geode pf` from the outside.
. "$(dirname "$0")/lib.sh"
[ -x /bin/busybox ] || { skip "busybox not installed"; exit 0; }
RUN=run_direct MODE=direct
. "$(dirname "$0")/encfs_cases.sh"

enc_manifest "$TMP/mre.toml" _sgx_mrenclave
$RUN "$TMP/mre.toml" cat /enc/f
[ "$rc" -ne 0 ] && grep -q 'key _sgx_mrenclave: a sealing key needs an enclave' "$TMP/err"
check "direct: _sgx_mrenclave is refused, saying it needs an enclave" $?

seq 1 5000 >"$TMP/plain"
"$GEODE" pf encrypt --key "$KEY" --path /enc/provisioned "$TMP/plain" "$ENC/provisioned" &&
    $RUN "$TMP/k1.toml" md5sum /enc/provisioned
[ "$rc" -eq 0 ] && [ "$(cut -d' ' -f1 "$TMP/out")" = "$(md5sum <"$TMP/plain" | cut -d' ' -f1)" ]
check "geode pf encrypt: the program reads the provisioned file" $?

$RUN "$TMP/k1.toml" sh -c 'seq 7 9000 > /enc/out'
echo "$KEY" >"$TMP/keyfile"
"$GEODE" pf decrypt --key-file "$TMP/keyfile" --path /enc/out "$ENC/out" "$TMP/out.plain" &&
    cmp -s "$TMP/out.plain" <(seq 7 9000)
check "geode pf decrypt (--key-file): what the program wrote" $?

! "$GEODE" pf decrypt --key "$KEY" --path /enc/other "$ENC/out" "$TMP/x" 2>"$TMP/pferr" &&
    grep -q 'bound to another path' "$TMP/pferr" && [ ! -e "$TMP/x" ]
check "geode pf decrypt under another path: refused, nothing written" $?
