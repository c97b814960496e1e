#!/usr/bin/env bash
# Attestation (docs/attestation.md): /dev/attestation's files and errors in
# the sim and in direct mode (tests/programs/attest.c semantics), the same
# MRENCLAVE from geode measure, geode sign and the enclave's own report,
# two enclaves verifying each other's reports (verify_report: the MAC with
# the target's EGETKEY report key), and sim quotes checked by geode quote
# verify, which refuses a flipped byte anywhere, a wrong key and a wrong
# MRENCLAVE or report data.
. "$(dirname "$0")/lib.sh"

A="$PROGS/attest.spie"
B="$PROGS/attest.musl"
need "$A" || exit 0
need "$B" || exit 0
D="$TMP/x"
mkdir -p "$D"
# man BIN FILE [remote_attestation]: a manifest for BIN that may write $D.
man() {
    manifest "$2" "$1" 'sgx.enclave_size = "256M"' "sgx.remote_attestation = \"${3:-dcap}\"" \
        "$(trust "$1" "file:$D/")" "fs.mounts = [{path = \"$D\", uri = \"file:$D\"}]"
}
man "$A" "$TMP/a.toml"
man "$B" "$TMP/b.toml"

semantics_common='stat report: 0 mode 100444
stat user_report_data mode: 100666
open nofile: -1 ENOENT
open my_target_info O_WRONLY: -1 EACCES
open report O_RDWR: -1 EACCES
open user_report_data O_DIRECTORY: -1 ENOTDIR
open keys O_WRONLY: -1 EISDIR
open keys/nokey: -1 ENOENT
access report R_OK: 0 W_OK: 0
access nofile: -1 ENOENT
user_report_data fresh read: 0
user_report_data write 64: 64
user_report_data read at end: 0
user_report_data lseek 0: 0
user_report_data read back: 64 equal 1
user_report_data write 100: 100
user_report_data write 10: 10'

run_sim "$TMP/a.toml" semantics
cat >"$TMP/want" <<W
attestation_type: 4 "dcap"
ls /dev/attestation: attestation_type user_report_data target_info my_target_info report quote verify_report keys/
ls /dev/attestation/keys: _sgx_mrenclave _sgx_mrsigner
$semantics_common
my_target_info read: 512
my_target_info read at end: 0
my_target_info pread 500: 12
my_target_info lseek end: 512
my_target_info lseek -1: -1 EINVAL
my_target_info write: -1 9
target_info write 512: 512
report read: 432 report_data padded 1
report 2nd read gives more: 432
verify_report own: 432
verify_report short: -1 EINVAL
verify_report flipped: -1 EPERM
verify_report flipped mac: -1 EPERM
quote read: ok body report_data 1
keys/_sgx_mrenclave write: -1 EACCES
W
diff -u "$TMP/want" "$TMP/out" >"$TMP/diff"
r=$([ "$rc" -eq 0 ] && [ ! -s "$TMP/diff" ]; echo $?)
check "sim: /dev/attestation's files, sizes, errors, lseek/pread and verify_report as documented$( [ -s "$TMP/diff" ] && echo " ($(head -c 600 "$TMP/diff"))")" $r; diag $r

man "$A" "$TMP/n.toml" none
run_sim "$TMP/n.toml" semantics
grep -qx 'attestation_type: 4 "none"' "$TMP/out" && grep -qx 'quote read: -1 ENOENT body report_data 0' "$TMP/out" &&
    grep -qx 'report read: 432 report_data padded 1' "$TMP/out"
r=$?; check "sim with remote_attestation = none: type none, no quote file, reports still work" $r; diag $r

run_direct "$TMP/a.toml" semantics
cat >"$TMP/want" <<W
attestation_type: 4 "none"
ls /dev/attestation: attestation_type user_report_data target_info my_target_info report keys/
ls /dev/attestation/keys:
$semantics_common
my_target_info read: -1 9
my_target_info read at end: -1 9
my_target_info pread 500: -1 9
my_target_info lseek end: -1 9
my_target_info lseek -1: -1 9
my_target_info write: -1 9
target_info write 512: 512
report read: -1 ENOSYS report_data padded 0
report 2nd read gives more: -1 ENOSYS
verify_report own: -1 ENOENT
verify_report short: -1 ENOENT
verify_report flipped: -1 ENOENT
verify_report flipped mac: -1 ENOENT
quote read: -1 ENOENT body report_data 0
keys/_sgx_mrenclave write: -1 ENOENT
W
diff -u "$TMP/want" "$TMP/out" >"$TMP/diff"
r=$([ "$rc" -eq 0 ] && [ ! -s "$TMP/diff" ] && grep -q 'no attestation' "$TMP/err"; echo $?)
check "direct: type none, no quote, report and my_target_info say ENOSYS$( [ -s "$TMP/diff" ] && echo " ($(head -c 600 "$TMP/diff"))")" $r

# The same MRENCLAVE everywhere.
measured=$("$GEODE" measure "$TMP/a.toml" 2>/dev/null)
"$GEODE" sign "$TMP/a.toml" --out "$TMP/a.sig" --key "$TMP/k.pem" >/dev/null 2>&1 ||
    { "$GEODE" keygen --out "$TMP/k.pem" >/dev/null 2>&1 && "$GEODE" sign "$TMP/a.toml" --out "$TMP/a.sig" --key "$TMP/k.pem" >/dev/null 2>&1; }
signed=$("$GEODE" sigstruct show "$TMP/a.sig" 2>/dev/null | awk '$1 == "enclavehash" {print $2}')
run_sim "$TMP/a.toml" mrenclave
inside=$(cat "$TMP/out")
check "MRENCLAVE from geode measure, geode sign and the enclave's own report agree ($measured)" \
    $([ -n "$measured" ] && [ "$measured" = "$signed" ] && [ "$measured" = "$inside" ]; echo $?)

# Two enclaves (different MRENCLAVEs) verify each other's reports.
mr_b=$("$GEODE" measure "$TMP/b.toml" 2>/dev/null)
run_sim "$TMP/a.toml" targetinfo "$D/a.ti" && run_sim "$TMP/b.toml" targetinfo "$D/b.ti"
run_sim "$TMP/b.toml" report "$D/a.ti" 0b0b "$D/b_for_a.rep"
run_sim "$TMP/a.toml" verify "$D/b_for_a.rep"
ab=$(cat "$TMP/out")
run_sim "$TMP/a.toml" report "$D/b.ti" 0a0a "$D/a_for_b.rep"
run_sim "$TMP/b.toml" verify "$D/a_for_b.rep"
ba=$(cat "$TMP/out")
check "enclave A verifies B's report for A, B verifies A's report for B ($ab, $ba; A $measured, B $mr_b)" \
    $([ "$ab" = "verify = 0" ] && [ "$ba" = "verify = 0" ] && [ "$measured" != "$mr_b" ]; echo $?)
run_sim "$TMP/a.toml" verify "$D/a_for_b.rep"
wrong=$(cat "$TMP/out")
cp "$D/b_for_a.rep" "$D/flip.rep"
printf '\x01' | dd of="$D/flip.rep" bs=1 seek=64 conv=notrunc 2>/dev/null # MRENCLAVE's first byte
run_sim "$TMP/a.toml" verify "$D/flip.rep"
flip=$(cat "$TMP/out")
check "a report made for another enclave, or with a changed MRENCLAVE, is refused ($wrong, $flip)" \
    $([ "$wrong" = "verify = EPERM" ] && [ "$flip" = "verify = EPERM" ]; echo $?)

# Sim quotes.
rd=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
run_sim "$TMP/a.toml" quote "$rd" "$D/q.bin"
"$GEODE" quote key >"$TMP/qe.pem" 2>/dev/null
"$GEODE" quote verify "$D/q.bin" --key "$TMP/qe.pem" --mrenclave "$measured" --report-data "$rd" \
    >"$TMP/v.out" 2>"$TMP/v.err"
r=$?
check "geode quote verify accepts the enclave's quote (key from geode quote key, MRENCLAVE, report data)" \
    $([ "$rc" -eq 0 ] && [ "$r" -eq 0 ] && grep -q "^MRENCLAVE *$measured\$" "$TMP/v.out" &&
        grep -q "^REPORTDATA *$rd" "$TMP/v.out"; echo $?)
size=$(stat -c %s "$D/q.bin")
bad=0
for off in 0 2 20 60 112 400 440 500 600 700 1000 1050 $((size - 40)) $((size - 1)); do
    cp "$D/q.bin" "$D/f.bin"
    b=$(od -An -tu1 -j "$off" -N1 "$D/f.bin" | tr -d ' ')
    printf "\\$(printf %o $((b ^ 0x10)))" | dd of="$D/f.bin" bs=1 seek="$off" conv=notrunc 2>/dev/null
    "$GEODE" quote verify "$D/f.bin" >/dev/null 2>"$TMP/f.err"
    s=$?
    if [ "$s" -ne 1 ] || [ "$(wc -l <"$TMP/f.err")" -ne 1 ]; then
        bad=1
        echo "    # offset $off: status $s: $(head -c 200 "$TMP/f.err")"
    fi
done
check "a flipped byte anywhere in the quote (header, body, signatures, QE report, auth and certification data) fails, one line" $bad
openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl ec -pubout >"$TMP/other.pem" 2>/dev/null
"$GEODE" quote verify "$D/q.bin" --key "$TMP/other.pem" >/dev/null 2>"$TMP/e1"
s1=$?
"$GEODE" quote verify "$D/q.bin" --mrenclave "$mr_b" >/dev/null 2>"$TMP/e2"
s2=$?
"$GEODE" quote verify "$D/q.bin" --report-data 0011 >/dev/null 2>"$TMP/e3"
s3=$?
check "another key, another MRENCLAVE, other report data: refused ($(cat "$TMP/e1" "$TMP/e2" "$TMP/e3" | tr '\n' ';'))" \
    $([ "$s1" -eq 1 ] && [ "$s2" -eq 1 ] && [ "$s3" -eq 1 ] && grep -q 'attestation key' "$TMP/e1" &&
        grep -q mrenclave "$TMP/e2" && grep -q report-data "$TMP/e3"; echo $?)

# RA-TLS certificates made with openssl around the enclave's quote: Gramine's
# legacy OID is read too; a certificate for another key than the one whose
# hash the quote carries is refused.
openssl ecparam -name prime256v1 -genkey -noout -out "$TMP/k1.pem" 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out "$TMP/k2.pem" 2>/dev/null
h=$(openssl pkey -in "$TMP/k1.pem" -pubout -outform DER 2>/dev/null | sha256sum | cut -c1-64)
run_sim "$TMP/a.toml" quote "$h" "$D/qc.bin"
ext="0.6.9.42.840.113741.1337.6=DER:$(od -An -v -tx1 "$D/qc.bin" | tr -d ' \n')"
for k in k1 k2; do
    openssl req -x509 -new -key "$TMP/$k.pem" -subj /CN=ratls -days 1 -addext "$ext" \
        -out "$TMP/$k.crt" 2>/dev/null
done
"$GEODE" quote verify --cert "$TMP/k1.crt" --mrenclave "$measured" >/dev/null 2>"$TMP/c1"
s1=$?
"$GEODE" quote verify --cert "$TMP/k2.crt" >/dev/null 2>"$TMP/c2"
s2=$?
check "an RA-TLS certificate with Gramine's legacy OID verifies; one for another key is refused ($(cat "$TMP/c2"))" \
    $([ "$rc" -eq 0 ] && [ "$s1" -eq 0 ] && [ "$s2" -eq 1 ] && grep -q 'public key' "$TMP/c2"; echo $?)
