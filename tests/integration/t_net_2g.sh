#!/usr/bin/env bash
# t_net_2g: three communes -> district -> province, every link 2G-like
# (64 kbit/s, 300 ms each way, 5 % loss each way: netlib.sh).  What the
# communes record, before and while their links carry the backlog, reaches
# the province exactly once and verifies there, and the communes learn it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netlib.sh"
net_require

net_records 1000 5000
SYNC_HEARTBEAT=2000 SYNC_TIMEOUT=15000
net_over 2g 2G
