#!/usr/bin/python3
"""Checks toml-test results gathered by t_toml_test.sh, in one process.

Reads lines "kind<TAB>name<TAB>rc<TAB>out<TAB>err<TAB>expected" from the file
named on the command line; kind is "valid" (out must be JSON equal to
expected, compared semantically) or "invalid" (rc must be 1 and stderr must
name a line and column). Prints one TAP line per case and a totals line.
"""
import json
import math
import re
import sys

ERR_POS = re.compile(r":(\d+):(\d+): error: \S")
DT = re.compile(
    r"^(?:(\d{4})-(\d{2})-(\d{2}))?[Tt ]?(?:(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?)?"
    r"([Zz]|[+-]\d{2}:\d{2})?$")
DT_TYPES = ("datetime", "datetime-local", "date-local", "time-local")


def norm_datetime(text):
    """Canonical form: upper-case T, fraction without trailing zeros, +00:00 as Z."""
    m = DT.match(text)
    if not m:
        return ("unparsable", text)
    y, mo, d, h, mi, s, frac, off = m.groups()
    frac = (frac or "").rstrip("0")
    if off is not None:
        off = off.upper()
        if off in ("+00:00", "-00:00"):
            off = "Z"
    return (y, mo, d, h, mi, s, frac, off)


def norm_float(text):
    if text in ("nan", "+nan", "-nan"):
        return "nan"
    return float(text.replace("_", ""))


def scalar_equal(typ, got, want):
    if typ == "integer":
        return int(got) == int(want)
    if typ == "float":
        g, w = norm_float(got), norm_float(want)
        return g == w and (g == "nan" or math.copysign(1, g) == math.copysign(1, w) or g != 0)
    if typ in DT_TYPES:
        return norm_datetime(got) == norm_datetime(want)
    return got == want


def is_tagged(obj):
    return (isinstance(obj, dict) and set(obj) == {"type", "value"}
            and isinstance(obj.get("type"), str) and isinstance(obj.get("value"), str))


def diff(got, want, path="$"):
    """Returns None if equal, else a description of the first difference."""
    if is_tagged(want):
        if not is_tagged(got):
            return f"{path}: expected a {want['type']} value, got {json.dumps(got)[:80]}"
        if got["type"] != want["type"]:
            return f"{path}: type {got['type']}, expected {want['type']}"
        try:
            same = scalar_equal(want["type"], got["value"], want["value"])
        except ValueError:
            same = False
        return None if same else f"{path}: value {got['value']!r}, expected {want['value']!r}"
    if isinstance(want, dict):
        if not isinstance(got, dict) or is_tagged(got):
            return f"{path}: expected a table"
        if set(got) != set(want):
            return f"{path}: keys {sorted(got)} != expected {sorted(want)}"
        for k in want:
            d = diff(got[k], want[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return f"{path}: expected an array of {len(want)}"
        for i, (g, w) in enumerate(zip(got, want)):
            d = diff(g, w, f"{path}[{i}]")
            if d:
                return d
        return None
    return f"{path}: unexpected JSON in expected file"


def read(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "replace")


def check_valid(rc, out, err, expected):
    if rc != 0:
        return f"rejected (exit {rc}): {read(err).strip()[:200]}"
    try:
        got = json.loads(read(out))
    except ValueError as e:
        return f"output is not JSON: {e}"
    with open(expected, encoding="utf-8") as f:
        want = json.load(f)
    return diff(got, want)


def check_invalid(rc, out, err, expected):
    if rc == 0:
        return "accepted an invalid document"
    if rc != 1:
        return f"exit status {rc} (crash?), expected 1"
    m = ERR_POS.search(read(err))
    if not m or int(m.group(1)) < 1 or int(m.group(2)) < 1:
        return f"error message names no line:column: {read(err).strip()[:200]}"
    return None


def main():
    passed = failed = 0
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            kind, name, rc, out, err, expected = line.rstrip("\n").split("\t")
            check = check_valid if kind == "valid" else check_invalid
            problem = check(int(rc), out, err, expected)
            if problem:
                failed += 1
                print(f"not ok - {name}: {problem}")
            else:
                passed += 1
                print(f"ok - {name}")
    print(f"# toml-test: {passed} passed, {failed} failed of {passed + failed} cases")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
