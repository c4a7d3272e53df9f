#!/usr/bin/env bash
# Build the Debian package: a Release build for /usr in build-pkg/, then
# cpack.  Prints the path of the .deb.
#   scripts/package.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
build=${PKG_BUILD_DIR:-$top/build-pkg}
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release -DANTT_WERROR=ON \
	-DCMAKE_INSTALL_PREFIX=/usr -DANTT_FORMS_DIR=/usr/share/antt/forms \
	-DANTT_DATA_DIR=/usr/share/antt >&2
cmake --build "$build" -j"$(nproc)" --target antt anttd >&2
rm -f "$build"/antt_*.deb
(cd "$build" && cpack -G DEB >&2)
ls "$build"/antt_*.deb
