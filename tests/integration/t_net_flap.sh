#!/usr/bin/env bash
# t_net_flap: 3G-like links (netlib.sh) that go down for 6 s after every 4 s
# (every link of the tree, each on its own beat), while the communes
# record.  Links that come and go never lose or repeat a record: when the
# flapping stops, everything is at the province exactly once.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netlib.sh"
net_require

net_records 300 3000
FLAP=30
net_long && FLAP=180
SYNC_HEARTBEAT=1000 SYNC_TIMEOUT=4000

log_step "a tree in namespaces, every link 3G-like and flapping"
net_tree 3 3g
net_flap_start d 4 6
net_flap_start c1 4 6
sleep 1
net_flap_start c2 4 6
sleep 1
net_flap_start c3 4 6
T0=$SECONDS
log_step "each commune records $R reports while its link flaps"
net_load "$R"
net_load_wait
left=$((FLAP - (SECONDS - T0)))
((left > 0)) && sleep "$left"
log_step "the flapping stops after $((SECONDS - T0)) s"
# the links really dropped: each commune had to connect again
for i in 1 2 3; do
	n=$(grep -c 'accepted' "$IT_TMP/proxy-c$i.log" || true)
	echo "    commune $i: connections through its link: $n"
	((n >= 2)) || fail "commune $i connected $n time(s) through a link that flapped for $FLAP s: the flaps did not cut it"
done
net_flap_stop
net_settle 180 "after the flapping"
