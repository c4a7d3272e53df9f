#!/usr/bin/env bash
# t_net_partition: 3G-like links (netlib.sh), then partitions: the
# district cut off from the province, and one commune from the district,
# for PART seconds (40; a partition of minutes, 180, in the long form),
# while every commune goes on recording.  Offline first: submits never
# wait for the link.  During the cut nothing new reaches the province and
# the cut-off commune's records stay home; its status says the link is
# down.  Once the links return, everything arrives by itself exactly once.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netlib.sh"
net_require

net_records 60 1000
PART=40
net_long && PART=180
# the daemons' own times: a silent link is dropped after 10 s
SYNC_HEARTBEAT=2000 SYNC_TIMEOUT=10000

log_step "a tree in namespaces, every link 3G-like; a first round of reports arrives"
net_tree 3 3g
net_load "$R"
net_load_wait
net_settle 120 "before the cut"
HELD_P=$(record_count "$P_CONF")
C1_SEQ0=$(own_seq "${C_CONF[1]}")

log_step "the district is cut off from the province, commune 1 from the district, for $PART s"
net_partition d on
net_partition c1 on
T0=$SECONDS
NET_PERIOD=2024-05-21
net_load "$R"
net_load_wait
echo "    all $((3 * R)) submits answered during the cut, in $((SECONDS - T0)) s"
# the other communes still reach the district
wait_held 60 "$D_CONF" "${C_KEY[2]}" "$(own_seq "${C_CONF[2]}")" "commune 2 at the district during the cut"
wait_held 60 "$D_CONF" "${C_KEY[3]}" "$(own_seq "${C_CONF[3]}")" "commune 3 at the district during the cut"
_c1_down() {
	local s
	s=$(uplink_field "${C_CONF[1]}" .state)
	echo "commune 1 link: $s"
	[ "$s" = down ] || [ "$s" = hello ]
}
wait_for 30 "commune 1 sees its link down" _c1_down
left=$((PART - (SECONDS - T0)))
((left > 0)) && sleep "$left"
assert_eq "$C1_SEQ0" "$(author_held "$D_CONF" "${C_KEY[1]}")" "commune 1's records at the district during the cut"
assert_eq "$HELD_P" "$(record_count "$P_CONF")" "records at the province during the cut"

log_step "the links return: everything arrives by itself"
net_partition d off
net_partition c1 off
T1=$SECONDS
net_settle 180 "after the cut"
echo "    $((SECONDS - T1)) s from the end of the cut to the last receipt"
# the first round counts too: both periods at the province
NET_PERIOD=2024-05-20
antt_ok "$P_CONF" report --period "$NET_PERIOD" --unit 332 --form bvanttq-event --by indicator --json
assert_eq "$((3 * (NET_BULK * (NET_BULK + 1) / 2 + NET_SINGLE * (NET_SINGLE + 1) / 2)))" \
	"$(jq -r '.forms[0].totals.tin_bao' <<<"$OUT")" "the first round's total at the province, after the cut"
