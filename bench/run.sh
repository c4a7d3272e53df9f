#!/bin/sh
# bench/run.sh - build antt in Release into build-bench and run a benchmark
# with its defaults.  This is the documented way to reproduce the figures in
# docs/benchmarks.md.
#
#     bench/run.sh [ARGS]          antt-bench: one node (2000 single submits,
#                                  a bulk of 20000 records, 2 s per raw rate)
#     bench/run.sh --sync [ARGS]   antt-sync-bench: a hub's intake, a commune ->
#                                  district -> province tree and the bytes on
#                                  the wire (100000 records each)
#     bench/run.sh --reports [ARGS]
#                                  antt-report-bench: antt report and antt
#                                  missing over a province's and the whole
#                                  country's store (a year of monthly reports)
#     bench/run.sh --versus [ARGS] antt-sync-bench --versus: the same 100000
#                                  records up a commune -> district ->
#                                  province tree of anttd (durability full,
#                                  then relaxed) and up a chain of three
#                                  Mosquitto brokers bridged at QoS 1
#                                  (needs mosquitto and libmosquitto-dev)
#
# Extra arguments go to the benchmark, e.g.
#     bench/run.sh --json > bench.json
#     bench/run.sh --sync --json > sync.json
#     bench/run.sh --reports --json > reports.json
#     bench/run.sh --versus --json > versus.json
# BUILD_DIR=... changes the build directory.  The temporary nodes go under
# $TMPDIR (else /tmp): point TMPDIR at the disk you want measured.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-"$src/build-bench"}
jobs=$(nproc 2>/dev/null || echo 2)
bench=antt-bench
extra=
if [ "${1:-}" = --sync ]; then
	bench=antt-sync-bench
	shift
elif [ "${1:-}" = --reports ]; then
	bench=antt-report-bench
	shift
elif [ "${1:-}" = --versus ]; then
	bench=antt-sync-bench
	extra=antt-mosq-bench
	shift
	set -- --versus "$@"
fi
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release >&2
if [ -n "$extra" ] && ! grep -q '^MOSQUITTO_FOUND:INTERNAL=1' "$build/CMakeCache.txt"; then
	echo "bench/run.sh: libmosquitto was not found (scripts/deps.sh installs mosquitto and libmosquitto-dev)" >&2
	exit 1
fi
cmake --build "$build" -j"$jobs" --target antt anttd "$bench" $extra >&2
# which source is measured: printed with the results
ANTT_BENCH_SOURCE=$(git -C "$src" describe --always --dirty 2>/dev/null || echo unknown)
export ANTT_BENCH_SOURCE
exec "$build/bench/$bench" "$@"
