#!/usr/bin/env bash
# geode measure MANIFEST / geode sign MANIFEST, end to end through the CLI.
#
# Part 1 runs everywhere: a copy of the geode binary in a private runtime
# directory with stand-in pal-enclave.elf / libos.elf (static-pie ELFs; the
# manifest -> enclave mapping does not depend on their code) checks that the
# manifest's contents (an env var, a trusted file's bytes) are measured, that
# the layout can be recomputed independently, and that sign + sigstruct show
# agree with the manifest.
# Part 2 needs the real trusted PAL (BUILD/pal-enclave.elf): two clean builds
# (make BUILD=<private dir>, never the shared build dir) must give the same
# MRENCLAVE for the same manifest. Until the PAL exists it prints skip lines
# (after checking that the missing file is reported by name).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=${GEODE_ROOT:-$(cd "$HERE/../.." && pwd)}
GEODE=${GEODE:-$GEODE_BUILD/geode}
PY=/usr/bin/python3
T=$(mktemp -d /tmp/geode-t-mmeasure-XXXXXX)
trap 'rm -rf "$T"' EXIT

ok() { if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fi; }

# ---- part 1: stand-in runtime directory ------------------------------------
mkdir -p "$T/rt"
cp "$GEODE" "$T/rt/geode" || { echo "not ok - copy $GEODE"; exit 1; }
G="$T/rt/geode"
cat >"$T/pal.c" <<'C'
void _start(void) { for (;;) __asm__ volatile("hlt"); }
C
cat >"$T/libos.c" <<'C'
static volatile int c = 1; int table[3000] = {1};
void libos_entry(void) { c++; }
C
for n in pal libos; do
    if ! gcc -nostdlib -static-pie -fPIE -O2 -o "$T/$n.elf" "$T/$n.c" 2>"$T/cc.err"; then
        echo "not ok - compile a stand-in $n ($(head -1 "$T/cc.err"))"
        exit 1
    fi
done
cp "$T/pal.elf" "$T/rt/pal-enclave.elf"
cp "$T/libos.elf" "$T/rt/libos.elf"

printf 'trusted data v1\n' >"$T/data.txt"
write_manifest() { # $1 = file, $2 = value of the env var FOO
    cat >"$1" <<EOF
libos.entrypoint = "/bin/true"
loader.env.FOO = "$2"
sys.stack.size = "256K"
sgx.enclave_size = "16M"
sgx.max_threads = 2
sgx.debug = true
sgx.isvprodid = 12
sgx.isvsvn = 5
sgx.trusted_files = ["file:$T/data.txt"]
geode.aex_notify = true
EOF
}
write_manifest "$T/m.toml" bar
write_manifest "$T/m2.toml" baz

mr1=$($G measure "$T/m.toml" --layout-json "$T/l.json" --pages "$T/p.bin" 2>"$T/err"); rc=$?
[ $rc = 0 ] && [[ "$mr1" =~ ^[0-9a-f]{64}$ ]]; ok $? "measure MANIFEST prints MRENCLAVE ($mr1 $(head -c 200 "$T/err"))"
mr=$($G measure "$T/m.toml"); [ "$mr" = "$mr1" ]; ok $? "measuring the same manifest twice gives the same MRENCLAVE"
py=$($PY "$HERE/recompute_mrenclave.py" "$T/l.json" "$T/p.bin")
[ "$py" = "$mr1" ]; ok $? "independent recomputation from --layout-json/--pages matches ($py)"
[ "$(stat -c %s "$T/p.bin")" -le $((16 << 20)) ] && grep -q '"size": *16777216\|"size":16777216' "$T/l.json"
ok $? "layout: SECS.SIZE is sgx.enclave_size (16 MiB)"
mr2=$($G measure "$T/m2.toml"); [ -n "$mr2" ] && [ "$mr2" != "$mr1" ]; ok $? "a different env var value changes MRENCLAVE"
printf 'trusted data v2\n' >"$T/data.txt"
mr3=$($G measure "$T/m.toml"); [ -n "$mr3" ] && [ "$mr3" != "$mr1" ]; ok $? "a trusted file's content changes MRENCLAVE"
printf 'trusted data v1\n' >"$T/data.txt"
mr=$($G measure "$T/m.toml"); [ "$mr" = "$mr1" ]; ok $? "restoring the file restores MRENCLAVE"
cp "$T/libos.elf" "$T/rt/libos.elf.bak"
printf 'X' | dd of="$T/rt/libos.elf" bs=1 seek=$((0x1000 + 8)) conv=notrunc 2>/dev/null
mr4=$($G measure "$T/m.toml" 2>"$T/err"); [ -n "$mr4" ] && [ "$mr4" != "$mr1" ]
ok $? "changed libos.elf code bytes change MRENCLAVE ($(head -1 "$T/err"))"
mv "$T/rt/libos.elf.bak" "$T/rt/libos.elf"

rm "$T/data.txt"
$G measure "$T/m.toml" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q "data.txt" "$T/err"; ok $? "missing trusted file: exit 1, named ($(head -1 "$T/err"))"
printf 'trusted data v1\n' >"$T/data.txt"
$G measure "$T/m.toml" --elf "$T/pal.elf" >/dev/null 2>&1; [ $? = 2 ]; ok $? "MANIFEST with --elf is misuse"
$G measure "$T/m.toml" "$T/m2.toml" >/dev/null 2>&1; [ $? = 2 ]; ok $? "two MANIFESTs is misuse"

$G keygen --out "$T/key.pem" >/dev/null; ok $? "keygen"
$G sign "$T/m.toml" --key "$T/key.pem" --out "$T/m.sig" --date 20261122 >/dev/null 2>"$T/err"
ok $? "sign MANIFEST ($(head -1 "$T/err"))"
$G sigstruct show "$T/m.sig" >"$T/show"; ok $? "sigstruct show: the signature verifies"
grep -q "^enclavehash  *$mr1$" "$T/show"; ok $? "show: enclavehash is the manifest's MRENCLAVE"
grep -q "^isvprodid  *12$" "$T/show" && grep -q "^isvsvn  *5$" "$T/show"; ok $? "show: isvprodid/isvsvn from the manifest"
grep -q "DEBUG" "$T/show" && grep -q "AEXNOTIFY" "$T/show" && grep -q "MODE64BIT" "$T/show"
ok $? "show: attributes MODE64BIT|DEBUG|AEXNOTIFY (sgx.debug, geode.aex_notify)"
grep -q "^signature status  *valid$" "$T/show"; ok $? "show: signature status valid"
$G sign "$T/m.toml" --key "$T/key.pem" --out "$T/x.sig" --isvsvn 3 >/dev/null 2>&1; [ $? = 2 ]
ok $? "sign MANIFEST with an enclave option (--isvsvn) is misuse"
$G sign "$T/m.toml" --key "$T/missing.pem" --out "$T/x.sig" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q "missing.pem" "$T/err"; ok $? "sign with a missing key: exit 1, named"

# ---- part 2: the real trusted PAL, two clean builds ------------------------
mkdir -p "$T/nopal"
cp "$GEODE" "$T/nopal/geode"
cp "$T/libos.elf" "$T/nopal/libos.elf"
"$T/nopal/geode" measure "$T/m.toml" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q "pal-enclave.elf" "$T/err"; ok $? "no pal-enclave.elf: exit 1, file named ($(head -1 "$T/err"))"

if [ ! -f "$GEODE_BUILD/pal-enclave.elf" ]; then
    echo "skip - rebuild reproducibility: $GEODE_BUILD/pal-enclave.elf does not exist yet"
    echo "skip - sign + verify of the real enclave: no pal-enclave.elf yet"
    exit 0
fi
build() { # a clean build into the same private path both times, like make clean && make
    rm -rf "$T/b"
    make -C "$ROOT" -j2 BUILD="$T/b" "$T/b/geode" "$T/b/libos.elf" "$T/b/pal-enclave.elf" >"$T/make.log" 2>&1
}
build; rc=$?
ok $rc "first private build ($(grep -m1 -E "error:|Error [0-9]" "$T/make.log"))"
[ $rc = 0 ] && mv "$T/b" "$T/b1"
build; rc2=$?
ok $rc2 "second private build ($(grep -m1 -E "error:|Error [0-9]" "$T/make.log"))"
if [ $rc = 0 ] && [ $rc2 = 0 ]; then
    r1=$("$T/b1/geode" measure "$T/m.toml" 2>"$T/err1")
    r2=$("$T/b/geode" measure "$T/m.toml" 2>"$T/err2")
    [[ "$r1" =~ ^[0-9a-f]{64}$ ]] && [ "$r1" = "$r2" ]
    ok $? "same manifest, two clean builds: same MRENCLAVE ($r1 / $r2 $(head -1 "$T/err1"))"
    # The test's own build lives at another path: build paths must not leak into the image.
    r3=$("$GEODE_BUILD/geode" measure "$T/m.toml" 2>/dev/null)
    [ "$r3" = "$r2" ]
    ok $? "a build in another directory gives the same MRENCLAVE ($r3)"
    "$T/b/geode" sign "$T/m.toml" --key "$T/key.pem" --out "$T/real.sig" >/dev/null &&
        "$T/b/geode" sigstruct show "$T/real.sig" | grep -q "^enclavehash  *$r2$"
    ok $? "sign the real enclave; sigstruct show verifies it and shows its MRENCLAVE"
fi
