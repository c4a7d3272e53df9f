#!/usr/bin/env bash
# t_trust: who may sign what.  The province (33, with the real units file)
# has enrolled the district of Tiên Lữ (332), played by report_gen: a
# district gone bad.  It signs a commune's report with its own key, enrolls
# a unit of another district, and has one of its communes sign another
# commune's report.  Each is refused at the province with its reason
# (code 6), nothing of it is stored or counted, and the honest records of
# the same district and commune flow on; verify --deep checks every key's
# chain of enrollments.  At the province, antt enroll of a
# unit outside its subtree is refused too.  Then revocation: the district
# revokes its commune's key after seq 2; a record of it already held past
# that no longer counts, a later one (a replay, or one signed since) is
# refused (code 7), and a revocation of a key the district did not enroll
# is refused; antt revoke at the province.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

: "${REPORT_GEN:?set REPORT_GEN to the report_gen binary}"
UNITS_CSV=$(cd "$(dirname "$0")/../.." && pwd)/data/units-vn-2025-03.csv

log_step "the province 33 with the real units; the district 332 enrolled there"
it_port PORT_P
sync_node_init p 33 "$PORT_P" "" ""
P_CONF=$CONF P_KEY=$PUBKEY
daemon_start "$P_CONF"
P_PID=$DPID
antt_ok "$P_CONF" units import "$UNITS_CSV"
D_KEYF=$IT_TMP/district.key C_KEYF=$IT_TMP/c12346.key X_KEYF=$IT_TMP/c11950.key
D_KEY=$("$REPORT_GEN" keygen "$D_KEYF")
C_KEY=$("$REPORT_GEN" keygen "$C_KEYF")
X_KEY=$("$REPORT_GEN" keygen "$X_KEYF")
antt_ok "$P_CONF" enroll --unit 332 --key "$D_KEY" --units "$SCOPE_332"

# send KEYFILE SIGNFILE SPEC...: report_gen connects as KEYFILE (the
# district), signs the spec lines with SIGNFILE, sends them in one batch
send() {
	local key=$1 sign=$2
	shift 2
	printf '%s\n' "$@" >"$IT_TMP/spec.jsonl"
	run "$REPORT_GEN" send --hub "tcp://127.0.0.1:$PORT_P" --hub-key "$P_KEY" --key "$key" \
		--sign-key "$sign" --unit 332 --spec "$IT_TMP/spec.jsonl" --timeout "$(slow 10000)"
}
month() { echo "{\"form\":\"bvanttq-monthly\",\"period\":\"2024-05\",\"values\":{\"hop_dan\":$1},\"unit\":\"$2\"}"; }

log_step "honest: the district enrolls its commune 12346"
send "$D_KEYF" "$D_KEYF" "{\"enroll\":{\"unit\":\"12346\",\"key\":\"$C_KEY\"}}"
assert_rc 0 "district enrolls 12346"
assert_eq 1 "$(jq -r .head_after <<<"$OUT")" "province: the district's head"

log_step "the district signs a report of its commune with its own key: refused"
send "$D_KEYF" "$D_KEYF" "$(month 500 12346)"
assert_rc 1 "forged report"
assert_eq "6" "$(jq -r '.refused[0].code' <<<"$OUT")" "forged report: refusal code"
assert_contains "$(jq -r '.refused[0].reason' <<<"$OUT")" \
	"signed for unit 12346 by a key enrolled for unit 332" "forged report: reason"
assert_eq 1 "$(jq -r .head_after <<<"$OUT")" "forged report: not stored"

log_step "the district enrolls a commune of another district (11950, of 323): refused"
send "$D_KEYF" "$D_KEYF" "{\"enroll\":{\"unit\":\"11950\",\"key\":\"$X_KEY\"}}"
assert_rc 1 "enrollment outside the subtree"
assert_eq "6" "$(jq -r '.refused[0].code' <<<"$OUT")" "outside enrollment: refusal code"
assert_contains "$(jq -r '.refused[0].reason' <<<"$OUT")" "enrolls unit 11950, outside the scope of its author's key (unit 332)" \
	"outside enrollment: reason"
log_step "and the key it tried to enroll cannot send anything"
send "$D_KEYF" "$X_KEYF" "$(month 900 11950)"
assert_rc 1 "the outside unit's record"
assert_eq "3" "$(jq -r '.refused[0].code' <<<"$OUT")" "outside unit's record: unknown author"

log_step "the commune 12346 signs a report of 12340: refused"
send "$D_KEYF" "$C_KEYF" "$(month 700 12340)"
assert_rc 1 "another commune's report"
assert_eq "6" "$(jq -r '.refused[0].code' <<<"$OUT")" "another commune's report: refusal code"
assert_contains "$(jq -r '.refused[0].reason' <<<"$OUT")" \
	"signed for unit 12340 by a key enrolled for unit 12346" "another commune's report: reason"

log_step "honest records of the same district and commune still flow"
send "$D_KEYF" "$C_KEYF" "$(month 7 12346)"
assert_rc 0 "the commune's own report"
send "$D_KEYF" "$D_KEYF" "{\"enroll\":{\"unit\":\"12340\",\"key\":\"$X_KEY\"}}"
assert_rc 0 "the district enrolls 12340"
assert_eq 2 "$(jq -r .head_after <<<"$OUT")" "province: the district's head"

log_step "at the province, only the honest figures count"
antt_ok "$P_CONF" report --period 2024-05 --unit 332 --form bvanttq-monthly --json
assert_eq 7 "$(jq -r '.forms[0].totals.hop_dan' <<<"$OUT")" "hop_dan of 332 in May"
assert_eq '["12346"]' "$(jq -c '[.forms[0].rows[].key]' <<<"$OUT")" "units that reported"
antt_ok "$P_CONF" report --period 2024-05 --form bvanttq-monthly --json
assert_eq 7 "$(jq -r '.forms[0].totals.hop_dan' <<<"$OUT")" "hop_dan of the province in May"
antt_ok "$P_CONF" log --json
assert_eq 0 "$(jq '[.[] | select(.unit == "12340" or .unit == "11950")] | length' <<<"$OUT")" \
	"province: no record of 12340 or 11950"
antt_ok "$P_CONF" verify --json
assert_eq true "$(jq -r .valid <<<"$OUT")" "province: verify"
antt_ok "$P_CONF" verify --deep --json
assert_eq true "$(jq -r .valid <<<"$OUT")" "province: verify --deep (every key enrolled by a chain to it)"

log_step "revocation: the district revokes its commune's key after seq 2"
ev() { echo "{\"form\":\"bvanttq-event\",\"period\":\"2024-05-1$1\",\"values\":{\"tin_bao\":$2},\"unit\":\"12346\"}"; }
send "$D_KEYF" "$C_KEYF" "$(ev 1 10)" "$(ev 2 20)"
assert_rc 0 "the commune's events, seq 2 and 3"
assert_eq 3 "$(jq -r .head_after <<<"$OUT")" "the commune's head at the province"
antt_ok "$P_CONF" report --period 2024-05 --unit 332 --form bvanttq-event --json
assert_eq 30 "$(jq -r '.forms[0].totals.tin_bao' <<<"$OUT")" "events before the revocation"
send "$D_KEYF" "$D_KEYF" "{\"revoke\":{\"key\":\"$C_KEY\",\"after\":2,\"reason\":\"máy tính bị mất\"}}"
assert_rc 0 "the district's revocation"
antt_ok "$P_CONF" report --period 2024-05 --unit 332 --form bvanttq-event --json
assert_eq 10 "$(jq -r '.forms[0].totals.tin_bao' <<<"$OUT")" "events after the revocation: seq 3 no longer counts"
antt_ok "$P_CONF" history --unit 12346 --period 2024-05-12 --json
assert_eq 1 "$(jq '.versions | length' <<<"$OUT")" "the revoked record is still held (history)"
assert_ne counts "$(jq -r '.versions[0].state' <<<"$OUT")" "the revoked record does not count"

log_step "a later record of the revoked key is refused, and so is its replay"
send "$D_KEYF" "$C_KEYF" "$(ev 3 40)"
assert_rc 1 "a record signed after the revocation"
assert_eq 7 "$(jq -r '.refused[0].code' <<<"$OUT")" "revoked key: refusal code"
assert_contains "$(jq -r '.refused[0].reason' <<<"$OUT")" "revoked: this key's records after seq 2" \
	"revoked key: reason"
assert_eq 3 "$(jq -r .head_after <<<"$OUT")" "revoked key: nothing more stored"

log_step "the district may not revoke a key it did not enroll"
send "$D_KEYF" "$D_KEYF" "{\"revoke\":{\"key\":\"$P_KEY\",\"after\":0}}"
assert_rc 1 "revocation of the province's key"
assert_eq 6 "$(jq -r '.refused[0].code' <<<"$OUT")" "foreign revocation: refusal code"
assert_contains "$(jq -r '.refused[0].reason' <<<"$OUT")" "neither it nor a hub below it enrolled" \
	"foreign revocation: reason"
antt_ok "$P_CONF" verify --json
assert_eq true "$(jq -r .valid <<<"$OUT")" "province: verify after the revocation"
# --deep names the record held from before the revocation
run "$ANTT" -c "$P_CONF" verify --deep --json
assert_rc 65 "verify --deep after the revocation"
assert_eq "$C_KEY 3" "$(jq -r '.problems[] | "\(.author) \(.seq)"' <<<"$OUT")" "verify --deep: the record named"
assert_contains "$(jq -r '.problems[0].problem' <<<"$OUT")" "revoked after seq 2: held, never counted" \
	"verify --deep: the problem"

log_step "antt revoke at the province: a key under it, not any key"
run "$ANTT" -c "$P_CONF" revoke --key "$P_KEY" --after 0
assert_rc 65 "revoke of the province's own key"
assert_contains "$ERR" "was not enrolled by this node nor under it" "revoke: message"
run "$ANTT" -c "$P_CONF" revoke --key "$C_KEY" --after x
assert_rc 64 "revoke --after x"
antt_ok "$P_CONF" revoke --key "$C_KEY" --after 1 --reason "kiểm tra"
antt_ok "$P_CONF" report --period 2024-05 --unit 332 --json
assert_eq null "$(jq -r '.forms[] | select(.form == "bvanttq-event") | .totals.tin_bao' <<<"$OUT")" \
	"after seq 1 nothing of the commune counts but its May report"
assert_eq 7 "$(jq -r '.forms[] | select(.form == "bvanttq-monthly") | .totals.hop_dan' <<<"$OUT")" \
	"the May report (seq 1) still counts"
antt_ok "$P_CONF" verify --json
assert_eq true "$(jq -r .valid <<<"$OUT")" "province: verify after its own revocation"

log_step "antt enroll at the province: only units of its subtree"
run "$ANTT" -c "$P_CONF" enroll --unit 00001 --key "$X_KEY"
assert_rc 65 "enroll of a unit of Hà Nội at Hưng Yên"
assert_contains "$ERR" "is not below this node's unit 33" "enroll outside: message"
run "$ANTT" -c "$P_CONF" enroll --unit 99999 --key "$X_KEY"
assert_rc 65 "enroll of a unit not in the list"
antt_ok "$P_CONF" enroll --unit 323 --key "$X_KEY"

log_step "verify --deep: an enrollment removed behind anttd's back breaks the chain"
daemon_stop "$P_PID"
sqlite3 -batch -bail "$(dirname "$P_CONF")/store.db" \
	"DELETE FROM enrollments WHERE hex(key) = upper('$D_KEY')"
daemon_start "$P_CONF"
run "$ANTT" -c "$P_CONF" verify --deep --json
assert_rc 65 "verify --deep without the district's enrollment"
assert_contains "$(jq -r '.problems[] | select(.author == "'"$D_KEY"'") | .problem' <<<"$OUT")" \
	"not enrolled by a chain of enrollments ending at this node" "verify --deep: the district's key"
assert_contains "$(jq -r '.problems[] | select(.author == "'"$C_KEY"'") | .problem' <<<"$OUT")" \
	"not enrolled by a chain of enrollments ending at this node" "verify --deep: the commune under it"
assert_no_sanitizer_reports
