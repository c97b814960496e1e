#!/usr/bin/env bash
# geode measure / keygen / sign / sigstruct show, end to end through the CLI.
# MRENCLAVE is recomputed from --layout-json + --pages by an independent
# Python implementation (recompute_mrenclave.py).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
GEODE=${GEODE:-$GEODE_BUILD/geode}
PY=/usr/bin/python3
T=$(mktemp -d /tmp/geode-t-measure-XXXXXX)
trap 'rm -rf "$T"' EXIT

ok() { if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fi; }

cat >"$T/tiny.c" <<'C'
static volatile int counter = 5;
int table[3000] = {1, 2, 3};
void _start(void) { counter++; for (;;) __asm__ volatile("hlt"); }
C
if ! gcc -nostdlib -static-pie -fPIE -O2 -o "$T/tiny" "$T/tiny.c" 2>"$T/cc.err"; then
    echo "not ok - compile a tiny static-pie ($(head -1 "$T/cc.err"))"
    exit 1
fi
printf 'manifest blob\n' >"$T/blob"

M="$GEODE measure --elf $T/tiny --elf $T/tiny@0x400000 --blob $T/blob --threads 2 --heap-size 65536"
mr1=$($M --layout-json "$T/l.json" --pages "$T/p.bin"); rc=$?
ok $rc "measure exits 0"
[[ "$mr1" =~ ^[0-9a-f]{64}$ ]]; ok $? "measure prints 64 hex digits ($mr1)"
mr2=$($M); [ "$mr1" = "$mr2" ]; ok $? "measuring twice gives the same MRENCLAVE"
py=$($PY "$HERE/recompute_mrenclave.py" "$T/l.json" "$T/p.bin")
[ "$py" = "$mr1" ]; ok $? "independent Python recomputation matches ($py)"
grep -q "\"mrenclave\":\"$mr1\"" "$T/l.json"; ok $? "layout JSON records the MRENCLAVE"
mr3=$($M --threads 3); [ -n "$mr3" ] && [ "$mr3" != "$mr1" ]; ok $? "a different layout changes MRENCLAVE"
printf 'other blob\n' >"$T/blob2"
mr4=$($GEODE measure --elf $T/tiny --elf $T/tiny@0x400000 --blob $T/blob2 --threads 2 --heap-size 65536)
[ "$mr4" != "$mr1" ]; ok $? "a different blob changes MRENCLAVE"

$GEODE measure --elf "$T/blob" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q "bad magic" "$T/err"; ok $? "non-ELF rejected: $(cat "$T/err")"
$GEODE measure >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && [ "$(wc -l <"$T/err")" = 1 ]; ok $? "measure without --elf is misuse (exit 2, one line)"
$GEODE measure --threads x --elf "$T/tiny" >/dev/null 2>&1; [ $? = 2 ]; ok $? "bad number is misuse"
$GEODE measure --elf "$T/tiny" --elf "$T/tiny@0" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q overlap "$T/err"; ok $? "overlapping regions rejected: $(cat "$T/err")"

for c in measure sign keygen sigstruct; do
    $GEODE $c --help >/dev/null; ok $? "$c --help"
done

$GEODE keygen --out "$T/key.pem" >/dev/null; ok $? "keygen"
[ "$(stat -c %a "$T/key.pem")" = 600 ]; ok $? "key file mode 0600"
$GEODE keygen --out "$T/key.pem" >/dev/null 2>&1; [ $? = 1 ]; ok $? "keygen refuses to overwrite"
$GEODE sign --mrenclave "$mr1" --key "$T/key.pem" --out "$T/sig" --isvprodid 9 --isvsvn 4 \
    --date 20261122 --aex-notify >/dev/null; ok $? "sign"
[ "$(stat -c %s "$T/sig")" = 1808 ]; ok $? "SIGSTRUCT is 1808 bytes"
$GEODE sigstruct show "$T/sig" >"$T/show"; ok $? "sigstruct show exits 0 for a valid signature"
grep -q "^enclavehash  *$mr1$" "$T/show"; ok $? "show: enclavehash is the MRENCLAVE"
grep -q "^isvprodid  *9$" "$T/show" && grep -q "^isvsvn  *4$" "$T/show"; ok $? "show: isvprodid/isvsvn"
grep -q "AEXNOTIFY" "$T/show" && grep -q "^date  *2026-11-22$" "$T/show"; ok $? "show: attributes and date"
grep -q "^signature status  *valid$" "$T/show"; ok $? "show: signature valid"
mrs=$($PY -c "
import hashlib,sys; d=open(sys.argv[1],'rb').read(); print(hashlib.sha256(d[128:512]).hexdigest())" "$T/sig")
grep -q "^mrsigner  *$mrs$" "$T/show"; ok $? "show: MRSIGNER = SHA-256(modulus bytes)"
$PY -c "
import sys; p=sys.argv[1]; d=bytearray(open(p,'rb').read()); d[1024]^=1; open(p,'wb').write(d)" "$T/sig"
$GEODE sigstruct show "$T/sig" >"$T/show2"; rc=$?
[ $rc = 1 ] && grep -q "INVALID" "$T/show2"; ok $? "tampered SIGSTRUCT reported invalid"
$GEODE sign --mrenclave "$mr1" --key "$T/nokey.pem" --out "$T/sig2" 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q "nokey.pem" "$T/err"; ok $? "missing key: $(cat "$T/err")"
$GEODE sign --mrenclave 123 --out "$T/sig2" 2>/dev/null; [ $? = 2 ]; ok $? "short --mrenclave is misuse"
exit 0
