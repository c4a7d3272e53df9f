#!/usr/bin/env bash
# t_rotation: a commune's machine is replaced (key rotation).  The province
# Hưng Yên (33, with the real units), the district Tiên Lữ (332) and two of
# its communes, Xã Nhật Tân (12346) and Xã Hưng Đạo (12340).  Nhật Tân's
# first machine (the old key) files January and February, which reach the
# province; then it dies.  At the district a new machine's key is enrolled
# for the same unit and the old key is revoked after its last record (seq
# 2).  The new node, on connecting, takes its unit's records under the old
# key back from the district before it signs anything; then February again
# is refused at once with the command that corrects it, `antt correct` of
# the old key's February is taken, and March is filed.  At the province the
# unit's quarter counts once per month, whichever key signed it: January
# of the old key, February as corrected by the new one, March of the new
# one; no conflict, nothing missing, every version in antt history, and
# verify --deep holds at the district and the province.  The old machine,
# started again on its store, signs April: refused at the district (code
# 7, revoked), never counted.  A node may correct only its own unit's
# records: the district, which holds the commune's record, is refused, and
# so is the other commune, which does not hold it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

UNITS_CSV=$(cd "$(dirname "$0")/../.." && pwd)/data/units-vn-2025-03.csv
U=12346 U2=12340
M=bvanttq-monthly

log_step "a tree: province 33 (real units), district 332, communes $U and $U2"
it_port PORT_P
it_port PORT_D
sync_node_init p 33 "$PORT_P" "" ""
P_CONF=$CONF P_KEY=$PUBKEY
sync_node_init d 332 "$PORT_D" "$PORT_P" "$P_KEY" "$P_KEY"
D_CONF=$CONF D_KEY=$PUBKEY
sync_node_init c-old "$U" "" "$PORT_D" "$D_KEY" "$P_KEY"
OLD_CONF=$CONF OLD_KEY=$PUBKEY
sync_node_init c2 "$U2" "" "$PORT_D" "$D_KEY" "$P_KEY"
C2_CONF=$CONF C2_KEY=$PUBKEY
daemon_start "$P_CONF"
P_PID=$DPID
antt_ok "$P_CONF" units import "$UNITS_CSV"
antt_ok "$P_CONF" enroll --unit 332 --key "$D_KEY" --units "$SCOPE_332"
daemon_start "$D_CONF"
D_PID=$DPID
antt_ok "$D_CONF" enroll --unit "$U" --key "$OLD_KEY"
antt_ok "$D_CONF" enroll --unit "$U2" --key "$C2_KEY"
daemon_start "$OLD_CONF"
OLD_PID=$DPID
daemon_start "$C2_CONF"
C2_PID=$DPID

log_step "the old machine of $U files January and February; they reach the province"
antt_ok "$OLD_CONF" submit --json --form $M --period 2024-01 hop_dan=11 hop_dan_nguoi=110
OLD_JAN=$(jq -r .id <<<"$OUT")
assert_eq 1 "$(jq -r .seq <<<"$OUT")" "old key: January's seq"
antt_ok "$OLD_CONF" submit --json --form $M --period 2024-02 hop_dan=12 hop_dan_nguoi=120
OLD_FEB=$(jq -r .id <<<"$OUT")
assert_eq 2 "$(jq -r .seq <<<"$OUT")" "old key: February's seq"
for m in 01 02 03; do
	antt_ok "$C2_CONF" submit --form $M --period "2024-$m" hop_dan=$((100 + 10#$m))
done
wait_held 30 "$P_CONF" "$OLD_KEY" 2 "the old key's records at the province"
wait_held 30 "$P_CONF" "$C2_KEY" 3 "commune $U2's records at the province"
wait_receipts 30 "$OLD_CONF" 2 "the old machine"

log_step "the old machine dies; the district enrolls a new key for $U and revokes the old one after seq 2"
daemon_stop "$OLD_PID"
sync_node_init c-new "$U" "" "$PORT_D" "$D_KEY" "$P_KEY"
NEW_CONF=$CONF NEW_KEY=$PUBKEY
assert_ne "$OLD_KEY" "$NEW_KEY" "the new machine's key"
antt_ok "$D_CONF" enroll --unit "$U" --key "$NEW_KEY" --json
antt_ok "$D_CONF" revoke --key "$OLD_KEY" --after 2 --reason "máy cũ hỏng, thay máy mới" --json
assert_eq 2 "$(jq -r .after <<<"$OUT")" "the revocation's last valid seq"
# the district's own chain: 3 enrollments and the revocation
wait_held 30 "$P_CONF" "$D_KEY" 4 "the district's enrollments and revocation at the province"

log_step "the new node starts: it takes the old key's records back before signing"
daemon_start "$NEW_CONF"
NEW_PID=$DPID
NEW_DIR=$(dirname "$NEW_CONF")
wait_held 30 "$NEW_CONF" "$OLD_KEY" 2 "the old key's records at the new node"
_learned() {
	local out
	out=$("$ANTT" -c "$NEW_CONF" status --json) || return 1
	jq -c '{learning_unit, state: .uplink.state}' <<<"$out"
	[ "$(jq -r '.learning_unit' <<<"$out")" = null ]
}
wait_for 30 "the new node done learning its unit's earlier key" _learned
assert_same_chain "$D_CONF" "$NEW_CONF" "$OLD_KEY" "the old key's chain at the new node and the district"
assert_eq 0 "$(author_held "$NEW_CONF" "$NEW_KEY")" "the new node signed nothing meanwhile"
antt_ok "$NEW_CONF" status
assert_not_contains "$OUT" "learning" "status text once the records are taken"
grep -q "this unit had an earlier key (a replaced machine?): taking its records back" "$NEW_DIR/anttd.log" ||
	fail "the new node's log does not say it is taking its unit's earlier key's records back"
grep -q "records under its earlier key ${OLD_KEY:0:16} taken back, up to seq 2" "$NEW_DIR/anttd.log" ||
	fail "the new node's log does not say it took the old key's records up to seq 2"
grep -q "sync: child $U takes back 2 of its unit's earlier key's records from seq 1" "$(dirname "$D_CONF")/anttd.log" ||
	fail "the district's log does not say it handed down the old key's 2 records"

log_step "at the new node: February again is refused, the old key's February is corrected, March filed"
run "$ANTT" -c "$NEW_CONF" submit --form $M --period 2024-02 hop_dan=22
assert_rc 65 "February again at the new node"
assert_err_has "already reported" "February again"
assert_err_has "antt correct $OLD_FEB" "February again: the command that corrects it"
antt_ok "$NEW_CONF" correct "$OLD_FEB" hop_dan=22 --note "sửa sau khi thay máy" --json
NEW_FEB=$(jq -r .id <<<"$OUT")
assert_eq "$OLD_FEB" "$(jq -r .corrects <<<"$OUT")" "the correction names the old key's February"
assert_eq 1 "$(jq -r .seq <<<"$OUT")" "the new key's first seq"
run "$ANTT" -c "$NEW_CONF" correct "$OLD_FEB" hop_dan=23
assert_rc 65 "a second correction of the old February"
assert_err_has "already corrected by $NEW_FEB" "a second correction of the old February"
antt_ok "$NEW_CONF" submit --json --form $M --period 2024-03 hop_dan=13 hop_dan_nguoi=130
NEW_MAR=$(jq -r .id <<<"$OUT")
assert_eq 2 "$(jq -r .seq <<<"$OUT")" "the new key's second seq"
antt_ok "$NEW_CONF" show "$NEW_FEB" --json
assert_eq "$NEW_KEY $U 22 120" "$(jq -r '"\(.author) \(.unit) \(.values.hop_dan) \(.values.hop_dan_nguoi)"' <<<"$OUT")" \
	"the correction: signed by the new key for $U, the old figures with hop_dan changed"
wait_held 30 "$P_CONF" "$NEW_KEY" 2 "the new key's records at the province"
wait_receipts 30 "$NEW_CONF" 2 "the new node"

log_step "at the province: $U's quarter counts once per month, whichever key signed it"
antt_ok "$P_CONF" report --period 2024-Q1 --unit "$U" --form $M --by period --json
assert_eq '[["2024-01",11,110],["2024-02",22,120],["2024-03",13,130]]' \
	"$(jq -c '[.forms[0].rows[] | [.key, .values.hop_dan, .values.hop_dan_nguoi]]' <<<"$OUT")" \
	"report of $U by month: [month, hop_dan, hop_dan_nguoi]"
assert_eq "46 360" "$(jq -r '.forms[0].totals | "\(.hop_dan) \(.hop_dan_nguoi)"' <<<"$OUT")" \
	"report of $U: the quarter's totals"
assert_eq '[]' "$(jq -c '.forms[0].conflicts' <<<"$OUT")" "report of $U: conflicts"
antt_ok "$P_CONF" report --period 2024-Q1 --unit 332 --form $M --json
assert_eq "[[\"$U2\",1,$((101 + 102 + 103))],[\"$U\",1,46]]" \
	"$(jq -c '[.forms[0].rows[] | [.key, .units, .values.hop_dan]] | sort' <<<"$OUT")" \
	"report of 332 by commune: [unit, units reported, hop_dan]"
assert_eq $((46 + 306)) "$(jq -r '.forms[0].totals.hop_dan' <<<"$OUT")" "report of 332: hop_dan"
assert_eq '[]' "$(jq -c '.forms[0].conflicts' <<<"$OUT")" "report of 332: conflicts"
assert_eq 0 "$(jq -r '.forms[0].unlisted' <<<"$OUT")" "report of 332: unlisted units"

antt_ok "$P_CONF" missing --period 2024-Q1 --unit 332 --form $M --json
assert_eq '[]' "$(jq -c --arg u "$U" '[.forms[0].missing[] | select(.unit == $u)]' <<<"$OUT")" \
	"missing 2024-Q1: $U not listed"
assert_eq '[]' "$(jq -c --arg u "$U2" '[.forms[0].missing[] | select(.unit == $u)]' <<<"$OUT")" \
	"missing 2024-Q1: $U2 not listed"
antt_ok "$P_CONF" missing --period 2024-Q1 --unit "$U" --form $M --json
assert_eq "3 3 []" "$(jq -r '.forms[0] | "\(.expected) \(.reported) \(.missing | tojson)"' <<<"$OUT")" \
	"missing 2024-Q1 for $U: expected, reported, missing"

antt_ok "$P_CONF" history --unit "$U" --period 2024-02 --form $M --json
assert_eq "$OLD_FEB $OLD_KEY 12 superseded $NEW_FEB|$NEW_FEB $NEW_KEY 22 counts null" \
	"$(jq -r '[.versions[] | "\(.id) \(.author) \(.values.hop_dan) \(.state) \(.corrected_by)"] | join("|")' <<<"$OUT")" \
	"history of $U 2024-02: [id author hop_dan state corrected_by]"
assert_eq "$OLD_FEB" "$(jq -r '.versions[1].corrects' <<<"$OUT")" "history: the new version corrects the old"
assert_eq "$U $U" "$(jq -r '[.versions[].signer_unit] | join(" ")' <<<"$OUT")" "history: both signers enrolled for $U"
antt_ok "$P_CONF" history --unit "$U" --period 2024-01 --form $M --json
assert_eq "$OLD_JAN $OLD_KEY counts" "$(jq -r '[.versions[] | "\(.id) \(.author) \(.state)"] | join("|")' <<<"$OUT")" \
	"history of $U 2024-01"
antt_ok "$P_CONF" history --unit "$U" --period 2024-03 --form $M --json
assert_eq "$NEW_MAR $NEW_KEY counts" "$(jq -r '[.versions[] | "\(.id) \(.author) \(.state)"] | join("|")' <<<"$OUT")" \
	"history of $U 2024-03"

assert_eq 2 "$(author_held "$P_CONF" "$OLD_KEY")" "province: records of the old key"
assert_eq 2 "$(author_held "$P_CONF" "$NEW_KEY")" "province: records of the new key"
assert_same_chain "$NEW_CONF" "$P_CONF" "$NEW_KEY" "the new key's chain at the province"
assert_same_chain "$D_CONF" "$P_CONF" "$OLD_KEY" "the old key's chain at the province"
assert_no_duplicates "$P_CONF" "province"
for conf in "$P_CONF" "$D_CONF"; do
	antt_ok "$conf" verify --deep --json
	assert_eq "true []" "$(jq -c -r '"\(.valid) \(.problems)"' <<<"$OUT")" \
		"verify --deep at $(basename "$(dirname "$conf")")"
done
antt_ok "$NEW_CONF" verify --json
assert_eq true "$(jq -r .valid <<<"$OUT")" "verify at the new node"
# what it took back is the parent's already: never sent up again
if grep -q "child $U: refused" "$(dirname "$D_CONF")/anttd.log"; then
	fail "the district refused something of the new node: $(grep "child $U: refused" "$(dirname "$D_CONF")/anttd.log" | head -n 2)"
fi
assert_eq 0 "$(uplink_field "$NEW_CONF" .refused)" "the new node: records refused by the district"

log_step "the old machine comes back on its store and signs April: refused at the district, never counted"
daemon_start "$OLD_CONF"
OLD_PID=$DPID
_old_connected() { case $(uplink_field "$OLD_CONF" .state) in ready | sending) ;; *) return 1 ;; esac; }
wait_for 30 "the old machine connected to the district" _old_connected
# a revoked key is handed nothing of its unit's other keys (a stolen machine
# learns nothing filed after the theft)
_old_may_sign() {
	local out
	out=$("$ANTT" -c "$OLD_CONF" status --json) || return 1
	jq -c '{learning_unit, state: .uplink.state}' <<<"$out"
	[ "$(jq -r '.learning_unit' <<<"$out")" = null ]
}
wait_for 30 "the old machine signing again" _old_may_sign
antt_ok "$OLD_CONF" submit --json --form $M --period 2024-04 hop_dan=999
assert_eq 3 "$(jq -r .seq <<<"$OUT")" "the old key's April: seq"
OLD_APR=$(jq -r .id <<<"$OUT")
_old_refused() {
	local out
	out=$("$ANTT" -c "$OLD_CONF" status --json) || return 1
	jq -c '.uplink | {refused, last_refusal}' <<<"$out"
	[ "$(jq -r '.uplink.refused' <<<"$out")" -ge 1 ]
}
wait_for 30 "the district refusing the old key's April" _old_refused
antt_ok "$OLD_CONF" status --json
assert_contains "$(jq -r .uplink.last_refusal <<<"$OUT")" "revoked: this key's records after seq 2" \
	"the old machine's last refusal"
assert_eq "7" "$(store_sql "$OLD_CONF" "SELECT group_concat(code) FROM refusals WHERE author = x'$OLD_KEY' AND seq = 3")" \
	"the old machine's refusals of April: code (revoked)"
assert_eq 2 "$(author_held "$D_CONF" "$OLD_KEY")" "district: the old key's records"
assert_eq 0 "$(author_held "$OLD_CONF" "$NEW_KEY")" "the revoked machine holds nothing of the new key"
assert_eq 0 "$(store_sql "$D_CONF" "SELECT count(*) FROM records WHERE id = x'$OLD_APR'")" \
	"district: the old key's April not stored"
assert_eq 2 "$(author_held "$P_CONF" "$OLD_KEY")" "province: the old key's records after April"
antt_ok "$P_CONF" report --period 2024-04 --unit "$U" --form $M --json
assert_eq "0 null" "$(jq -r '.forms[0] | "\(.units) \(.totals.hop_dan)"' <<<"$OUT")" \
	"province: nothing of $U counts in April"
antt_ok "$P_CONF" history --unit "$U" --period 2024-04 --form $M --json
assert_eq 0 "$(jq '.versions | length' <<<"$OUT")" "province: no version of $U's April"
antt_ok "$P_CONF" report --period 2024-Q1 --unit "$U" --form $M --json
assert_eq 46 "$(jq -r '.forms[0].totals.hop_dan' <<<"$OUT")" "province: $U's quarter unchanged"

log_step "only a node of the record's unit may correct it"
run "$ANTT" -c "$D_CONF" correct "$OLD_JAN" hop_dan=77
assert_rc 65 "the district correcting its commune's January"
assert_err_has "only a node of unit $U can correct it" "the district correcting its commune's January"
run "$ANTT" -c "$D_CONF" correct "$NEW_MAR" hop_dan=77
assert_rc 65 "the district correcting the new key's March"
assert_err_has "only a node of unit $U can correct it" "the district correcting the new key's March"
assert_eq 4 "$(author_held "$D_CONF" "$D_KEY")" "district: nothing signed by the refused corrections"
run "$ANTT" -c "$C2_CONF" correct "$OLD_JAN" hop_dan=77
assert_rc 65 "commune $U2 correcting $U's January, which it does not hold"
assert_err_has "no record $OLD_JAN in this store" "commune $U2 correcting $U's January"
assert_eq 3 "$(author_held "$C2_CONF" "$C2_KEY")" "commune $U2: nothing signed"

log_step "every daemon stops cleanly"
for pid in "$OLD_PID" "$NEW_PID" "$C2_PID" "$D_PID" "$P_PID"; do
	daemon_stop "$pid"
done
assert_no_sanitizer_reports
