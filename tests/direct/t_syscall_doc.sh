#!/usr/bin/env bash
# docs/syscalls.md against the syscall table: one line per x86-64 number
# (unistd_64.h), "yes" exactly for the calls libos/entry/syscall.c wires to a
# handler (rseq's handler answers ENOSYS), "EPERM" for those it wires to
# sys_eperm, "ENOSYS" with a reason for the rest.
. "$(dirname "$0")/lib.sh"

python3 - "$GEODE_ROOT" >"$TMP/report" 2>&1 <<'PY'
import re, sys
root = sys.argv[1]
nr = {}
for l in open('/usr/include/x86_64-linux-gnu/asm/unistd_64.h'):
    m = re.match(r'#define __NR_(\w+) (\d+)$', l.strip())
    if m:
        nr[m.group(1)] = int(m.group(2))
src = open(root + '/libos/entry/syscall.c').read()
start = src.index('static const sys_fn table')
table = src[start:src.index('};', start)]
impl = set(re.findall(r'\bE\((\w+)\)', table))
eperm = set(re.findall(r'\bP\((\w+)\)', table))
doc = {}
for l in open(root + '/docs/syscalls.md'):
    m = re.match(r'\| (\d+) \| (\w+) \| (\w+) \| (.*) \|$', l.strip())
    if m:
        doc[m.group(2)] = (int(m.group(1)), m.group(3), m.group(4))
bad = []
for n, v in nr.items():
    if n not in doc:
        bad.append(f'{n} ({v}) has no line')
        continue
    num, st, note = doc[n]
    want = 'EPERM' if n in eperm else ('ENOSYS' if n == 'rseq' else 'yes') if n in impl else 'ENOSYS'
    if num != v or st != want:
        bad.append(f'{n}: doc says {num} {st}, the table means {v} {want}')
    if st == 'ENOSYS' and not note.strip():
        bad.append(f'{n}: ENOSYS without a reason')
for n in doc:
    if n not in nr:
        bad.append(f'{n}: not an x86-64 syscall')
print('\n'.join(bad) if bad else f'{len(nr)} numbers: {len(impl)} wired, {len(eperm)} EPERM')
sys.exit(1 if bad else 0)
PY
r=$?
check "docs/syscalls.md lists every x86-64 syscall with the status syscall.c gives it ($(head -3 "$TMP/report" | tr '\n' ' '))" $r
