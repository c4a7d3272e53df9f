#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS] [TARGET...]: build the libFuzzer targets with
# clang into build-fuzz (ANTT_FUZZ=ON: ASan and UBSan on) and fuzz each one
# for SECONDS (default 60), starting from its committed corpus and crash
# regressions.  New
# interesting inputs go to build-fuzz/new-corpus/TARGET, crash inputs to
# build-fuzz/crashes/TARGET; exits 1 if any target crashed.  A crash input,
# once its bug is fixed, is kept in tests/fuzz/regress/TARGET: ctest runs it
# in every build from then on (docs/fuzzing.md).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-"$src/build-fuzz"}
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(record sync bundle credentials config forms ctl units links period)
command -v clang >/dev/null || { echo "run.sh: needs clang (apt-get install clang)" >&2; exit 1; }
CC=clang cmake -S "$src" -B "$build" -DANTT_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz_}" >/dev/null
crashed=()
for t in "${targets[@]}"; do
	mkdir -p "$build/new-corpus/$t" "$build/crashes/$t"
	echo "== fuzz_$t: $secs s" >&2
	if ! "$build/tests/fuzz/fuzz_$t" -max_total_time="$secs" -max_len=65536 \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$build/crashes/$t/" \
		"$build/new-corpus/$t" "$src/tests/fuzz/corpus/$t" "$src/tests/fuzz/regress/$t" \
		2>"$build/fuzz_$t.log"; then
		crashed+=("$t")
		tail -n 30 "$build/fuzz_$t.log" >&2
	fi
	grep -aE '^stat::number_of_executed_units|^stat::new_units_added' "$build/fuzz_$t.log" >&2 || true
done
if [ ${#crashed[@]} -gt 0 ]; then
	echo "run.sh: crashed: ${crashed[*]} (inputs in $build/crashes/)" >&2
	exit 1
fi
echo "run.sh: no crash in ${targets[*]}" >&2
