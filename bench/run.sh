#!/bin/sh
# bench/run.sh - build antt in Release into build-bench and run a benchmark
# with its defaults.  This is the documented way to reproduce the figures in
# docs/benchmarks.md.
#
#     bench/run.sh [ARGS]          antt-bench: one node (2000 single submits,
#                                  a bulk of 20000 records, 2 s per raw rate)
#     bench/run.sh --intake [ARGS] antt-intake-bench: a hub's intake from one
#                                  child (100000 records), beside this
#                                  machine's verify, SQLite insert and store
#                                  append rates
#     bench/run.sh --tree [ARGS]   antt-tree-bench: a commune -> district ->
#                                  province tree end to end and the bytes on
#                                  the wire (100000 records)
#     bench/run.sh --sync [ARGS]   both, intake then tree (docs/benchmarks.md,
#                                  "Sync"): each takes the ARGS it knows
#                                  (-b, -s and --check are the intake's,
#                                  --poll-ms and --timeout the tree's);
#                                  --no-tree runs the intake alone; with
#                                  --json one document {"intake": ...,
#                                  "tree": ...}; the exit status is the
#                                  intake's (--check), else the tree's
#     bench/run.sh --reports [ARGS]
#                                  antt-report-bench: antt report and antt
#                                  missing over a province's and the whole
#                                  country's store (a year of monthly reports),
#                                  and over the country's store of 2025 with
#                                  both unit lists (the boundary store)
#     bench/run.sh --versus [ARGS] antt-versus-bench: the same 100000
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
case "${1:-}" in
--intake) bench=antt-intake-bench ;;
--tree) bench=antt-tree-bench ;;
--sync) bench=antt-intake-bench extra=antt-tree-bench ;;
--reports) bench=antt-report-bench ;;
--versus) bench=antt-versus-bench extra=antt-mosq-bench ;;
esac
mode=${1:-}
case "$mode" in --intake | --tree | --sync | --reports | --versus) shift ;; esac
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release >&2
if [ "$mode" = --versus ] && ! grep -q '^MOSQUITTO_FOUND:INTERNAL=1' "$build/CMakeCache.txt"; then
	echo "bench/run.sh: libmosquitto was not found (scripts/deps.sh installs mosquitto and libmosquitto-dev)" >&2
	exit 1
fi
cmake --build "$build" -j"$jobs" --target antt anttd "$bench" $extra >&2
# which source is measured: printed with the results
ANTT_BENCH_SOURCE=$(git -C "$src" describe --always --dirty 2>/dev/null || echo unknown)
export ANTT_BENCH_SOURCE
if [ "$mode" != --sync ]; then
	exec "$build/bench/$bench" "$@"
fi
# --sync: the intake, then the tree, each with the ARGS it takes
quote() { printf "'%s' " "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
intake= tree= json= notree= check=
while [ $# -gt 0 ]; do
	case "$1" in
	--no-tree) notree=1 ;;
	-b | --batch | -s | --seconds) intake="$intake$(quote "$1")$(quote "${2:-}")" && shift ;;
	--check) intake="$intake$(quote "$1")" check=1 ;;
	-b?* | --batch=* | -s?* | --seconds=*) intake="$intake$(quote "$1")" ;;
	--poll-ms | --timeout) tree="$tree$(quote "$1")$(quote "${2:-}")" && shift ;;
	--poll-ms=* | --timeout=*) tree="$tree$(quote "$1")" ;;
	-n | --records | --perf | --antt | --anttd | --forms | --tmpdir)
		intake="$intake$(quote "$1")$(quote "${2:-}")"
		tree="$tree$(quote "$1")$(quote "${2:-}")"
		shift
		;;
	*)
		[ "$1" = --json ] && json=1
		intake="$intake$(quote "$1")"
		tree="$tree$(quote "$1")"
		;;
	esac
	shift
done
[ -n "$json" ] && printf '{"intake": '
rc=0
eval "\"\$build/bench/antt-intake-bench\" $intake" || rc=$?
# an aim missed (--check) does not stop the tree; a failure does
if [ -z "$notree" ] && { [ "$rc" -eq 0 ] || { [ -n "$check" ] && [ "$rc" -eq 1 ]; }; }; then
	[ -n "$json" ] && printf ', "tree": '
	if [ -z "$json" ]; then echo; fi
	eval "\"\$build/bench/antt-tree-bench\" $tree" || { [ "$rc" -ne 0 ] || rc=$?; }
fi
[ -n "$json" ] && echo '}'
exit "$rc"
