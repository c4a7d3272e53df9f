#!/usr/bin/env bash
# Set up and run the whole test suite: installs missing Debian packages,
# builds with warnings as errors, runs every unit and integration test.
#   scripts/test.sh              normal build in build/
#   scripts/test.sh --sanitize   AddressSanitizer + UBSan build in build-asan/
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"

args=()
exclude=()
export BUILD_DIR=${BUILD_DIR:-$top/build}
if [ "${1:-}" = "--sanitize" ]; then
	# the multi-node sync scenarios are bound by timing (deadlines over three
	# daemons): they run in the normal build; the sanitizers cover the same
	# code through the unit tests, the peer-free scenarios and the fuzz test
	exclude=(-E 'integration\.sync_')
	export BUILD_DIR=$top/build-asan
	args+=(-DANTT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
"$top/scripts/build.sh" "${args[@]}"
cd "$BUILD_DIR"
ctest --output-on-failure -j2 --timeout 300 "${exclude[@]}"
