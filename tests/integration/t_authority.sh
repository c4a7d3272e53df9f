#!/usr/bin/env bash
# t_authority: authority is explicit, never inferred from a unit list (here
# none is loaded anywhere, as in the README's "Building a tree").  The
# province 33 enrolls the district 332 as a hub for a list of units, and a
# second district 333 as a hub for 12351 only; both districts and the
# district's commune 12346 (a station key) are played by report_gen and
# lie as an attacker would:
#   - the commune enrolls a sibling (12337) and the province's own unit
#     (33), revokes a key, and files through the key it tried to enroll:
#     refused at the district (code 6, then 3), nothing reaches the province;
#   - the second district enrolls outside its scope, a hub wider than
#     itself, a subtree it cannot be shown to hold, a grant-less (legacy)
#     enrollment: refused at the province; what it may do passes, and the
#     station it enrolled may enroll nothing;
#   - a batch [A with a garbage signature, B validly signed on A] is taken
#     (one signature per run), then the audit quarantines the commune's
#     chain from A: never counted, not forwarded from then on (what went up
#     before the audit is quarantined by the province's own), later
#     records refused (code 9); verify calls it the author's misconduct
#     and still passes, at both hubs.
# Honest records flow all along, and verify --deep passes at both hubs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

: "${REPORT_GEN:?set REPORT_GEN to the report_gen binary}"

log_step "a province (33) and a district (332, a hub for its communes); no unit list anywhere"
it_port PORT_P
it_port PORT_D
sync_node_init p 33 "$PORT_P" "" ""
P_CONF=$CONF P_KEY=$PUBKEY
sync_node_init d 332 "$PORT_D" "$PORT_P" "$P_KEY" "$P_KEY"
D_CONF=$CONF D_KEY=$PUBKEY
daemon_start "$P_CONF"
P_PID=$DPID
run "$ANTT" -c "$P_CONF" enroll --unit 332 --key "$D_KEY" --below 332
assert_rc 65 "a hub over the units below 332, with no unit list to show them"
assert_err_has "administrative units loaded" "--below without units: says why"
antt_ok "$P_CONF" enroll --unit 332 --key "$D_KEY" --units "$SCOPE_332" --json
assert_eq hub "$(jq -r .grant <<<"$OUT")" "the district's grant"
daemon_start "$D_CONF"
D_PID=$DPID
D_LOG=$(dirname "$D_CONF")/anttd.log

C_KEYF=$IT_TMP/c12346.key S_KEYF=$IT_TMP/sibling.key T_KEYF=$IT_TMP/t33.key
C_KEY=$("$REPORT_GEN" keygen "$C_KEYF")
S_KEY=$("$REPORT_GEN" keygen "$S_KEYF")
T_KEY=$("$REPORT_GEN" keygen "$T_KEYF")
antt_ok "$D_CONF" enroll --unit 12346 --key "$C_KEY" --json
assert_eq station "$(jq -r .grant <<<"$OUT")" "the commune's grant"

# as HUB_PORT HUB_KEY CONNECT_KEYFILE SIGN_KEYFILE UNIT SPEC...: report_gen
# connects as CONNECT, signs each spec line with SIGN, one batch
# (options for report_gen after a "--": --stamp-key FILE --stamp-at UNIX)
as() {
	local port=$1 hkey=$2 key=$3 sign=$4 unit=$5 opts=()
	shift 5
	: >"$IT_TMP/spec.jsonl"
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		printf '%s\n' "$1" >>"$IT_TMP/spec.jsonl"
		shift
	done
	[ $# -gt 0 ] && shift && opts=("$@")
	run "$REPORT_GEN" send --hub "tcp://127.0.0.1:$port" --hub-key "$hkey" --key "$key" \
		--sign-key "$sign" --unit "$unit" --spec "$IT_TMP/spec.jsonl" --timeout "$(slow 10000)" \
		"${opts[@]}"
}
commune() { as "$PORT_D" "$D_KEY" "$C_KEYF" "$@"; }
month() { echo "{\"form\":\"bvanttq-monthly\",\"period\":\"$3\",\"values\":{\"hop_dan\":$1},\"unit\":\"$2\"}"; }
refusal() { jq -r ".refused[$1] | \"\(.code) \(.reason)\"" <<<"$OUT"; }

log_step "honest: the commune files May"
commune "$C_KEYF" 12346 "$(month 7 12346 2024-05)"
assert_rc 0 "the commune's report"
assert_eq 1 "$(jq -r .head_after <<<"$OUT")" "the commune's head at the district"

log_step "the commune (a station) enrolls its sibling 12337 and the province's unit 33: refused"
commune "$C_KEYF" 12346 "{\"enroll\":{\"unit\":\"12337\",\"key\":\"$S_KEY\"}}"
assert_rc 1 "a station enrolls a sibling"
assert_match "$(refusal 0)" "^6 its key is a station's \(unit 12346\): it may enroll no key" \
	"a station enrolls a sibling: code and reason"
commune "$C_KEYF" 12346 "{\"enroll\":{\"unit\":\"33\",\"key\":\"$T_KEY\",\"grant\":2,\"units\":[\"12337\"]}}"
assert_rc 1 "a station enrolls the province's unit as a hub"
assert_match "$(refusal 0)" "^6 its key is a station's" "a station enrolls unit 33: code and reason"
commune "$C_KEYF" 12346 "{\"enroll\":{\"unit\":\"12337\",\"key\":\"$S_KEY\",\"grant\":0}}"
assert_rc 1 "a station's enrollment without a grant"
assert_match "$(refusal 0)" "^6 its key is a station's" "a legacy enrollment by a station"
commune "$C_KEYF" 12346 "{\"revoke\":{\"key\":\"$C_KEY\",\"after\":0}}"
assert_rc 1 "a station revokes"
assert_match "$(refusal 0)" "^6 its key is a station's \(unit 12346\): it may revoke no key" \
	"a station revokes: code and reason"
assert_eq 1 "$(jq -r .head_after <<<"$OUT")" "nothing of it stored at the district"

log_step "the key it tried to enroll files 999 for 12337: unknown author (3)"
commune "$S_KEYF" 12346 "$(month 999 12337 2024-05)"
assert_rc 1 "the sibling key's report"
assert_eq 3 "$(jq -r '.refused[0].code' <<<"$OUT")" "the sibling key: unknown author"
assert_eq 0 "$(author_held "$D_CONF" "$S_KEY")" "the district holds nothing of the sibling key"

log_step "[A with a garbage signature, B validly signed on A but of another unit]: both refused"
# B cannot vouch for A when B itself is refused: nothing unvouched is stored
commune "$C_KEYF" 12346 \
	"{\"form\":\"bvanttq-event\",\"period\":\"2024-05-20\",\"values\":{\"tin_bao\":1},\"bad_sig\":true}" \
	"$(month 5 12337 2024-04)"
assert_rc 1 "a garbage signature covered by a refused record"
assert_eq "2 4" "$(jq -r '[.refused[].code] | join(" ")' <<<"$OUT")" \
	"A: bad signature (2); B, refused by a rule, vouches for nothing: then a gap (4)"
assert_eq 1 "$(jq -r .head_after <<<"$OUT")" "nothing of it stored"
antt_ok "$D_CONF" verify --json
assert_eq true "$(jq -r .valid <<<"$OUT")" "district: verify still passes"

log_step "a second district (333), a hub for 12351 only, played by report_gen at the province"
D2_KEYF=$IT_TMP/d333.key E_KEYF=$IT_TMP/c12351.key W_KEYF=$IT_TMP/wide.key
D2_KEY=$("$REPORT_GEN" keygen "$D2_KEYF")
E_KEY=$("$REPORT_GEN" keygen "$E_KEYF")
W_KEY=$("$REPORT_GEN" keygen "$W_KEYF")
antt_ok "$P_CONF" enroll --unit 333 --key "$D2_KEY" --hub --units 12351,12391
district2() { as "$PORT_P" "$P_KEY" "$D2_KEYF" "$D2_KEYF" 333 "$@"; }
district2 "{\"enroll\":{\"unit\":\"12346\",\"key\":\"$W_KEY\"}}"
assert_rc 1 "outside its scope"
assert_match "$(refusal 0)" "^6 enrolls unit 12346, outside the scope of its author's key \(unit 333\)" \
	"outside its scope: code and reason"
district2 "{\"enroll\":{\"unit\":\"12351\",\"key\":\"$W_KEY\",\"grant\":2,\"units\":[\"12351\",\"12352\"]}}"
assert_rc 1 "a hub wider than itself"
assert_match "$(refusal 0)" "^6 enrolls unit 12352, outside" "a wider hub: code and reason"
district2 "{\"enroll\":{\"unit\":\"12351\",\"key\":\"$W_KEY\",\"grant\":2,\"below\":[\"12351\"]}}"
assert_rc 1 "a hub over a subtree it does not hold"
assert_match "$(refusal 0)" "^6 enrolls unit 12351, outside" "a subtree hub: code and reason"
district2 "{\"enroll\":{\"unit\":\"12351\",\"key\":\"$W_KEY\",\"grant\":0}}"
assert_rc 1 "an enrollment without a grant"
assert_match "$(refusal 0)" "^6 an enrollment without a grant is accepted only from the root" \
	"a legacy enrollment by a new hub: code and reason"
district2 "{\"enroll\":{\"unit\":\"12351\",\"key\":\"$D_KEY\"}}"
assert_rc 1 "a key another hub enrolled (the first district's)"
assert_match "$(refusal 0)" "^6 enrolls a key already enrolled by ${P_KEY:0:16}" "a squatted key: code and reason"
# the first district's key with its sign bit flipped: another Ed25519 key, the same transport key
TWIN=${D_KEY:0:62}$(printf '%02x' $((0x${D_KEY:62:2} ^ 0x80)))
district2 "{\"enroll\":{\"unit\":\"12351\",\"key\":\"$TWIN\"}}"
assert_rc 1 "a key whose transport key is an enrolled key's"
assert_match "$(refusal 0)" "^6 enrolls a key whose transport key is that of another enrolled key" \
	"a twin key: code and reason"
district2 "{\"enroll\":{\"unit\":\"12351\",\"key\":\"$E_KEY\"}}"
assert_rc 0 "a station within its scope"
as "$PORT_P" "$P_KEY" "$D2_KEYF" "$E_KEYF" 333 "{\"unit\":\"12351\",\"enroll\":{\"unit\":\"12351\",\"key\":\"$W_KEY\"}}"
assert_rc 1 "the station it enrolled enrolls"
assert_match "$(refusal 0)" "^6 its key is a station's" "a station under a hub: code and reason"
as "$PORT_P" "$P_KEY" "$D2_KEYF" "$E_KEYF" 333 "$(month 5 12351 2024-05)"
assert_rc 0 "the station's own report"
district2 "{\"revoke\":{\"key\":\"$E_KEY\",\"after\":1,\"reason\":\"thử\"}}"
assert_rc 0 "a hub revokes a key it enrolled"

log_step "a batch [A with a garbage signature, B validly signed on A]: taken, then quarantined"
commune "$C_KEYF" 12346 \
	"{\"form\":\"bvanttq-event\",\"period\":\"2024-06-01\",\"values\":{\"tin_bao\":1},\"bad_sig\":true}" \
	"{\"form\":\"bvanttq-event\",\"period\":\"2024-06-02\",\"values\":{\"tin_bao\":2}}"
assert_rc 0 "the run is taken on its last signature"
assert_eq 3 "$(jq -r .head_after <<<"$OUT")" "the commune's head at the district"
A_ID=$(jq -r '.records[0].id' <<<"$OUT")
_quarantined() { grep -q "that chain is quarantined from there" "$D_LOG"; }
wait_for 20 "the district's audit quarantines the commune's chain" _quarantined
antt_ok "$D_CONF" verify --json
assert_eq true "$(jq -r .valid <<<"$OUT")" "district: verify still passes"
assert_eq "$A_ID" "$(jq -r '.misconduct[0].id' <<<"$OUT")" "district: verify names A as misconduct"
assert_contains "$(jq -r '.misconduct[0].problem' <<<"$OUT")" "the author's misconduct" "misconduct: wording"
run "$ANTT" -c "$D_CONF" verify
assert_rc 0 "district: antt verify exits 0"
assert_contains "$OUT" "MISCONDUCT record $A_ID" "district: antt verify shows the misconduct"
assert_eq 0 "$(store_sql "$D_CONF" "SELECT count(*) FROM reports WHERE unit = '12346' AND period LIKE '2024-06%' AND n IS NOT NULL")" \
	"district: the quarantined events count nowhere"
antt_ok "$D_CONF" children --json
assert_eq "station 2" "$(jq -r --arg k "$C_KEY" '.[] | select(.key == $k) | "\(.grant) \(.quarantined_from)"' <<<"$OUT")" \
	"antt children: the commune, a station quarantined from seq 2"
run "$ANTT" -c "$D_CONF" children
assert_contains "$OUT" "QUARANTINED from seq 2" "antt children: the quarantine shown"
commune "$C_KEYF" 12346 "$(month 8 12346 2024-06)"
assert_rc 1 "a record after the quarantine"
assert_match "$(refusal 0)" "^9 quarantined" "after the quarantine: code 9"

log_step "at the province: nothing forged; A and B (forwarded before the district's audit) quarantined by its own"
# a hub forwards what it took before its audit reaches it: every hub audits
wait_held 30 "$P_CONF" "$D_KEY" 1 "the district's enrollment of the commune"
wait_held 30 "$P_CONF" "$C_KEY" 3 "the commune's report, then A and B"
P_LOG=$(dirname "$P_CONF")/anttd.log
_p_quarantined() { grep -q "that chain is quarantined from there" "$P_LOG"; }
wait_for 20 "the province's audit quarantines the commune's chain" _p_quarantined
assert_contains "$(cat "$P_LOG")" "from seq 2 (delivered by child 332)" \
	"province: the audit names the child that delivered the records"
antt_ok "$P_CONF" verify --json
assert_eq true "$(jq -r .valid <<<"$OUT")" "province: verify passes"
assert_eq "$A_ID" "$(jq -r '.misconduct[0].id' <<<"$OUT")" "province: verify names A as misconduct"
assert_eq 0 "$(author_held "$P_CONF" "$S_KEY")" "province: the sibling key"
assert_eq 0 "$(author_held "$P_CONF" "$T_KEY")" "province: the unit-33 key"
assert_eq 0 "$(author_held "$P_CONF" "$W_KEY")" "province: the wide hub's key"
log_step "the units loaded afterwards: every enrollment is judged again, and still holds"
UNITS_CSV=$(cd "$(dirname "$0")/../.." && pwd)/data/units-vn-2025-03.csv
antt_ok "$P_CONF" units import "$UNITS_CSV"
assert_contains "$(cat "$(dirname "$P_CONF")/anttd.log")" \
	"trust: administrative units loaded: every enrollment and revocation holds" "province: the re-check"
antt_ok "$P_CONF" report --period 2024-05 --unit 332 --form bvanttq-monthly --json
assert_eq 7 "$(jq -r '.forms[0].totals.hop_dan' <<<"$OUT")" "province: hop_dan of 332 in May"
assert_eq '["12346"]' "$(jq -c '[.forms[0].rows[].key]' <<<"$OUT")" "province: the units that reported"

log_step "first receipts: signed by a hub on the author's chain, or not taken"
G_KEYF=$IT_TMP/c12391.key
G_KEY=$("$REPORT_GEN" keygen "$G_KEYF")
district2 "{\"enroll\":{\"unit\":\"12391\",\"key\":\"$G_KEY\"}}"
assert_rc 0 "the second district enrolls 12391"
# May, with a receipt the commune signed itself for 1 June 2024: not taken
as "$PORT_P" "$P_KEY" "$D2_KEYF" "$G_KEYF" 333 "$(month 3 12391 2024-05)" \
	-- --stamp-key "$G_KEYF" --stamp-at 1717200000
assert_rc 0 "May from 12391, with its own 'receipt'"
# (the province logs it, under the per-child log limit this scenario has used up)
# June, with the district's receipt of 1 July 2024: taken (signed: the district answers for it)
as "$PORT_P" "$P_KEY" "$D2_KEYF" "$G_KEYF" 333 "$(month 4 12391 2024-06)" \
	-- --stamp-key "$D2_KEYF" --stamp-at 1719792000
assert_rc 0 "June from 12391, with the district's receipt"
antt_ok "$P_CONF" missing --period 2024-05 --unit 333 --form bvanttq-monthly --json
assert_eq "12391 false" "$(jq -r '.forms[0].late_reports[] | "\(.unit) \(.signed)"' <<<"$OUT")" \
	"May: late, judged on the province's own receipt (no signed one)"
assert_eq 1 "$(jq -r '.forms[0].unsigned' <<<"$OUT")" "May: one report without a signed receipt"
antt_ok "$P_CONF" missing --period 2024-06 --unit 333 --form bvanttq-monthly --json
assert_eq 0 "$(jq -r '.forms[0].late' <<<"$OUT")" "June: on time by the district's signed receipt"
assert_eq 0 "$(jq -r '.forms[0].unsigned' <<<"$OUT")" "June: its receipt is signed"
run "$ANTT" -c "$P_CONF" missing --period 2024-05 --unit 333 --form bvanttq-monthly
assert_contains "$OUT" "no signed first receipt; stored here" "missing: says when a receipt is not signed"
for conf in "$P_CONF" "$D_CONF"; do
	antt_ok "$conf" verify --deep --json
	assert_eq true "$(jq -r .valid <<<"$OUT")" "$(basename "$(dirname "$conf")"): verify --deep"
done
