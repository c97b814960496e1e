#!/usr/bin/env bash
# The measured trusted PAL that users run (pal-enclave.elf) carries no test
# code: no test ECALL handlers and no fault-generating sites. The test build
# (pal-enclave-test.elf, for the unit tests and the bench) has them, which
# shows the check can see them.
. "$GEODE_ROOT/tests/direct/lib.sh"

prod="$GEODE_BUILD/pal-enclave.elf"
test_elf="$GEODE_BUILD/pal-enclave-test.elf"
test_syms='enclave_fault_|ecall_test_|enclave_fixups'
if [ ! -f "$prod" ] || [ ! -f "$test_elf" ]; then
    skip "pal-enclave.elf or pal-enclave-test.elf not built"
    exit 0
fi
found=$(nm "$prod" | grep -E " ($test_syms)" | grep -v ' enclave_fixups$' | awk '{print $3}' | tr '\n' ' ')
[ -z "$found" ]
check "pal-enclave.elf has no test ECALLs or fault sites${found:+ (found: $found)}" $?

n=$(nm "$test_elf" | grep -cE " (enclave_fault_ud2|ecall_test_fault|ecall_test_ocall_bench)$")
[ "$n" -eq 3 ]
check "pal-enclave-test.elf has them (the check sees such symbols): $n of 3" $?

# The fixup table of the measured enclave is empty: one {0, 0} entry.
sz=$(nm -S "$prod" | awk '$4 == "enclave_fixups" {print $2}')
[ "$((16#${sz:-0}))" -eq 16 ]
check "pal-enclave.elf's fault-fixup table is the empty one (size 0x${sz:-?})" $?
