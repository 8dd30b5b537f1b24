#!/bin/bash
# scripts/check-layout.sh - the import rule of Documentation/layout.md.
# Builds the graph of `#include "..."` between the sources of include/,
# writer/, drivers/, minikernel/ and tools/
# (a .c and its .h are one module, except the folder-wide headers in SHARED)
# and prints one line per problem:
#   cycle: A -> B -> ... -> A      modules that import each other
#   up: FILE includes HDR          an include from a lower floor to a higher one
# Exits 1 if there is any, else prints "layout ok: N modules, N imports".
set -u
cd "$(dirname "$0")/.." || exit 2
exec python3 - "$@" <<'PY'
import os, re, sys, glob

ROOTS = ["include", "writer", "drivers", "minikernel", "tools"]
IDIRS = ["tools", "include", "writer", "drivers", "minikernel"]
# floor of a module by folder (Documentation/layout.md); higher may import lower
FLOORS = [("include/", 0), ("writer/", 1), ("drivers/", 1), ("minikernel/", 2),
          ("tools/disk/", 2), ("tools/image/", 3), ("tools/", 4)]

def floor(path):
    for pre, f in FLOORS:
        if path.startswith(pre):
            return f
    return None

# Headers that are a whole folder's interface rather than one .c file's:
# each is its own module (its .c namesake is another).
SHARED = {"writer/writer.h"}    # format.c, notes.c, csum.c and writer.c implement it

def module(path):
    return path if path in SHARED else os.path.splitext(path)[0]

files = []
for r in ROOTS:
    for dp, dn, fn in os.walk(r):
        if "/sim" in dp or dp.endswith("sim"):
            continue
        files += [os.path.join(dp, f) for f in fn if f.endswith((".c", ".h", ".S"))]
files.sort()
inc = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
edges, problems, nimports = {}, [], 0
for f in files:
    for name in inc.findall(open(f, errors="replace").read()):
        cands = [os.path.normpath(os.path.join(os.path.dirname(f), name))] + \
                [os.path.join(d, name) for d in IDIRS]
        tgt = next((c for c in cands if os.path.isfile(c)), None)
        if tgt is None:
            continue        # generated or outside the tree (zlib, lz4)
        nimports += 1
        a, b = module(f), module(tgt)
        if a != b:
            edges.setdefault(a, set()).add(b)
        fa, fb = floor(f), floor(tgt)
        if fa is not None and fb is not None and fb > fa:
            problems.append("up: %s includes %s" % (f, tgt))

# cycles: strongly connected components of more than one module
idx, low, stack, on, comps, n = {}, {}, [], set(), [], [0]
def strong(v):
    idx[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
    for w in sorted(edges.get(v, ())):
        if w not in idx:
            strong(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], idx[w])
    if low[v] == idx[v]:
        c = []
        while True:
            w = stack.pop(); on.discard(w); c.append(w)
            if w == v:
                break
        if len(c) > 1:
            comps.append(sorted(c))
sys.setrecursionlimit(10000)
nodes = sorted(set(edges) | {w for s in edges.values() for w in s})
for v in nodes:
    if v not in idx:
        strong(v)
for c in comps:
    problems.append("cycle: " + " <-> ".join(c))
for p in problems:
    print(p)
if problems:
    sys.exit(1)
print("layout ok: %d modules, %d imports" % (len(nodes), nimports))
PY
