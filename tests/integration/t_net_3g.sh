#!/usr/bin/env bash
# t_net_3g: three communes -> district -> province, every link 3G-like
# (384 kbit/s, 100 ms each way, 1 % loss each way: netlib.sh).  What the
# communes record, before and while their links carry the backlog, reaches
# the province exactly once and verifies there, and the communes learn it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netlib.sh"
net_require

net_records 200 3000
SYNC_HEARTBEAT=2000 SYNC_TIMEOUT=15000
net_over 3g 3G
