#!/usr/bin/python3
"""Recomputes MRENCLAVE from `geode measure --layout-json J --pages P` output,
independently of Geode's C code, straight from the SDM's record formats:
ECREATE, then per page EADD (offset + first 48 bytes of SECINFO) and, for
measured pages, 16 EEXTEND records of 256 bytes each."""
import hashlib
import json
import struct
import sys


def mrenclave(layout, pages):
    h = hashlib.sha256()
    h.update(struct.pack("<8sIQ44x", b"ECREATE", layout["ssa_frame_size"], layout["size"]))
    if len(pages) != 4096 * len(layout["pages"]):
        raise SystemExit("pages file size does not match the page list")
    for i, page in enumerate(layout["pages"]):
        off = page["offset"]
        h.update(struct.pack("<8sQQ40x", b"EADD", off, page["flags"]))
        if page["measured"]:
            data = pages[4096 * i: 4096 * (i + 1)]
            for c in range(0, 4096, 256):
                h.update(struct.pack("<8sQ48x", b"EEXTEND", off + c))
                h.update(data[c:c + 256])
    return h.hexdigest()


def main():
    with open(sys.argv[1]) as f:
        layout = json.load(f)
    with open(sys.argv[2], "rb") as f:
        pages = f.read()
    print(mrenclave(layout, pages))


main()
