#!/bin/sh
# t1900-tree-layout - the rules of the tree that review alone would let
# slip (issue 14): no circle between the library's concerns (lib/FOLDER,
# by their includes), none between its files (by the symbols each
# object file defines and uses: a.c calling b.c calling a.c), and no
# source file over 1,000 lines unless its first lines say why ("Long
# because: ..."), and no test number used twice anywhere under tests/.
# Usage: t1900-tree-layout.sh XK BUILD-DIR (the library's objects are
# read from BUILD-DIR; the sources from the tree the test sits in)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
exec python3 - "$top" "$2" <<'PY'
import os, re, subprocess, sys

top = sys.argv[1]
build = sys.argv[2]
roots = [d for d in ("lib", "src", "guest") if os.path.isdir(os.path.join(top, d))]
inc_re = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
passed = failed = 0

def result(ok, name, detail=()):
    global passed, failed
    print(("ok - " if ok else "not ok - ") + name)
    for d in detail:
        print("#   " + d)
    if ok:
        passed += 1
    else:
        failed += 1

files = []
for r in roots:
    for dp, _, fns in os.walk(os.path.join(top, r)):
        files += [os.path.join(dp, f) for f in fns if f.endswith((".c", ".h"))]

def module(path):
    return os.path.splitext(os.path.relpath(path, top))[0]

def resolve(src, name):
    for base in (os.path.dirname(src), os.path.join(top, "lib"),
                 os.path.join(top, "src"), os.path.join(top, "tests")):
        p = os.path.normpath(os.path.join(base, name))
        if os.path.isfile(p):
            return p
    return None

edges = {}
for f in files:
    text = open(f, encoding="utf-8", errors="replace").read()
    for name in inc_re.findall(text):
        p = resolve(f, name)
        if p is None or not p.startswith(top + "/"):
            continue
        a, b = module(f), module(p)
        if a != b:
            edges.setdefault(a, set()).add(b)

def circles(graph):
    """Strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    def visit(v):
        index[v] = low[v] = counter[0]; counter[0] += 1
        stack.append(v); on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))
    nodes = set(graph) | {w for ws in graph.values() for w in ws}
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out

sys.setrecursionlimit(10000)

# Files: who defines each global symbol, who uses it (nm).
objdir = os.path.join(build, "lib", "libxenkit.a.p")
objs = sorted(f for f in os.listdir(objdir) if f.endswith(".o")) if os.path.isdir(objdir) else []
defs, uses = {}, {}
for o in objs:
    name = o[:-len(".c.o")].replace("_", "/", 1)
    out = subprocess.run(["nm", os.path.join(objdir, o)], capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "TDBR":
            defs[parts[2]] = name
        elif len(parts) == 2 and parts[0] == "U":
            uses.setdefault(name, set()).add(parts[1])
calls = {}
for a, syms in uses.items():
    for sym in syms:
        b = defs.get(sym)
        if b is not None and b != a:
            calls.setdefault(a, set()).add(b)
c = circles(calls)
result(objs and not c, "no circle between the library's files (%d objects in %s)" % (len(objs), objdir),
       [" <-> ".join(x) for x in c] or ([] if objs else ["no objects: build first"]))

concern = {}
for a, bs in edges.items():
    for b in bs:
        if a.startswith("lib/") and b.startswith("lib/"):
            fa, fb = a.split("/")[1], b.split("/")[1]
            if fa != fb:
                concern.setdefault(fa, set()).add(fb)
c = circles(concern)
result(not c, "no circle between the library's concerns (%s)" % ", ".join(sorted(concern)),
       [" <-> ".join(x) for x in c])

long_files = []
for f in sorted(files):
    lines = open(f, encoding="utf-8", errors="replace").read().split("\n")
    if len(lines) > 1000 and not any("Long because:" in l for l in lines[:40]):
        long_files.append("%s: %d lines, no 'Long because:' at its top" % (os.path.relpath(f, top), len(lines)))
result(not long_files, "no source file over 1,000 lines without a reason (%d files)" % len(files), long_files)

numbers = {}
for dp, _, fns in os.walk(os.path.join(top, "tests")):
    for f in fns:
        m = re.match(r"(t\d{4})-", f)
        if m and f.endswith((".c", ".sh")):
            numbers.setdefault(m.group(1), set()).add(os.path.relpath(os.path.join(dp, f), top))
twice = ["%s: %s" % (n, ", ".join(sorted(ps))) for n, ps in sorted(numbers.items()) if len(ps) > 1]
result(not twice, "each test number used once (%d tests)" % len(numbers), twice)

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
