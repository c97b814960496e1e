#!/usr/bin/env bash
# The libOS image is a freestanding static-pie with no syscall instruction
# and only R_X86_64_RELATIVE relocations; malformed programs are refused
# with a clear message, never a crash.
. "$(dirname "$0")/lib.sh"
IMG="$GEODE_BUILD/libos.elf"
[ -f "$IMG" ] || { notok "libos.elf not built"; exit 0; }

readelf -h "$IMG" | grep -q 'Type:.*DYN'
check "libos.elf is ET_DYN (static-pie)" $?
! readelf -l "$IMG" | grep -q INTERP
check "libos.elf has no PT_INTERP" $?
[ -z "$(readelf -r "$IMG" | awk '/R_X86_64_/ && $3 != "R_X86_64_RELATIVE"')" ]
check "libos.elf has only R_X86_64_RELATIVE relocations" $?
! objdump -d "$IMG" | grep -qE '\s(syscall|sysenter)\b'
check "libos.elf contains no syscall instruction" $?
n=$(objdump -d "$IMG" | grep -cE '%([xyz]mm[0-9]|st\(|mm[0-7])')
[ "$n" -eq 0 ]
check "libos.elf uses no x87/SSE/AVX register ($n instructions do)" $?
[ -z "$(readelf -d "$IMG" | grep NEEDED)" ]
check "libos.elf needs no shared library" $?

# Malformed programs.
echo "not an elf" >"$TMP/text"
chmod +x "$TMP/text"
head -c 100 /bin/busybox >"$TMP/trunc"
printf '\177ELF\002\001\001' >"$TMP/short"
for f in text trunc short missing; do
    manifest "$TMP/m.toml" "$TMP/$f"
    run_direct "$TMP/m.toml"
    [ "$rc" -eq 127 ] && grep -q "geode: .*$TMP/$f" "$TMP/err"
    check "malformed program ($f): clear error, status 127" $?
done
# A corrupted program header table: valid header, phoff far away.
cp "$PROGS/hello.musl" "$TMP/badph" 2>/dev/null && {
    printf '\377\377\377\177' | dd of="$TMP/badph" bs=1 seek=32 conv=notrunc 2>/dev/null
    manifest "$TMP/m.toml" "$TMP/badph"
    run_direct "$TMP/m.toml"
    [ "$rc" -eq 127 ] && grep -q 'invalid ELF' "$TMP/err"
    check "ELF with out-of-range program headers refused" $?
}

# The direct PAL's loader refuses a libOS image with any relocation other
# than R_X86_64_RELATIVE (geode finds libos.elf next to its binary).
mkdir -p "$TMP/inst"
cp "$GEODE" "$TMP/inst/geode"
/usr/bin/python3 - "$IMG" "$TMP/inst/libos.elf" <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
shoff, = struct.unpack_from("<Q", data, 0x28)
shentsize, shnum = struct.unpack_from("<HH", data, 0x3a)
for i in range(shnum):
    off = shoff + i * shentsize
    sh_type, = struct.unpack_from("<I", data, off + 4)
    if sh_type == 4:  # SHT_RELA: the first entry's type becomes R_X86_64_64
        rel = struct.unpack_from("<Q", data, off + 0x18)[0]
        info = struct.unpack_from("<Q", data, rel + 8)[0]
        struct.pack_into("<Q", data, rel + 8, (info & ~0xffffffff) | 1)
        break
open(sys.argv[2], "wb").write(data)
PY
manifest "$TMP/m.toml" "$PROGS/hello.musl"
"$TMP/inst/geode" run --mode direct "$TMP/m.toml" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q 'only R_X86_64_RELATIVE' "$TMP/err"
check "libos.elf with a non-RELATIVE relocation is refused" $?
rm "$TMP/inst/libos.elf"
"$TMP/inst/geode" run --mode direct "$TMP/m.toml" >"$TMP/out" 2>"$TMP/err"
[ $? -eq 1 ] && grep -q 'libos.elf not found' "$TMP/err"
check "missing libos.elf gives a clear error" $?
mkdir -p "$TMP/inst/lib/geode" "$TMP/inst/bin"
mv "$TMP/inst/geode" "$TMP/inst/bin/geode"
cp "$IMG" "$TMP/inst/lib/geode/libos.elf"
"$TMP/inst/bin/geode" run --mode direct "$TMP/m.toml" >"$TMP/out" 2>"$TMP/err"
[ $? -eq 0 ] && grep -q 'hello from geode' "$TMP/out"
check "installed layout: libos.elf found in ../lib/geode" $?
