#!/usr/bin/env bash
# t_net_2g: three communes -> district -> province, every link 2G-like
# (64 kbit/s, 300 ms each way, 5 % loss each way: netlib.sh).  What the
# communes record, before and while their links carry the backlog, reaches
# the province exactly once and verifies there, and the communes learn it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netlib.sh"
net_require

R=${ANTT_NET_RECORDS:-1000}
[ "${ANTT_NET_LONG:-0}" = 1 ] && R=${ANTT_NET_RECORDS:-5000}
SYNC_HEARTBEAT=${SYNC_HEARTBEAT_NET:-2000} SYNC_TIMEOUT=${SYNC_TIMEOUT_NET:-15000}

log_step "a tree in namespaces, every link 2G-like"
net_tree 3 2g
T0=$SECONDS
log_step "each commune records $R reports: half at once, half one by one while it syncs"
net_load "$R"
net_load_wait
log_step "all of it reaches the province over the 2G links"
net_settle 300 "2G"
echo "    $((SECONDS - T0)) s from the first report to the last receipt"
