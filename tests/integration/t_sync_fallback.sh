#!/usr/bin/env bash
# t_sync_fallback: a commune names the province as its fallback.  While its
# district is down, its records go straight to the province (a commune
# without a fallback waits); when the district is back, the commune returns
# to it and the district gets the records it missed.  The province holds
# every record once, though some reached it twice (directly, then through
# the district), and every store verifies.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

log_step "a tree with two communes; commune 1 names the province as its fallback"
sync_tree 2
C1=${C_CONF[1]} C2=${C_CONF[2]} K1=${C_KEY[1]} K2=${C_KEY[2]}
daemon_stop "${C_PID[1]}"
printf 'fallback = tcp://127.0.0.1:%s\nfallback_key = %s\nfallback_after = 2\n' "$PORT_P" "$P_KEY" >>"$C1"
run "$ANTTD" -n -c "$C1"
assert_rc 0 "anttd -n accepts the fallback settings"
daemon_start "$C1"
C_PID[1]=$DPID
for m in 1 2 3; do
	antt_ok "$C1" submit --form bvanttq-monthly --period "2024-0$m" hop_dan=$m
	antt_ok "$C2" submit --form bvanttq-monthly --period "2024-0$m" hop_dan=$m
done
wait_held 30 "$P_CONF" "$K1" 3 "commune 1 through the district"
wait_held 30 "$P_CONF" "$K2" 3 "commune 2 through the district"
antt_ok "$C1" status --json
assert_eq false "$(jq -r .uplink.on_fallback <<<"$OUT")" "commune 1 uses its parent"

log_step "the district goes down: commune 1 sends to the province, commune 2 waits"
daemon_stop "$D_PID"
for m in 4 5 6 7; do
	antt_ok "$C1" submit --form bvanttq-monthly --period "2024-0$m" hop_dan=$m
done
antt_ok "$C2" submit --form bvanttq-monthly --period 2024-04 hop_dan=4
wait_held 60 "$P_CONF" "$K1" 7 "commune 1 through the fallback"
antt_ok "$C1" status --json
assert_eq true "$(jq -r .uplink.on_fallback <<<"$OUT")" "commune 1 on its fallback"
assert_eq true "$(jq -r .uplink.trust.verified <<<"$OUT")" \
	"commune 1: the province's chain of enrollments reaches the root"
antt_ok "$C1" status
assert_contains "$OUT" "via the fallback tcp://127.0.0.1:$PORT_P" "commune 1: status text"
assert_eq 3 "$(author_held "$P_CONF" "$K2")" "commune 2's fourth waits at the commune"
grep -q "sending to the fallback" "$(dirname "$C1")/anttd.log" ||
	fail "commune 1's log does not say it uses the fallback"

log_step "a commune not enrolled under the province is not admitted there"
sync_node_init stranger 12399 "" "$PORT_P" "$P_KEY" "$P_KEY"
S_CONF=$CONF
daemon_start "$S_CONF"
S_PID=$DPID
_refused() { [ -n "$(uplink_field "$S_CONF" .link_error)" ]; }
wait_for 30 "the stranger's link error" _refused
assert_eq 0 "$(author_held "$P_CONF" "$(jq -r .public_key < <("$ANTT" -c "$S_CONF" status --json))")" \
	"nothing of the stranger at the province"
daemon_stop "$S_PID"

log_step "the district is back: commune 2 drains, commune 1 returns to its parent"
daemon_start "$D_CONF"
D_PID=$DPID
wait_held 60 "$P_CONF" "$K2" 4 "commune 2's fourth"
wait_held 60 "$D_CONF" "$K1" 7 "commune 1's records at the district again"
_back() { [ "$(uplink_field "$C1" .on_fallback)" = false ] && [ "$(uplink_field "$C1" .state)" = ready ]; }
wait_for 60 "commune 1 back on its parent" _back
antt_ok "$C1" submit --form bvanttq-monthly --period 2024-08 hop_dan=8
wait_held 30 "$P_CONF" "$K1" 8 "commune 1's eighth, through the district"

log_step "every record once at the province, every store verifies"
assert_same_chain "$C1" "$D_CONF" "$K1" "commune 1 at the district"
assert_same_chain "$C1" "$P_CONF" "$K1" "commune 1 at the province"
assert_same_chain "$C2" "$P_CONF" "$K2" "commune 2 at the province"
assert_no_duplicates_sql "$P_CONF" "province"
assert_eq 0 "$(store_sql "$P_CONF" "SELECT count(*) FROM forks")" "province: no fork"
assert_eq 0 "$(uplink_field "$C1" .refused)" "commune 1: nothing refused"
assert_verify "$P_CONF" "province"
assert_verify "$D_CONF" "district"
for pid in "${C_PID[1]}" "${C_PID[2]}" "$D_PID" "$P_PID"; do
	daemon_stop "$pid"
done
assert_no_sanitizer_reports
