#!/usr/bin/env python3
"""Include graph of C sources, at the folder and at the file level.

Usage: include_graph.py [-I DIR]... ROOT...

Each ROOT (libos, pal, loader) is walked for .c, .h and .S files. An edge
X -> Y is an `#include "..."` in X that resolves to Y (relative to X's
folder, then to each -I DIR, then to each ROOT). A file's folder is its
first folder below its root (libos/fs/open.c is in libos/fs); files
directly in a root are in the root itself (libos/libos.h is in libos).
At the file level, a header and the .c file of the same name in the same
folder (core/vma.h, core/vma.c) are one component, as in Lakos's
levelization: a cycle through them is a cycle of the code, not only of
the text. Prints the cycles found; exits 1 when a folder-level cycle
exists (file-level cycles inside one folder are reported, not fatal).
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources(root):
    for d, _, names in os.walk(root):
        for n in sorted(names):
            if n.endswith(('.c', '.h', '.S')):
                yield os.path.normpath(os.path.join(d, n))


def resolve(inc, src, incdirs, roots):
    for base in [os.path.dirname(src)] + incdirs + roots:
        p = os.path.normpath(os.path.join(base, inc))
        if os.path.isfile(p):
            return p
    return None


def folder(path, roots):
    for r in roots:
        rel = os.path.relpath(path, r)
        if not rel.startswith('..'):
            parts = rel.split(os.sep)
            return r if len(parts) == 1 else os.path.join(r, parts[0])
    return os.path.dirname(path)


def component(path):
    stem, ext = os.path.splitext(path)
    return stem if ext in ('.c', '.h') else path


def sccs(graph):
    """Tarjan's strongly connected components (iterative)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def main(argv):
    incdirs, roots = [], []
    args = iter(argv)
    for a in args:
        if a == '-I':
            incdirs.append(os.path.normpath(next(args)))
        elif a.startswith('-I'):
            incdirs.append(os.path.normpath(a[2:]))
        else:
            roots.append(os.path.normpath(a))
    files = [s for r in roots for s in sources(r)]
    edges = {}  # (from file, to file)
    for src in files:
        with open(src, encoding='utf-8', errors='replace') as f:
            text = f.read()
        for inc in INCLUDE.findall(text):
            dst = resolve(inc, src, incdirs, roots)
            if dst and dst != src:
                edges.setdefault(src, set()).add(dst)

    fgraph, why = {}, {}
    for src, dsts in edges.items():
        for dst in dsts:
            a, b = folder(src, roots), folder(dst, roots)
            inside = any(not os.path.relpath(dst, r).startswith('..') for r in roots)
            if a != b and inside:
                fgraph.setdefault(a, set()).add(b)
                fgraph.setdefault(b, set())
                why.setdefault((a, b), []).append('%s -> %s' % (src, dst))
    cgraph = {}
    for src, dsts in edges.items():
        for dst in dsts:
            a, b = component(src), component(dst)
            if a != b:
                cgraph.setdefault(a, set()).add(b)
                cgraph.setdefault(b, set())

    folder_cycles = sccs(fgraph)
    file_cycles = sccs(cgraph)
    print('# %d files, %d include edges, %d folders' %
          (len(files), sum(len(d) for d in edges.values()), len(fgraph)))
    for comp in folder_cycles:
        print('folder cycle: %s' % ' '.join(comp))
        for a in comp:
            for b in comp:
                for line in why.get((a, b), []):
                    print('    %s' % line)
    for comp in file_cycles:
        print('file cycle (%d components): %s' % (len(comp), ' '.join(comp)))
    print('# %d folder-level cycles, %d file-level cycles' %
          (len(folder_cycles), len(file_cycles)))
    return 1 if folder_cycles else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
