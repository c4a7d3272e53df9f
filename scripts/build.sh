#!/usr/bin/env bash
# Configure and build into BUILD_DIR (default: build/).  Extra arguments go to
# cmake's configure step, e.g. -DANTT_SANITIZE=ON.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
cmake -S "$top" -B "$build" -DANTT_WERROR=ON "$@" >/dev/null
cmake --build "$build" -j"$(nproc)"
