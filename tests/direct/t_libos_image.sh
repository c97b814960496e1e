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
