#!/bin/sh
# Checks a linked libOS image before it is installed:
#  - no host syscall instruction (every host service goes through the PAL);
#  - no x87/SSE/AVX register use (the libOS is built -mgeneral-regs-only, so
#    the PAL need not save the program's vector state around a libOS call).
# Usage: image_check.sh IMAGE
set -eu
img=$1
dis=$(objdump -d --no-show-raw-insn "$img")
if printf '%s\n' "$dis" | grep -E '\s(syscall|sysenter|int +\$0x80)\b'; then
    echo "error: $img contains a host syscall instruction (the libOS must use the PAL)" >&2
    exit 1
fi
bad=$(printf '%s\n' "$dis" | awk '/^[0-9a-f]+ <.*>:$/ { fn = substr($2, 2, length($2) - 3) }
    /%([xyz]mm[0-9]|st\(|mm[0-7])/ { print fn }' | sort -u)
if [ -n "$bad" ]; then
    echo "error: $img uses x87/SSE/AVX registers, in:" >&2
    printf '  %s\n' $bad >&2
    exit 1
fi
