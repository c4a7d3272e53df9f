#!/usr/bin/env bash
# t_sync_refuse: the district lets in only keys it enrolled.  A commune
# set up with the district as its parent but never enrolled gets nothing in:
# its connection is refused (ZAP) and logged, it stays not ready, the
# district holds none of its records; a commune with the wrong parent key
# never gets a session either.  Meanwhile an enrolled commune syncs.  Once
# the district enrolls the first one, its records flow by themselves.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

: "${SYNC_PEER:?set SYNC_PEER to the sync_peer binary}"

log_step "a district with one enrolled commune, one unenrolled, one with a wrong parent key"
sync_tree 1 # province, district, commune 12341 (enrolled)
sync_node_init c2 12342 "" "$PORT_D" "$D_KEY"
C2_CONF=$CONF C2_KEY=$PUBKEY
sync_node_init c3 12343 "" "$PORT_D" "$P_KEY" # the province's key, not the district's
C3_CONF=$CONF C3_KEY=$PUBKEY
antt_ok "$D_CONF" enroll --unit 12343 --key "$C3_KEY" # enrolled, but it talks to the wrong key
run "$SYNC_PEER" curve "$C2_KEY"
assert_rc 0 "sync_peer curve"
C2_CURVE=$OUT
D_LOG="$IT_TMP/d/anttd.log"
daemon_start "$C2_CONF"
C2_PID=$DPID
daemon_start "$C3_CONF"
C3_PID=$DPID

log_step "submit works at once at the refused communes"
for c in "$C2_CONF" "$C3_CONF"; do
	antt_ok "$c" submit --form bvanttq-monthly --period 2024-06 hop_dan=1
	antt_ok "$c" submit --form bvanttq-event --period 2024-06-03 tin_bao=2
	antt_ok "$c" submit --form bvanttq-event --period 2024-06-04 tin_bao=3
done
antt_ok "${C_CONF[1]}" submit --form bvanttq-monthly --period 2024-06 hop_dan=9

# refusals of C2's transport key in the district's log
refusals() { grep -c "refused a connection from an unenrolled key (transport key $C2_CURVE)" "$D_LOG" || true; }
_refused_twice() { (($(refusals) >= 2)); }

log_step "the district refuses the unenrolled commune, and says so"
# two refused attempts: the commune has tried, been refused, and tried again
wait_for 30 "two refused connections of c2 in the district's log" _refused_twice
assert_eq 0 "$(author_held "$D_CONF" "$C2_KEY")" "district: records of the unenrolled commune"
assert_eq 0 "$(author_held "$D_CONF" "$C3_KEY")" "district: records of the commune with the wrong parent key"
for c in "$C2_CONF" "$C3_CONF"; do
	antt_ok "$c" status --json
	assert_ne ready "$(jq -r .uplink.state <<<"$OUT")" "$(basename "$(dirname "$c")"): link state"
	assert_ne sending "$(jq -r .uplink.state <<<"$OUT")" "$(basename "$(dirname "$c")"): link state"
	assert_eq null "$(jq -r .uplink.last_ok <<<"$OUT")" "$(basename "$(dirname "$c")"): last_ok"
	assert_eq '[]' "$(jq -c .uplink.levels <<<"$OUT")" "$(basename "$(dirname "$c")"): receipts"
	assert_eq 3 "$(jq -r .records <<<"$OUT")" "$(basename "$(dirname "$c")"): its own records are kept"
	# the handshake failure is named at once, with what to do
	case $c in
	"$C2_CONF") want="not enrolled there" ;;
	*) want="check that [sync] parent_key is the parent's public key" ;;
	esac
	assert_contains "$(jq -r .uplink.link_error <<<"$OUT")" "$want" "$(basename "$(dirname "$c")"): link error"

	antt_ok "$c" status
	assert_contains "$OUT" "last sync   never" "$(basename "$(dirname "$c")"): status text"
	assert_contains "$OUT" "link error  " "$(basename "$(dirname "$c")"): status text names the link error"
done
antt_ok "$D_CONF" children --json
assert_eq '["12341","12343"]' "$(jq -c '[.[].unit]' <<<"$OUT")" "district: children (c2 is none)"
assert_eq false "$(jq -r '.[] | select(.unit == "12343") | .connected' <<<"$OUT")" \
	"district: the commune with the wrong parent key is not connected"
assert_eq 1 "$(jq -r .hub.connected <<<"$("$ANTT" -c "$D_CONF" status --json)")" "district: sessions (commune 1 only)"

log_step "meanwhile the enrolled commune syncs"
wait_held 30 "$P_CONF" "${C_KEY[1]}" 1 "commune 1's record at the province"
wait_receipts 30 "${C_CONF[1]}" 1 "commune 1"
assert_eq 0 "$(author_held "$P_CONF" "$C2_KEY")" "province: records of the unenrolled commune"

log_step "enrolled, its records flow by themselves"
antt_ok "$D_CONF" enroll --unit 12342 --key "$C2_KEY"
antt_ok "$C2_CONF" submit --form bvanttq-event --period 2024-06-05 tin_bao=4
# the commune is in its reconnect backoff (it doubles from 1 s while refused)
wait_held 45 "$D_CONF" "$C2_KEY" 4 "c2 after its enrollment"
wait_held 30 "$P_CONF" "$C2_KEY" 4 "c2 at the province"
assert_same_chain "$C2_CONF" "$P_CONF" "$C2_KEY" "c2 at the province"
wait_receipts 30 "$C2_CONF" 4 "c2 after its enrollment"
antt_ok "$C2_CONF" status --json
assert_eq 0 "$(jq -r .uplink.refused <<<"$OUT")" "c2: records refused"
assert_eq "" "$(jq -r .uplink.link_error <<<"$OUT")" "c2: no link error once connected"
antt_ok "$D_CONF" children --json
assert_eq true "$(jq -r '.[] | select(.unit == "12342") | .connected' <<<"$OUT")" "district: c2 connected"
assert_eq 4 "$(jq -r '.[] | select(.unit == "12342") | .records' <<<"$OUT")" "district: c2's records"

log_step "the commune with the wrong parent key still has nothing in"
assert_eq 0 "$(author_held "$D_CONF" "$C3_KEY")" "district: records of the commune with the wrong parent key"
antt_ok "$C3_CONF" status --json
assert_ne ready "$(jq -r .uplink.state <<<"$OUT")" "c3: link state"
assert_verify "$D_CONF" "district"
assert_verify "$P_CONF" "province"
for pid in "$C2_PID" "$C3_PID" "${C_PID[1]}" "$D_PID" "$P_PID"; do
	daemon_stop "$pid"
done
assert_no_sanitizer_reports
