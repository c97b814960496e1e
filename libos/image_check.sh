#!/bin/sh
# Checks a linked libOS image before it is installed:
#  - no host syscall instruction (every host service goes through the PAL);
#  - no SIMD register use (the libOS is built -mgeneral-regs-only, so the
#    PAL need not save the program's vector state around a libOS call),
#    except in protobuf-c's runtime, which decodes the manifest once at boot
#    before the program's first instruction (core/main.c) and is linked from
#    the distribution's archive, built without that flag.
# Usage: image_check.sh IMAGE PROTOBUF_C_ARCHIVE
set -eu
img=$1
pbc=$2
dis=$(objdump -d --no-show-raw-insn "$img")
if printf '%s\n' "$dis" | grep -E '\s(syscall|sysenter|int +\$0x80)\b'; then
    echo "error: $img contains a host syscall instruction (the libOS must use the PAL)" >&2
    exit 1
fi
allowed=$(nm "$pbc" | awk '$2 ~ /^[tT]$/ {print $3}' | sort -u)
bad=$(printf '%s\n' "$dis" | awk '/^[0-9a-f]+ <.*>:$/ { fn = substr($2, 2, length($2) - 3) }
    /%[xyz]mm[0-9]/ { print fn }' | sort -u | while read -r fn; do
    printf '%s\n' "$allowed" | grep -qxF "$fn" || echo "$fn"
done)
if [ -n "$bad" ]; then
    echo "error: $img uses SIMD registers outside protobuf-c's boot-time decoder, in:" >&2
    printf '  %s\n' $bad >&2
    exit 1
fi
