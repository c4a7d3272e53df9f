#!/usr/bin/env python3
"""check_includes: the product's include graph says what docs/architecture.md
says.  Reads every #include "..." of lib/, proto/, daemon/ and client/ and
fails, naming the files, when

  * a directory reaches one it must not: lib/ is what both programs
    share and includes no other; proto/ (the record format and sync's
    framing) includes lib/ only; client/ includes lib/ only (the CLI speaks
    to the node over its socket and never reads a record);
  * the modules depend on each other in a cycle.  A module is a file's name
    up to its first '_' (store.c, store_index.c and store_int.h are the
    module store), or the module whose private header X_int.h a file
    includes (submit.c, on node_int.h, is the node's); a cycle is the store
    needing the node that needs the store, whatever headers it goes
    through.

Run: tests/layout/check_includes.py [repo root]."""
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
DIRS = ["lib", "proto", "daemon", "client"]
MAY_NOT = {"lib": {"proto", "daemon", "client"}, "proto": {"daemon", "client"},
           "client": {"proto", "daemon"}}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def module(path, text=""):
    for inc in INCLUDE.findall(text):
        if inc.endswith("_int.h"):
            return os.path.basename(inc)[: -len("_int.h")]
    stem = os.path.splitext(os.path.basename(path))[0]
    return stem.split("_")[0]


def main():
    where = {}  # header name -> its path
    files = []
    for d in DIRS:
        for name in sorted(os.listdir(os.path.join(ROOT, d))):
            if name.endswith((".c", ".h")):
                rel = os.path.join(d, name)
                files.append(rel)
                if name.endswith(".h"):
                    where[name] = rel
    problems = []
    deps = {}  # module -> {module: (from file, included file)}
    for rel in files:
        with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
            text = f.read()
        for inc in INCLUDE.findall(text):
            target = where.get(os.path.basename(inc))
            if not target:
                continue  # generated (antt.pb-c.h) or a system header
            src_dir, dst_dir = rel.split("/")[0], target.split("/")[0]
            if dst_dir in MAY_NOT.get(src_dir, ()):
                problems.append(f"{rel} includes {target}: {src_dir}/ may not use {dst_dir}/")
            a, b = module(rel, text), module(target)
            if a != b:
                deps.setdefault(a, {}).setdefault(b, (rel, target))
    # cycles among modules: depth-first, each one reported once
    state, stack, seen_cycles = {}, [], set()

    def visit(m):
        state[m] = 1
        stack.append(m)
        for n in sorted(deps.get(m, {})):
            if state.get(n) == 1:
                cyc = stack[stack.index(n):] + [n]
                key = frozenset(cyc)
                if key not in seen_cycles:
                    seen_cycles.add(key)
                    hops = [f"{deps[x][y][0]} -> {deps[x][y][1]}" for x, y in zip(cyc, cyc[1:])]
                    problems.append("module cycle " + " -> ".join(cyc) + ": " + "; ".join(hops))
            elif not state.get(n):
                visit(n)
        stack.pop()
        state[m] = 2

    for m in sorted(deps):
        if not state.get(m):
            visit(m)
    for p in problems:
        print("check_includes: " + p, file=sys.stderr)
    if problems:
        print(f"check_includes: {len(problems)} problem(s); docs/architecture.md says who may use whom",
              file=sys.stderr)
        return 1
    print(f"check_includes: {len(files)} files, {len(deps)} modules, no cycle, layers kept")
    return 0


sys.exit(main())
