#!/usr/bin/env bash
# t_units_authority: every report is judged against the unit list in force
# for its period (T5 of daemon/store_trust.c).
#
# A province (Tỉnh Hưng Yên, 33) and two nodes of unit code 12337, which is
# Thị trấn Vương in the list of 2025-03 and Xã Hoàng Hoa Thám in 2025-07
# (which took 12337, 12340, 12346 and 12355 whole):
#   O  the old station's key, enrolled while the province's clock says
#      2025-04-15 (libfaketime): its enrollment is of list 2025-03;
#   N  the new commune's key, enrolled today: list 2025-07.
# Before the province holds dated lists, a key signs for its own unit
# whatever the period: O's 2025-08 report counts.  Once the shipped lists
# and links are loaded, it is held, no longer counted, and verify --deep
# names it with why; O can still correct its 2025-05 report, and its
# 2025-09, signed after the lists came, is kept there and never counted
# too (history says not_permitted, with why), so that its chain stays whole:
# its later 2025-06 arrives and counts.
# N takes O's records back as those of an old unit its unit took (Heads
# older_heads, not as its unit's earlier key): O's 2025-05 is its paperwork
# (its own 2025-05 is refused as already filed, and it corrects O's), but
# O's 2025-08, not counted, does not stop N's own 2025-08, which counts.
# N is no earlier key of O's either: O, started again, takes none of N's
# records.  N back-fills 2025-05 for the old Xã Nhật Tân (antt submit --unit
# 12346), counted at the province, and corrects it; N itself refuses, with
# why, a 12346 report for 2025-08, an old commune that went whole to another
# new one (12352 -> 12361) and one split between several (12322), and any
# --unit at all while it holds no dated list.
set -euo pipefail
. "$(dirname "$0")/lib.sh"


FORM=bvanttq-monthly
it_port PORT_P
sync_node_init p 33 "$PORT_P" "" ""
P_CONF=$CONF P_KEY=$PUBKEY
sync_node_init o 12337 "" "$PORT_P" "$P_KEY" "$P_KEY"
O_CONF=$CONF O_KEY=$PUBKEY
sync_node_init n 12337 "" "$PORT_P" "$P_KEY" "$P_KEY"
N_CONF=$CONF N_KEY=$PUBKEY
anttd_at "2025-04-15 03:00:00"

# total PERIOD UNIT: hop_dan of the province's report (empty: none counts)
total() {
	antt_ok "$P_CONF" report --period "$1" --unit "$2" --form "$FORM" --json
	jq -r '.forms[0].totals.hop_dan // empty' <<<"$OUT"
}
# states UNIT PERIOD: the state of each version the province holds, in order
states() {
	antt_ok "$P_CONF" history --unit "$1" --period "$2" --form "$FORM" --json
	jq -r '[.versions[].state] | join(" ")' <<<"$OUT"
}

log_step "in April 2025 the province enrolls the key of Thị trấn Vương (12337 of 2025-03)"
ANTTD=$ANTTD_AT daemon_start "$P_CONF"
antt_ok "$P_CONF" enroll --unit 12337 --key "$O_KEY"
daemon_stop "$DPID"
assert_eq "2025-04-15" "$(store_sql "$P_CONF" "SELECT period FROM records WHERE form = 'antt.enroll'")" \
	"the enrollment's day"
daemon_start "$P_CONF"
P_PID=$DPID

log_step "no dated list at the province: the old key signs for 12337 whatever the period"
# (an undated list, "loaded", as before lists had dates: reports need one)
printf '%s\n' "code,level,type,name,parent_code" "33,province,Tỉnh,Tỉnh Hưng Yên," \
	"12337,commune,Xã,Xã Hoàng Hoa Thám,33" >"$IT_TMP/small.csv"
antt_ok "$P_CONF" units import "$IT_TMP/small.csv"
daemon_start "$O_CONF"
O_PID=$DPID
antt_ok "$O_CONF" submit --form "$FORM" --period 2025-05 hop_dan=5 --json
O_MAY=$(jq -r .id <<<"$OUT")
antt_ok "$O_CONF" submit --form "$FORM" --period 2025-08 hop_dan=80
wait_held 30 "$P_CONF" "$O_KEY" 2 "the old station's reports"
assert_eq 80 "$(total 2025-08 33)" "2025-08 at the province before the lists"

log_step "the province loads the shipped lists and links: the old key's 2025-08 stops counting, with why"
antt_ok "$P_CONF" units import
assert_eq "" "$(total 2025-08 33)" "2025-08 at the province after the lists"
assert_eq 5 "$(total 2025-05 12337)" "O's 2025-05 still counts"
assert_eq "not_permitted" "$(states 12337 2025-08)" "O's 2025-08: held, not counted (history says so)"
run "$ANTT" -c "$P_CONF" verify --deep --json
assert_rc 65 "verify --deep with a record not permitted"
assert_eq "$O_KEY 2" "$(jq -r '.problems[] | select(.problem | contains("[T5]")) | "\(.author) \(.seq)"' <<<"$OUT")" \
	"verify --deep names O's 2025-08"
assert_contains "$(jq -r '.problems[].problem' <<<"$OUT")" \
	"key enrolled for 12337 (list 2025-03) may not sign for 12337 in 2025-08: 2025-08 is judged by list 2025-07, newer than this key's" \
	"verify --deep: why"
assert_eq 1 "$(store_sql "$P_CONF" "SELECT count(*) FROM records WHERE author = x'$O_KEY' AND period = '2025-08'")" \
	"O's 2025-08 is kept"

log_step "the old key corrects its 2025-05 (its own list's period); its 2025-09 is kept, not counted"
antt_ok "$O_CONF" correct "$O_MAY" hop_dan=6 --json
O_FIX=$(jq -r .id <<<"$OUT")
wait_held 30 "$P_CONF" "$O_KEY" 3 "the old station's correction"
assert_eq 6 "$(total 2025-05 12337)" "O's corrected 2025-05 counts"
antt_ok "$O_CONF" submit --form "$FORM" --period 2025-09 hop_dan=90
wait_held 30 "$P_CONF" "$O_KEY" 4 "O's 2025-09, kept"
assert_eq 0 "$(uplink_field "$O_CONF" .refused)" "nothing of O's refused"
assert_eq "not_permitted" "$(states 12337 2025-09)" "O's 2025-09 at the province: kept, not counted"
antt_ok "$P_CONF" history --unit 12337 --period 2025-09 --json
assert_contains "$(jq -r '.versions[0].why' <<<"$OUT")" \
	"key enrolled for 12337 (list 2025-03) may not sign for 12337 in 2025-09: 2025-09 is judged by list 2025-07" \
	"history says why"
assert_eq "" "$(total 2025-09 33)" "nothing counts for 2025-09"
daemon_stop "$O_PID"

log_step "the new commune's node, enrolled today, holds no dated list: --unit is refused, with what to do"
antt_ok "$P_CONF" enroll --unit 12337 --key "$N_KEY"
daemon_start "$N_CONF"
N_PID=$DPID
# a key of the old 12337, which went whole to N's: N first takes its records
_n_signs() {
	[ "$(author_held "$N_CONF" "$O_KEY")" = 4 ] &&
		[ "$("$ANTT" -c "$N_CONF" status --json | jq -r '.learning_unit // false')" = false ]
}
wait_for 30 "N takes the old key's records of its unit" _n_signs
assert_eq "$O_KEY" "$(store_sql "$N_CONF" "SELECT hex(value) FROM meta WHERE key = 'older_keys'" | tr A-F a-f)" \
	"N keeps O's as an old unit's key, not as its unit's earlier key"
run "$ANTT" -c "$N_CONF" submit --form "$FORM" --period 2025-08 hop_dan=9
assert_rc 65 "N's 2025-08 while N holds no dated list"
assert_err_has "unit 12337 already reported $FORM for 2025-08" "N's 2025-08 without lists"
assert_err_has "without dated unit lists this node cannot tell whether that key could file it (antt units import)" \
	"N's 2025-08 without lists: why, and what to do"
run "$ANTT" -c "$N_CONF" submit --unit 12346 --form "$FORM" --period 2025-05 hop_dan=7
assert_rc 65 "--unit without dated lists"
assert_err_has "unit 12346 is not this node's unit (12337), and this node holds no dated unit lists" \
	"--unit without dated lists"
assert_err_has "antt units import" "--unit without dated lists: what to do"
run "$ANTT" -c "$N_CONF" submit --unit 'bad code' --form "$FORM" --period 2025-05 hop_dan=7
assert_rc 64 "--unit with a bad code"
assert_err_has "--unit 'bad code' is not a unit code" "--unit with a bad code"

log_step "with the lists: O's 2025-08 (not counted) does not stop N's own; O's 2025-05 is N's paperwork"
antt_ok "$N_CONF" units import
antt_ok "$N_CONF" submit --form "$FORM" --period 2025-08 hop_dan=9
run "$ANTT" -c "$N_CONF" submit --form "$FORM" --period 2025-05 hop_dan=4
assert_rc 65 "N's own 2025-05, filed by O"
assert_err_has "unit 12337 already reported $FORM for 2025-05 (record $O_MAY)" "N's own 2025-05, filed by O"

log_step "it back-fills Xã Nhật Tân (12346) for 2025-05, counted at the province"
antt_ok "$N_CONF" submit --unit 12346 --form "$FORM" --period 2025-05 hop_dan=7 --json
N_BACK=$(jq -r .id <<<"$OUT")
wait_held 30 "$P_CONF" "$N_KEY" 2 "N's reports"
assert_eq "counts" "$(states 12346 2025-05)" "the back-fill of 12346 counts at the province"
antt_ok "$P_CONF" report --period 2025-05 --unit 33 --form "$FORM" --json
# (in the units of 2025-03, O's corrected 6 and N's back-fill of 7)
assert_eq "13|0" "$(jq -r '.forms[0] | "\(.totals.hop_dan)|\(.unlisted)"' <<<"$OUT")" \
	"report 2025-05 at the province counts the back-fill, nothing unplaced"
assert_eq 9 "$(total 2025-08 33)" "2025-08 at the province: N's own report alone"
assert_eq "counts" "$(states 12337 2025-08 | tr ' ' '\n' | sed -n 2p)" "N's 2025-08 counts, after O's"

log_step "it corrects its back-fill"
antt_ok "$N_CONF" correct "$N_BACK" hop_dan=70
wait_held 30 "$P_CONF" "$N_KEY" 3 "N's correction"
assert_eq "superseded counts" "$(states 12346 2025-05)" "the corrected back-fill counts at the province"

log_step "it corrects O's 2025-05 (the old 12337's paperwork is its)"
antt_ok "$N_CONF" correct "$O_FIX" hop_dan=60
wait_held 30 "$P_CONF" "$N_KEY" 4 "N's correction of O's"
assert_eq 1 "$(store_sql "$P_CONF" "SELECT count(*) FROM records WHERE author = x'$N_KEY' AND unit = '12337' AND period = '2025-05'")" \
	"N's correction of O's 2025-05 is held at the province"
assert_contains "$(states 12337 2025-05)" "superseded superseded counts" "O's 2025-05, O's correction, N's: the last counts"

log_step "before the first dated list (2025-03 begins in March) a period is judged by the earliest, never by the province's undated list"
antt_ok "$N_CONF" submit --form "$FORM" --period 2025-01 hop_dan=2
wait_held 30 "$P_CONF" "$N_KEY" 5 "N's 2025-01"
assert_eq "counts" "$(states 12337 2025-01)" "N's 2025-01 counts at the province (which holds the undated list too)"

log_step "N is no earlier key of O's: O, started again, takes none of N's records and signs"
daemon_start "$O_CONF"
O_PID=$DPID
_o_ready() {
	case $(uplink_field "$O_CONF" .state) in ready | sending) ;; *) return 1 ;; esac
	[ "$("$ANTT" -c "$O_CONF" status --json | jq -r '.learning_unit // false')" = false ]
}
wait_for 30 "O connected, learning nothing" _o_ready
assert_eq 0 "$(author_held "$O_CONF" "$N_KEY")" "O holds none of N's records"
antt_ok "$O_CONF" submit --form "$FORM" --period 2025-06 hop_dan=3
assert_eq 5 "$(own_seq "$O_CONF")" "O signs (after its 2025-09, kept uncounted)"
wait_held 30 "$P_CONF" "$O_KEY" 5 "O's 2025-06, after its 2025-09: the chain is whole"
assert_eq 3 "$(total 2025-06 12337)" "O's 2025-06 counts at the province"
daemon_stop "$O_PID"

log_step "what the links do not give it is refused at the node, with why"
refused() { # UNIT PERIOD NEEDLE
	run "$ANTT" -c "$N_CONF" submit --unit "$1" --form "$FORM" --period "$2" hop_dan=1
	assert_rc 65 "--unit $1 --period $2"
	assert_eq "" "$OUT" "--unit $1 --period $2: stdout"
	assert_err_has "this node may not file $2 for unit $1: key enrolled for 12337 (list 2025-07) may not sign for $1 in $2: $3" \
		"--unit $1 --period $2"
}
refused 12346 2025-08 "2025-08 is judged by list 2025-07, where this key signs for 12337 alone"
refused 12352 2025-05 "12352 of list 2025-03 went whole to 12361 of 2025-07"
refused 12322 2025-05 "12322 of list 2025-03 was split between units of 2025-07 (partial links)"
refused 99999 2025-05 "99999 of list 2025-03 has no full link to 12337"
assert_eq 5 "$(own_seq "$N_CONF")" "nothing signed for the refusals"

log_step "the province's verify --deep names only O's 2025-08 and 2025-09"
run "$ANTT" -c "$P_CONF" verify --deep --json
assert_eq "$O_KEY 2,$O_KEY 4" "$(jq -r '[.problems[] | "\(.author) \(.seq)"] | join(",")' <<<"$OUT")" \
	"verify --deep: the two records kept and not counted"

daemon_stop "$N_PID"
daemon_stop "$P_PID"
assert_no_sanitizer_reports
