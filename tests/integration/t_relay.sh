#!/usr/bin/env bash
# t_relay: a relay hub between the province and its communes, after 2025.
#
# The sync tree need not be the administrative tree: Tỉnh Hưng Yên (33)
# puts a regional server, R1 (a name, no unit of any list), between itself
# and some of its communes, with a scope: the communes it may enroll
# (--units) and every unit below the province (--below).  The relay
# enrolls Xã Hoàng Hoa Thám (12337) and Xã Tiên Hoa (12361), which is in
# its scope, and is refused a commune of Hà Nội (00004), outside it; the
# communes' reports reach the province through it,
# each signed by its commune (history names the signer); the relay files
# no report of its own: refused at the relay itself, and one its key signs
# anyway (report_gen plays it) is kept at the province and never counted
# (not refused: the relay's chain stays whole); `antt children` names it a
# relay; the province's `verify --deep` holds, then names those two; an
# enrollment named as a relay but sent without a scope is refused with
# what to do.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${REPORT_GEN:?set REPORT_GEN to the report_gen binary (built with the tests)}"

FORM=bvanttq-monthly
it_port PORT_P
it_port PORT_R
sync_node_init p 33 "$PORT_P" "" ""
P_CONF=$CONF P_KEY=$PUBKEY
sync_node_init r R1 "$PORT_R" "$PORT_P" "$P_KEY" "$P_KEY"
R_CONF=$CONF R_KEY=$PUBKEY R_NODE=$NODE
sync_node_init c12337 12337 "" "$PORT_R" "$R_KEY" "$P_KEY"
C1_CONF=$CONF C1_KEY=$PUBKEY
sync_node_init c12361 12361 "" "$PORT_R" "$R_KEY" "$P_KEY"
C2_CONF=$CONF C2_KEY=$PUBKEY

daemon_start "$P_CONF"
P_PID=$DPID
antt_ok "$P_CONF" units import

log_step "the province enrolls the relay R1 with its scope"
run "$ANTT" -c "$P_CONF" enroll --unit R1 --key "$R_KEY" --relay
assert_rc 64 "a relay without a scope"
assert_err_has "is enrolled with the units it may enroll, --units" "a relay without a scope: what to do"
antt_ok "$P_CONF" enroll --unit R1 --key "$R_KEY" --relay --below 33 --json
assert_eq "relay" "$(jq -r .grant <<<"$OUT")" "the enrollment's grant"
antt_ok "$P_CONF" children --json
assert_eq "R1|relay" "$(jq -r '.[] | select(.unit == "R1") | "\(.unit)|\(.grant)"' <<<"$OUT")" \
	"antt children names R1 a relay"

daemon_start "$R_CONF"
R_PID=$DPID
antt_ok "$R_CONF" units import
# the relay knows its grant once the province has handed it its credentials
relay_trusted() { [ "$(uplink_field "$R_CONF" .trust.verified)" = true ]; }
wait_for 30 "the relay's credentials" relay_trusted

log_step "the relay enrolls communes in its scope, not outside it"
antt_ok "$R_CONF" enroll --unit 12337 --key "$C1_KEY"
antt_ok "$R_CONF" enroll --unit 12361 --key "$C2_KEY"
run "$ANTT" -c "$R_CONF" enroll --unit 00004 --key "$("$REPORT_GEN" keygen "$IT_TMP/x.key")"
assert_rc 65 "the relay enrolls a commune of Hà Nội"
assert_err_has "outside the scope" "the relay enrolls a commune of Hà Nội: why"

log_step "the communes' reports reach the province through the relay"
daemon_start "$C1_CONF"
C1_PID=$DPID
daemon_start "$C2_CONF"
C2_PID=$DPID
antt_ok "$C1_CONF" submit --form "$FORM" --period 2025-08 hop_dan=11
antt_ok "$C2_CONF" submit --form "$FORM" --period 2025-08 hop_dan=4
wait_held 30 "$P_CONF" "$C1_KEY" 1 "12337's report at the province"
wait_held 30 "$P_CONF" "$C2_KEY" 1 "12361's report at the province"
antt_ok "$P_CONF" report --period 2025-08 --form "$FORM" --json
assert_eq "15|2" "$(jq -r '.forms[0] | "\(.totals.hop_dan)|\(.units)"' <<<"$OUT")" \
	"the province's total for 2025-08, two communes"
antt_ok "$P_CONF" history --unit 12337 --period 2025-08 --json
assert_eq "$C1_KEY|12337|counts" "$(jq -r '.versions[0] | "\(.author)|\(.signer_unit)|\(.state)"' <<<"$OUT")" \
	"12337's report at the province: signed by its commune, counted"

log_step "the relay files no report of its own"
run "$ANTT" -c "$R_CONF" submit --form "$FORM" --period 2025-08 hop_dan=99
assert_rc 65 "a report at the relay"
assert_err_has "files no reports of its own" "a report at the relay: why"
log_step "the province's verify --deep holds"
assert_verify "$P_CONF" --deep

log_step "a report the relay's key signs anyway is kept at the province, never counted"
# (a relay that signed one before it knew it was one: refusing it would
# leave a hole in the relay's chain, and its next enrollments could never
# arrive); report_gen plays the relay's key
daemon_stop "$R_PID"
cp "$R_NODE/node.key" "$IT_TMP/relay.key"
# relay_sends UNIT WHAT: report_gen, with the relay's key, sends the
# province a report of UNIT for 2025-09; the province keeps it, uncounted
relay_sends() {
	printf '%s\n' "{\"form\":\"$FORM\",\"unit\":\"$1\",\"period\":\"2025-09\",\"values\":{\"hop_dan\":99},\"clock_offset\":0}" \
		>"$IT_TMP/relay-spec.jsonl"
	run "$REPORT_GEN" send --hub "tcp://127.0.0.1:$PORT_P" --hub-key "$P_KEY" --key "$IT_TMP/relay.key" \
		--unit R1 --spec "$IT_TMP/relay-spec.jsonl" --timeout "$(slow 10000)"
	assert_rc 0 "$2 sent to the province: acknowledged"
}
relay_sends R1 "the relay's own report"
relay_sends 12337 "the relay's report for a commune of its scope"
assert_eq 2 "$(store_sql "$P_CONF" "SELECT count(*) FROM records r JOIN not_permitted p ON p.n = r.n WHERE r.author = x'$R_KEY' AND r.form NOT LIKE 'antt.%'")" \
	"the province keeps both, as not permitted"
antt_ok "$P_CONF" report --period 2025-09 --form "$FORM" --json
assert_eq "null|0" "$(jq -r '.forms[0] | "\(.totals.hop_dan)|\(.unlisted)"' <<<"$OUT")" \
	"nothing of the relay's counts, nothing unplaced"
antt_ok "$P_CONF" history --unit 12337 --period 2025-09 --json
assert_eq "not_permitted" "$(jq -r '.versions[0].state' <<<"$OUT")" "history: the relay's report for 12337 does not count"
assert_contains "$(jq -r '.versions[0].why' <<<"$OUT")" "a relay's key (R1) files no reports of its own" \
	"history: why"
run "$ANTT" -c "$P_CONF" verify --deep --json
assert_rc 65 "verify --deep names them"
assert_eq 2 "$(jq '[.problems[] | select(.problem | contains("files no reports of its own"))] | length' <<<"$OUT")" \
	"verify --deep: the relay's two reports, with why"

daemon_stop "$C1_PID"
daemon_stop "$C2_PID"
daemon_stop "$P_PID"
assert_no_sanitizer_reports
