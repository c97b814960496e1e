#!/usr/bin/env python3
"""The SGX host layers (docs/architecture.md, "SGX host layers") checked from
the sources: every quoted #include of a file under pal/sgx/ resolves in its
own folder or in a folder its layer may use, no include goes through "../",
nothing under pal/ names a loader/ path, the folder-level include graph of
pal/sgx/, pal/direct/, pal/include/ and loader/ has no cycle, and
pal/sgx/build.mk gives each layer exactly the -I folders below.

    sgx_layers.py ROOT          check the tree at ROOT; prints one line per
                                problem and exits 1 if there is any
"""
import os
import re
import sys

# What each folder of pal/sgx may include besides its own files (the layer
# order: arch <- abi <- platform <- identity <- image, sim <- urts <- loader).
# "gen" is the build's generated headers (aesm.pb-c.h).
ALLOWED = {
    "arch": [],
    "abi": ["arch"],
    "platform": ["arch"],
    "identity": ["arch", "platform"],
    "image": ["arch", "abi", "platform", "identity"],
    "sim": ["arch", "abi", "platform", "identity"],
    "urts": ["arch", "abi", "platform", "identity", "image", "sim", "pal/include", "pal/direct",
             "gen"],
    "enclave": ["arch", "abi", "pal/include", "pal/crypto"],
}
# The archives pal/sgx/build.mk builds, with the -I folders it must give them.
ARCHIVES = ["platform", "identity", "image", "sim", "urts"]
GENERATED = {"aesm.pb-c.h", "geode_manifest.pb-c.h"}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def folder_path(root, name):
    if name == "gen":
        return None
    if name == "loader" or "/" in name:
        return os.path.join(root, name)
    return os.path.join(root, "pal/sgx", name)


def sources(d):
    out = []
    for dirpath, _, files in os.walk(d):
        out += [os.path.join(dirpath, f) for f in sorted(files) if f.endswith((".c", ".h", ".S"))]
    return sorted(out)


def owner(root, path):
    """The folder (as named in the graph) that holds path, or None."""
    rel = os.path.relpath(path, root)
    parts = rel.split(os.sep)
    if parts[:2] == ["pal", "sgx"] and len(parts) > 3:
        return parts[2]
    if parts[:2] in (["pal", "direct"], ["pal", "include"], ["pal", "crypto"]):
        return "pal/" + parts[1]
    if parts[0] == "loader":
        return "loader"
    return None


def resolve(root, src, inc, dirs):
    """Where "inc" included from src is found: its own folder, then dirs."""
    cand = [os.path.dirname(src)] + [folder_path(root, d) for d in dirs if folder_path(root, d)]
    for d in cand:
        p = os.path.normpath(os.path.join(d, inc))
        if os.path.isfile(p):
            return p
    if "gen" in dirs and os.path.basename(inc) in GENERATED:
        return "gen"
    return None


def check(root):
    problems = []
    sgx = os.path.join(root, "pal/sgx")
    layers = sorted(d for d in os.listdir(sgx) if os.path.isdir(os.path.join(sgx, d)))
    for layer in layers:
        if layer not in ALLOWED:
            problems.append("pal/sgx/%s/: a folder with no layer (add it to the table)" % layer)
    edges = set()
    for layer in layers:
        if layer not in ALLOWED:
            continue
        for src in sources(os.path.join(sgx, layer)):
            rel = os.path.relpath(src, root)
            text = open(src, encoding="utf-8", errors="replace").read()
            for inc in INCLUDE.findall(text):
                if inc.startswith("../") or "/../" in inc:
                    problems.append('%s: #include "%s" goes through ../' % (rel, inc))
                    continue
                # enclave/test/ is the test build of the trusted PAL: it may
                # include the enclave's headers too.
                dirs = ALLOWED[layer] + (["enclave"] if "/enclave/test/" in src else [])
                where = resolve(root, src, inc, dirs)
                if where is None:
                    every = resolve(root, src, inc, list(ALLOWED) + ["pal/include", "pal/direct",
                                                                     "gen", "loader"])
                    whose = owner(root, every) if every and every != "gen" else None
                    problems.append('%s: #include "%s"%s: not allowed for %s/ (may use: %s)' %
                                    (rel, inc, " (from %s/)" % whose if whose else "",
                                     layer, " ".join(ALLOWED[layer]) or "nothing"))
                elif where != "gen":
                    to = owner(root, where)
                    if to and to != layer:
                        edges.add((layer, to))
    # loader/ and pal/direct/ in the graph too: the loader may include any
    # layer, but none may include it back (nor a path naming it).
    for d in ("loader", "pal/direct", "pal/crypto"):
        for src in sources(os.path.join(root, d)):
            text = open(src, encoding="utf-8", errors="replace").read()
            for inc in INCLUDE.findall(text):
                if inc.startswith("../") and d != "loader":
                    problems.append('%s: #include "%s" goes through ../' %
                                    (os.path.relpath(src, root), inc))
                where = resolve(root, src, inc, list(ALLOWED) + ["pal/include", "pal/direct",
                                                                 "pal/crypto", "loader", "gen"])
                to = owner(root, where) if where and where != "gen" else None
                me = owner(root, src)
                if to and me and to != me:
                    edges.add((me, to))
    for src in sources(os.path.join(root, "pal")) + \
            [os.path.join(dp, f) for dp, _, fs in os.walk(os.path.join(root, "pal"))
             for f in fs if f.endswith((".mk", ".proto"))]:
        for n, line in enumerate(open(src, encoding="utf-8", errors="replace"), 1):
            if "loader/" in line:
                problems.append("%s:%d: names loader/ (pal/ must not depend on the loader)" %
                                (os.path.relpath(src, root), n))
    problems += cycles(edges)
    problems += build_flags(root)
    return problems


def cycles(edges):
    graph = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
    out, state, stack = [], {}, []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                out.append("include cycle between folders: " +
                           " -> ".join(stack[stack.index(m):] + [m]))
            elif m not in state:
                visit(m)
        stack.pop()
        state[n] = 2

    for n in sorted(graph):
        if n not in state:
            visit(n)
    return out


def build_flags(root):
    """pal/sgx/build.mk's SGX_INC_<layer> must be the table's folders."""
    path = os.path.join(root, "pal/sgx/build.mk")
    text = open(path).read().replace("\\\n", " ")
    out = []
    for layer in ARCHIVES:
        m = re.search(r"^SGX_INC_%s\s*:?=(.*)$" % layer, text, re.M)
        if not m:
            out.append("pal/sgx/build.mk: no SGX_INC_%s" % layer)
            continue
        got = set()
        for w in m.group(1).split():
            got.add("gen" if w == "$(BUILD)/gen" else w[len("pal/sgx/"):] if w.startswith(
                "pal/sgx/") else w)
        want = set(ALLOWED[layer]) | {layer}
        if got != want:
            out.append("pal/sgx/build.mk: SGX_INC_%s is %s, the layer allows %s" %
                       (layer, " ".join(sorted(got)), " ".join(sorted(want))))
    return out


if __name__ == "__main__":
    found = check(sys.argv[1] if len(sys.argv) > 1 else ".")
    for p in found:
        print(p)
    sys.exit(1 if found else 0)
