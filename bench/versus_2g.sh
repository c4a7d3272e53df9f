#!/usr/bin/env bash
# bench/versus_2g.sh [ARGS]: antt-versus-bench (antt's tree beside a
# chain of bridged Mosquitto brokers, docs/benchmarks.md) with each tier in
# its own network namespace and both links 2G-like: 64 kbit/s, 300 ms each
# way, 5 % loss each way (tests/integration/netlib.sh, the harness of the
# shaped-network tests).  Both sides cross the same shaped links: each
# child reaches its parent through the delay relay in its namespace.
# Needs root.  Default -n 2000 (a 2G link carries about 60 antt records a
# second); extra ARGS go to the benchmark (--json, -n N, --no-full...).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-"$src/build-bench"}
[ "$(id -u)" -eq 0 ] || { echo "versus_2g.sh: network namespaces need root" >&2; exit 1; }
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release >&2
cmake --build "$build" -j"$(nproc)" --target antt anttd antt-versus-bench antt-mosq-bench delay_proxy >&2
export ANTT=$build/antt ANTTD=$build/anttd DELAY_PROXY=$build/tests/integration/delay_proxy
IT_NAME=versus_2g
# the harness: namespaces, links, relays, and their cleanup on exit
. "$src/tests/integration/lib.sh"
. "$src/tests/integration/netlib.sh"
net_require
net_link district province 2 2g
net_link commune district 1 2g
ANTT_BENCH_SOURCE=$(git -C "$src" describe --always --dirty 2>/dev/null || echo unknown)
export ANTT_BENCH_SOURCE
args=(-n 2000 --timeout 1800 --silence 60)
"$build/bench/antt-versus-bench" "${args[@]}" \
	--prefix "commune=ip netns exec $NET_PREFIX-commune" \
	--prefix "district=ip netns exec $NET_PREFIX-district" \
	--prefix "province=ip netns exec $NET_PREFIX-province" \
	--listen commune=127.0.0.1:7402 --listen district=0.0.0.0:$NET_HUB_PORT \
	--listen province=0.0.0.0:$NET_HUB_PORT \
	--parent commune=127.0.0.1:$NET_PROXY_PORT --parent district=127.0.0.1:$NET_PROXY_PORT "$@" ||
	rc=$?
# the harness's own last words (its cleanup) go to stderr: stdout is the
# benchmark's (--json)
exec 1>&2
exit "${rc:-0}"
