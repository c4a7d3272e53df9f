#!/usr/bin/env bash
# Set up and run the whole test suite: installs missing Debian packages,
# builds with warnings as errors, runs every unit and integration test.
#   scripts/test.sh              normal build in build/
#   scripts/test.sh --sanitize   AddressSanitizer + UBSan build in build-asan/
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"

args=()
export BUILD_DIR=${BUILD_DIR:-$top/build}
if [ "${1:-}" = "--sanitize" ]; then
	export BUILD_DIR=$top/build-asan
	args+=(-DANTT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	# the sanitized daemons run a few times slower: every time budget of the
	# integration scenarios is multiplied by this (tests/integration/lib.sh),
	# and so is their ctest TIMEOUT (set by CMake, read here at configure
	# time; --timeout below is for the unit tests, which set none)
	export ANTT_TEST_SLOW=${ANTT_TEST_SLOW:-3}
fi
"$top/scripts/build.sh" "${args[@]}"
cd "$BUILD_DIR"
ctest --output-on-failure -j2 --timeout 300
