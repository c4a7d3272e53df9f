#!/usr/bin/env bash
# t_net_3g: three communes -> district -> province, every link 3G-like
# (384 kbit/s, 100 ms each way, 1 % loss each way: netlib.sh).  What the
# communes record, before and while their links carry the backlog, reaches
# the province exactly once and verifies there, and the communes learn it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netlib.sh"
net_require

R=${ANTT_NET_RECORDS:-200}
[ "${ANTT_NET_LONG:-0}" = 1 ] && R=${ANTT_NET_RECORDS:-3000}
SYNC_HEARTBEAT=2000 SYNC_TIMEOUT=15000

log_step "a tree in namespaces, every link 3G-like"
net_tree 3 3g
T0=$SECONDS
log_step "each commune records $R reports: half at once, half one by one while it syncs"
net_load "$R"
net_load_wait
log_step "all of it reaches the province over the 3G links"
net_settle 300 "3G"
echo "    $((SECONDS - T0)) s from the first report to the last receipt"
