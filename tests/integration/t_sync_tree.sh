#!/usr/bin/env bash
# t_sync_tree: three communes -> one district -> the province.  What each
# commune records (monthly reports, event entries, a correction, and 2,000
# reports from a file at one of them) reaches the province by itself:
# every record exactly once, in each author's order, verifying; and every
# commune learns how far up its records are stored (receipts).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

BULK=${ANTT_IT_BULK:-2000}

log_step "a tree: province 33, district 332, communes 12341..12343"
sync_tree 3
assert_eq 3 "$(record_count "$D_CONF")" "district: its enrollments of the communes"

log_step "each commune records monthly reports, events and a correction"
for i in 1 2 3; do
	conf=${C_CONF[$i]}
	for m in 01 02 03; do
		antt_ok "$conf" submit --form bvanttq-monthly --period "2024-$m" \
			hop_dan=$((i + 10#$m)) hop_dan_nguoi=$((100 * i + 10#$m)) --note "xã $i tháng $m"
	done
	for ((e = 1; e <= i * 3; e++)); do
		antt_ok "$conf" submit --form bvanttq-event --period "2024-03-1$e" tin_bao="$e" to_giac=1
	done
	antt_ok "$conf" submit --json --form bvanttq-monthly --period 2024-04 hop_dan=4 camera_an_ninh=2
	antt_ok "$conf" correct "$(jq -r .id <<<"$OUT")" hop_dan=5 --note "sửa số liệu"
done
antt_ok "${C_CONF[3]}" log --json --form bvanttq-monthly --period 2024-04
C3_ORIG=$(jq -r '.[0].id' <<<"$OUT")
C3_CORR=$(jq -r '.[1].id' <<<"$OUT")
assert_eq "$C3_ORIG" "$(jq -r '.[1].corrects' <<<"$OUT")" "c3: the correction names the report"

log_step "and $BULK reports from a file at commune 1, while the others go on"
gen_events "$IT_TMP/bulk.jsonl" "$BULK" 2024-05-20 "nhập hàng loạt"
antt_ok "${C_CONF[1]}" submit --file "$IT_TMP/bulk.jsonl" --json
assert_eq "$BULK" "$(jq '.records | length' <<<"$OUT")" "bulk submit: records stored"
for i in 2 3; do
	antt_ok "${C_CONF[$i]}" submit --form bvanttq-event --period 2024-05-21 tin_bao=$((i * 7))
done

N=("")
for i in 1 2 3; do
	N+=("$(own_seq "${C_CONF[$i]}")")
done
assert_eq "$((3 + 3 + 2 + BULK)) $((3 + 6 + 2 + 1)) $((3 + 9 + 2 + 1))" "${N[*]:1}" "each commune's own records"

log_step "everything reaches the province"
for i in 1 2 3; do
	wait_held 60 "$P_CONF" "${C_KEY[$i]}" "${N[$i]}" "commune $i"
done
wait_held 30 "$P_CONF" "$D_KEY" 3 "the district's enrollments"
TOTAL=$((1 + 3 + N[1] + N[2] + N[3]))
assert_count "$P_CONF" "$TOTAL" "province: its own, the district's and every commune's records"
assert_count "$D_CONF" "$((TOTAL - 1))" "district: its own and every commune's records"
for i in 1 2 3; do
	assert_eq "${N[$i]}" "$(author_count "$P_CONF" "${C_KEY[$i]}")" "province: antt log --author commune $i"
	assert_eq "${N[$i]}" "$(author_count "$D_CONF" "${C_KEY[$i]}")" "district: antt log --author commune $i"
	assert_same_chain "${C_CONF[$i]}" "$P_CONF" "${C_KEY[$i]}" "commune $i at the province"
done
assert_same_chain "$D_CONF" "$P_CONF" "$D_KEY" "the district's own chain at the province"

log_step "no record twice, and the province's and district's stores verify"
assert_no_duplicates "$P_CONF" "province"
assert_no_duplicates "$D_CONF" "district"
assert_verify "$P_CONF" "province"
assert_verify "$D_CONF" "district"

log_step "a correction arrives as a correction"
antt_ok "$P_CONF" show "$C3_ORIG" --json
assert_eq "$C3_CORR" "$(jq -r .corrected_by <<<"$OUT")" "province: c3's April report is corrected by c3's correction"
antt_ok "$P_CONF" show "$C3_CORR" --json
assert_eq 5 "$(jq -r .values.hop_dan <<<"$OUT")" "province: the corrected figure"
assert_eq 12343 "$(jq -r .unit <<<"$OUT")" "province: the correction's unit"

log_step "enrollments travel up too"
antt_ok "$P_CONF" log --json --author "$D_KEY" --form antt.enroll
assert_eq "12341 12342 12343" "$(jq -r '[.[].enroll.unit] | sort | join(" ")' <<<"$OUT")" \
	"province: the district's enrollment records"
assert_eq "${C_KEY[1]}" "$(jq -r '[.[] | select(.enroll.unit == "12341")][0].enroll.key' <<<"$OUT")" \
	"province: commune 1's enrolled key"

log_step "trust: every node below the province holds its chain of enrollments to the root"
antt_ok "$D_CONF" status --json
assert_eq true "$(jq -r .uplink.trust.verified <<<"$OUT")" "district: enrolled by the root"
assert_contains "$(jq -r .uplink.trust.state <<<"$OUT")" "chain to the root (332)" "district: its chain"
for i in 1 2 3; do
	antt_ok "${C_CONF[$i]}" status --json
	assert_eq true "$(jq -r .uplink.trust.verified <<<"$OUT")" "commune $i: enrolled by a chain to the root"
	assert_contains "$(jq -r .uplink.trust.state <<<"$OUT")" "(1234$i <- 332)" "commune $i: its chain"
done
antt_ok "${C_CONF[1]}" status
assert_contains "$OUT" "trust       enrolled by a chain to the root" "commune 1: status text"

log_step "receipts: every commune knows its records are at the district and the province"
for i in 1 2 3; do
	wait_receipts 30 "${C_CONF[$i]}" "${N[$i]}" "commune $i"
	antt_ok "${C_CONF[$i]}" status
	assert_contains "$OUT" "received by parent: seq ${N[$i]} / ${N[$i]}" "commune $i: status text"
	assert_contains "$OUT" "received by parent's parent: seq ${N[$i]} / ${N[$i]}" "commune $i: status text"
	antt_ok "${C_CONF[$i]}" status --json
	assert_eq ready "$(jq -r .uplink.state <<<"$OUT")" "commune $i: link state"
	assert_eq 0 "$(jq -r .uplink.refused <<<"$OUT")" "commune $i: records refused"
	# sent counts a batch again when it was resent after a lost link
	(($(jq -r .uplink.sent <<<"$OUT") >= N[i])) || fail "commune $i: uplink.sent below ${N[$i]}"
	assert_match "$(jq -r .uplink.last_ok <<<"$OUT")" '^[0-9]+$' "commune $i: last_ok"
done
antt_ok "$D_CONF" status --json
assert_eq '[[1,3,3]]' "$(jq -c '[.uplink.levels[] | [.level, .seq, .of]]' <<<"$OUT")" \
	"district: its own records received by the province"
assert_eq ready "$(jq -r .uplink.state <<<"$OUT")" "district: link state"
assert_eq 3 "$(jq -r .hub.connected <<<"$OUT")" "district: children connected"
(($(jq -r .uplink.sent <<<"$OUT") >= TOTAL - 1)) || fail "district: uplink.sent below $((TOTAL - 1))"
antt_ok "$P_CONF" status --json
assert_eq 1 "$(jq -r .hub.connected <<<"$OUT")" "province: children connected"
assert_eq null "$(jq -r .uplink <<<"$OUT")" "province: no parent"

log_step "antt children at the district and the province"
antt_ok "$D_CONF" children --json
assert_eq "[[\"12341\",${N[1]},${N[1]},true],[\"12342\",${N[2]},${N[2]},true],[\"12343\",${N[3]},${N[3]},true]]" \
	"$(jq -c '[.[] | [.unit, .records, .head, .connected]]' <<<"$OUT")" "district: children (unit, records, head, connected)"
assert_eq "${C_KEY[1]} ${C_KEY[2]} ${C_KEY[3]}" "$(jq -r '[.[].key] | join(" ")' <<<"$OUT")" "district: children keys"
antt_ok "$P_CONF" children --json
assert_eq "[[\"332\",\"$D_KEY\",3,true]]" "$(jq -c '[.[] | [.unit, .key, .records, .connected]]' <<<"$OUT")" \
	"province: children"

log_step "a record submitted now flows at once, receipts follow"
antt_ok "${C_CONF[2]}" submit --form bvanttq-event --period 2024-05-22 tin_bao=1
N[2]=$((N[2] + 1))
wait_held 30 "$P_CONF" "${C_KEY[2]}" "${N[2]}" "commune 2's late record"
wait_receipts 30 "${C_CONF[2]}" "${N[2]}" "commune 2 after its late record"

log_step "a commune told another root sees that its chain does not end there"
sync_node_init c4 12344 "" "$PORT_D" "$D_KEY" "$D_KEY" # the district's key as root: wrong
C4_CONF=$CONF
antt_ok "$D_CONF" enroll --unit 12344 --key "$PUBKEY"
daemon_start "$C4_CONF"
C4_PID=$DPID
_c4_heard() { [ "$("$ANTT" -c "$C4_CONF" status --json | jq -r .uplink.trust.state)" != "not yet heard from the parent" ]; }
wait_for 30 "commune 4 hears from the district" _c4_heard
antt_ok "$C4_CONF" status --json
assert_eq false "$(jq -r .uplink.trust.verified <<<"$OUT")" "commune 4: not verified"
assert_contains "$(jq -r .uplink.trust.state <<<"$OUT")" "NOT from the root" "commune 4: why"
run "$ANTT" -c "$C4_CONF" verify --deep --json
assert_rc 65 "commune 4: verify --deep without a chain to the root"
assert_contains "$(jq -r '.problems[].problem' <<<"$OUT")" "no chain of enrollments from itself to the root" \
	"commune 4: verify --deep names the missing chain"
daemon_stop "$C4_PID"

log_step "verify --deep below the province: each node's own chain reaches the root"
for conf in "$D_CONF" "${C_CONF[1]}"; do
	antt_ok "$conf" verify --deep --json
	assert_eq true "$(jq -r .valid <<<"$OUT")" "verify --deep at $(dirname "$conf")"
done
# the district's kept chain swapped for commune 1's (a chain, but not its own)
D_DB="$(dirname "$D_CONF")/store.db" C1_DB="$(dirname "${C_CONF[1]}")/store.db"
sqlite3 -cmd ".timeout 5000" "$D_DB" "ATTACH '$C1_DB' AS c1; UPDATE meta SET value = \
	(SELECT value FROM c1.meta WHERE key = 'credentials') WHERE key = 'credentials'"
run "$ANTT" -c "$D_CONF" verify --deep --json
assert_rc 65 "district: verify --deep with a chain that is not its own"
assert_contains "$(jq -r '.problems[].problem' <<<"$OUT")" "chain of enrollments to the root: enrollment 1" \
	"district: verify --deep names the broken link"

log_step "a tree starting up: a commune under a district not yet enrolled above is told \"not yet\", then trusted"
it_port PORT_D2
sync_node_init d2 333 "$PORT_D2" "$PORT_P" "$P_KEY" "$P_KEY"
D2_CONF=$CONF D2_KEY=$PUBKEY
sync_node_init c5 12351 "" "$PORT_D2" "$D2_KEY" "$P_KEY"
C5_CONF=$CONF
C5_KEY=$PUBKEY
daemon_start "$D2_CONF" # the province refuses it: not enrolled there yet
D2_PID=$DPID
antt_ok "$D2_CONF" enroll --unit 12351 --key "$C5_KEY"
daemon_start "$C5_CONF"
C5_PID=$DPID
_c5_state() { "$ANTT" -c "$C5_CONF" status --json | jq -r .uplink.trust.state; }
_c5_told() { [[ $(_c5_state) == "not yet from the root"* ]]; }
wait_for 30 "commune 5 hears from its district" _c5_told
assert_contains "$(_c5_state)" "(12351)" "commune 5: the chain so far"
C5_LOG="$(dirname "$C5_CONF")/anttd.log"
assert_contains "$(cat "$C5_LOG")" "anttd: info: uplink: credentials: not yet from the root" \
	"commune 5: \"not yet\" logged at info"
assert_not_contains "$(cat "$C5_LOG")" "warning: uplink: credentials" "commune 5: no warning for \"not yet\""
antt_ok "$P_CONF" enroll --unit 333 --key "$D2_KEY" --units 12351
_c5_trusted() { [ "$("$ANTT" -c "$C5_CONF" status --json | jq -r .uplink.trust.verified)" = true ]; }
# the district retries the province after up to 16 s of backoff, the
# commune asks again 10, 30, 70 s after its first answer
wait_for 90 "commune 5 trusted once its district is enrolled" _c5_trusted
assert_contains "$(_c5_state)" "(12351 <- 333)" "commune 5: its chain to the root"
assert_contains "$(cat "$C5_LOG")" "anttd: info: uplink: credentials: now enrolled by a chain to the root" \
	"commune 5: the change logged"
daemon_stop "$C5_PID"
daemon_stop "$D2_PID"

log_step "clean stops"
for i in 1 2 3; do
	daemon_stop "${C_PID[$i]}"
done
daemon_stop "$D_PID"
daemon_stop "$P_PID"
assert_no_sanitizer_reports
