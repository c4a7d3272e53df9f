#!/bin/sh
# bench/run.sh - build antt in Release into build-bench and run antt-bench
# with its defaults (2000 single submits, a bulk of 20000 records, 2 s per
# raw crypto rate).  This is the documented way to reproduce the figures in
# docs/benchmarks.md.  Extra arguments go to antt-bench, e.g.
#     bench/run.sh --json > bench.json
# BUILD_DIR=... changes the build directory.  The temporary node goes under
# $TMPDIR (else /tmp): point TMPDIR at the disk you want measured.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-"$src/build-bench"}
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release >&2
cmake --build "$build" -j"$jobs" --target antt anttd antt-bench >&2
# which source is measured: printed with the results
ANTT_BENCH_SOURCE=$(git -C "$src" describe --always --dirty 2>/dev/null || echo unknown)
export ANTT_BENCH_SOURCE
exec "$build/bench/antt-bench" "$@"
