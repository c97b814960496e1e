#!/usr/bin/env bash
# Signed bundles (loader/bundle.h, docs/signing.md): geode sign --bundle on
# one side, geode run BUNDLE elsewhere (a copy in another directory, with
# another signing key at hand), unchanged; every kind of tampering refused
# before the enclave is built, naming what changed.
. "$(dirname "$0")/lib.sh"

mkdir -p "$TMP/vendor" "$TMP/host"
cp /bin/busybox "$TMP/vendor/busybox"
bb="$TMP/vendor/busybox"
cat >"$TMP/vendor/app.toml" <<M
libos.entrypoint = "$bb"
loader.argv = ["busybox", "sh", "-c", "echo signed \$0; cat $TMP/vendor/data"]
loader.log_level = "error"
sgx.trusted_files = ["file:$bb", "file:$TMP/vendor/data"]
M
echo "trusted data" >"$TMP/vendor/data"
"$GEODE" keygen --out "$TMP/vendor/key.pem" >/dev/null 2>&1
"$GEODE" sign "$TMP/vendor/app.toml" --bundle "$TMP/vendor/app.geode" --key "$TMP/vendor/key.pem" \
    >"$TMP/sign.out" 2>"$TMP/err"
rc=$?
signed=$(sed -n 's/^mrenclave //p' "$TMP/sign.out")
measured=$("$GEODE" measure "$TMP/vendor/app.toml" 2>/dev/null)
check "sign --bundle writes the bundle and prints the MRENCLAVE that measure prints ($signed)" \
    $([ "$rc" -eq 0 ] && [ -n "$signed" ] && [ "$signed" = "$measured" ]; echo $?)
( cd "$TMP/vendor/app.geode" && sha256sum -c --quiet SHA256SUMS ) >/dev/null 2>&1
check "the bundle's SHA256SUMS checks with sha256sum -c" $?
"$GEODE" sigstruct show "$TMP/vendor/app.geode/enclave.sig" >"$TMP/show" 2>&1
check "enclave.sig is a valid SIGSTRUCT for that MRENCLAVE" \
    $(grep -qi "$signed" "$TMP/show" && grep -q 'signature status *valid' "$TMP/show"; echo $?)

# The host: a copy of the bundle; the host's own key is never used.
cp -r "$TMP/vendor/app.geode" "$TMP/host/"
B="$TMP/host/app.geode"
run_sim "$B"
check "run BUNDLE (sim): the signed program runs ($(head -c 80 "$TMP/out"))" \
    $([ "$rc" -eq 0 ] && grep -q '^signed sh' "$TMP/out" && grep -q '^trusted data' "$TMP/out"; echo $?)
diag $rc
run_direct "$B"
check "run BUNDLE (direct): the signed blob runs" $([ "$rc" -eq 0 ] && grep -q '^trusted data' "$TMP/out"; echo $?)

# A trusted host file edited after signing: refused by name, nothing built.
echo "edited" >"$TMP/vendor/data"
run_sim "$B"
check "a trusted file changed after signing: refused, naming it" \
    $([ "$rc" -eq 1 ] && grep -q "trusted file $TMP/vendor/data differs" "$TMP/err" && [ ! -s "$TMP/out" ]; echo $?)
echo "trusted data" >"$TMP/vendor/data"

# Bundle files changed: named by SHA256SUMS.
cp -r "$TMP/vendor/app.geode" "$TMP/t1.geode"
printf '\0' | dd of="$TMP/t1.geode/libos.elf" bs=1 seek=5000 conv=notrunc 2>/dev/null
run_sim "$TMP/t1.geode"
check "a changed libos.elf: refused, naming it" \
    $([ "$rc" -eq 1 ] && grep -q 'libos.elf changed since the bundle was signed' "$TMP/err"; echo $?)

# ... and with SHA256SUMS rewritten to match: the measurement catches it.
( cd "$TMP/t1.geode" && sha256sum manifest.toml manifest.blob enclave.sig pal-enclave.elf libos.elf >SHA256SUMS )
run_sim "$TMP/t1.geode"
check "a changed libos.elf with SHA256SUMS forged: refused, MRENCLAVE differs from the SIGSTRUCT's" \
    $([ "$rc" -eq 1 ] && grep -q 'does not measure to the MRENCLAVE its SIGSTRUCT signs' "$TMP/err"; echo $?)

cp -r "$TMP/vendor/app.geode" "$TMP/t2.geode"
"$GEODE" manifest blob "$TMP/vendor/app.toml" "$TMP/t2.geode/manifest.blob" 2>/dev/null
sed -i 's/echo signed/echo forged/' "$TMP/vendor/app.toml"
"$GEODE" manifest expand "$TMP/vendor/app.toml" "$TMP/x.toml" --blob "$TMP/t2.geode/manifest.blob" 2>/dev/null
( cd "$TMP/t2.geode" && sha256sum manifest.toml manifest.blob enclave.sig pal-enclave.elf libos.elf >SHA256SUMS )
run_sim "$TMP/t2.geode"
check "a different manifest blob (forged sums): refused before it runs" \
    $([ "$rc" -eq 1 ] && grep -q 'does not measure to the MRENCLAVE' "$TMP/err" && ! grep -q forged "$TMP/out"; echo $?)

cp -r "$TMP/vendor/app.geode" "$TMP/t3.geode"
rm "$TMP/t3.geode/SHA256SUMS"
run_sim "$TMP/t3.geode"
check "no SHA256SUMS: not a bundle, said so" $([ "$rc" -eq 1 ] && grep -q 'no SHA256SUMS' "$TMP/err"; echo $?)
