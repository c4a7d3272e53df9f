#!/usr/bin/env bash
# t_units_map: reports across the July 2025 boundary, on the real Hưng Yên.
#
# The province (Tỉnh Hưng Yên, 33) loads what the package ships: the list
# of 2025-03 (until 2025-06-30), the list of 2025-07 and the links between
# them.  Old communes report 2025-01..06 under their old codes, new ones
# 2025-07..12 under the new: four old communes that Xã Hoàng Hoa Thám 12337
# took whole (among them the old 12337, Thị trấn Vương), the old district
# of Tiên Lữ (332) with reports of its own, three that Xã Tiên
# Hoa 12361 took, and the four old communes of the province that were
# split (partial links).  report_gen plays every commune, each with a key of
# its own enrolled at the province: the old ones in April 2025 (the
# province's clock set back), the new ones today; Phường Thái Bình 13225
# back-fills the old ward of Thái Bình it took whole (12433).
#
# An independent ledger, computed here from the links file and what was
# sent, must equal what the province answers: `report --period 2025` per new
# commune (full links summed under the new unit), the split communes listed
# apart with their figures and counted only in the province's total, the
# province's total the sum of everything filed; a commune's own report
# leaves a split commune out of its total; 2025-Q2 in the old units covers
# the old Thái Bình ward too (the province's scope in the older list);
# `--units 2025-03` over 2025 is refused; `history --unit 12337` shows the
# old units it took; `missing` expects the old communes in May and the new
# ones in August; `export` and `verify --deep` agree.  In the two levels of
# 2025-07 neither missing nor export has a district; the province's own
# report is a line of its own, counted once; a commune named in [reports]
# not_expected is not expected.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${REPORT_GEN:?set REPORT_GEN to the report_gen binary (built with the tests)}"

DATA=$(cd "$(dirname "$0")/../.." && pwd)/data
OLD_CSV=$DATA/units-vn-2025-03.csv
NEW_CSV=$DATA/units-vn-2025-07.csv
LINKS_CSV=$DATA/units-vn-2025-03-to-2025-07.csv

OLD_UNITS=(12337 12340 12346 12355 12352 12361 12376 11989 12004 12322 13219 332)
NEW_UNITS=(12337 12361 12364 11992 11995 13225)
FORM=bvanttq-monthly

it_port PORT_P
sync_node_init p 33 "$PORT_P" "" ""
P_CONF=$CONF P_KEY=$PUBKEY

# enroll G...: a key for each G (old-U or new-U), enrolled for U
declare -A GKEY=()
enroll() {
	local g pub
	for g in "$@"; do
		GKEY[$g]=$IT_TMP/$g.key
		pub=$("$REPORT_GEN" keygen "${GKEY[$g]}")
		antt_ok "$P_CONF" enroll --unit "${g#*-}" --key "$pub"
	done
}
log_step "in April 2025 the province enrolls the old communes' keys"
# (their enrollments are of the list of 2025-03: T5 of store_trust.c)
anttd_at "2025-04-15 03:00:00"
ANTTD=$ANTTD_AT daemon_start "$P_CONF"
antt_ok "$P_CONF" units import
enroll "${OLD_UNITS[@]/#/old-}"
daemon_stop "$DPID"
log_step "today it enrolls the new communes' keys"
daemon_start "$P_CONF"
P_PID=$DPID
enroll "${NEW_UNITS[@]/#/new-}"

# send G FIRST-MONTH [UNIT]: G (old-U or new-U) files months FIRST..FIRST+5
# of 2025 for U (or UNIT) with figures of its own; each line goes to the
# ledger as well
: >"$IT_TMP/ledger.jsonl"
send() {
	local g=$1 m0=$2 unit=${3:-${1#*-}} m spec=$IT_TMP/spec-$1-$2.jsonl
	: >"$spec"
	for ((m = m0; m < m0 + 6; m++)); do
		local p v
		p=$(printf '2025-%02d' "$m")
		v="{\"hop_dan\":$((RANDOM % 20 + 1)),\"hop_dan_nguoi\":$((RANDOM % 900 + 100)),\"tin_bao\":$((RANDOM % 5))}"
		echo "{\"form\":\"$FORM\",\"unit\":\"$unit\",\"period\":\"$p\",\"values\":$v,\"clock_offset\":0}" >>"$spec"
		echo "{\"unit\":\"$unit\",\"list\":\"$([ "$m0" -lt 7 ] && echo old || echo new)\",\"period\":\"$p\",\"values\":$v}" >>"$IT_TMP/ledger.jsonl"
	done
	run "$REPORT_GEN" send --hub "tcp://127.0.0.1:$PORT_P" --hub-key "$P_KEY" --key "${GKEY[$g]}" \
		--unit "${g#*-}" --spec "$spec" --timeout "$(slow 10000)"
	[ "$RC" -eq 0 ] || fail "report_gen send as $g exited $RC: $OUT"
}
log_step "old communes file January to June, new ones July to December"
for u in "${OLD_UNITS[@]}"; do send "old-$u" 1; done
for u in "${NEW_UNITS[@]}"; do send "new-$u" 7; done
log_step "Phường Thái Bình (13225) back-fills the old ward it took whole from Thái Bình (12433)"
send new-13225 1 12433

# The ledger: what each new commune must show for 2025 (its own months,
# and those of the old communes it took whole), the split communes apart,
# the province's total; from the links file alone.
python3 - "$IT_TMP/ledger.jsonl" "$LINKS_CSV" "$OLD_CSV" "$NEW_CSV" >"$IT_TMP/want.json" <<'EOF'
import csv, json, sys
ledger = [json.loads(l) for l in open(sys.argv[1])]
links = list(csv.DictReader(open(sys.argv[2])))
old = {r["code"]: r for r in csv.DictReader(open(sys.argv[3]))}
new = {r["code"]: r for r in csv.DictReader(open(sys.argv[4]))}
to = {}
for l in links:
    to.setdefault(l["old_code"], []).append((l["new_code"], l["share"]))
def add(d, vals):
    for k, v in vals.items():
        d[k] = d.get(k, 0) + v
rows, apart, total, q2 = {}, {}, {}, {}
unlisted = 0
def total_sub(vals):
    for k, v in vals.items():
        total[k] -= v
for r in ledger:
    add(total, r["values"])
    if r["list"] == "new":
        add(rows.setdefault(r["unit"], {}), r["values"])
        continue
    if r["period"] >= "2025-04":
        add(q2, r["values"])
    t = to.get(r["unit"])
    if t is None:  # the old district's own reports: no link, placed nowhere in 2025-07
        unlisted += 1
        total_sub(r["values"])
    elif len(t) == 1 and t[0][1] == "full":
        add(rows.setdefault(t[0][0], {}), r["values"])
    else:
        a = apart.setdefault(r["unit"], {"unit": r["unit"], "list": "2025-03",
                                         "name": old[r["unit"]]["name"],
                                         "to": sorted(c for c, _ in t),
                                         "in_totals": all(new[c]["parent_code"] == "33" for c, _ in t),
                                         "values": {}})
        add(a["values"], r["values"])
print(json.dumps({"rows": {k: {"key": k, "name": new[k]["name"], "values": v} for k, v in rows.items()},
                  "apart": sorted(apart.values(), key=lambda a: a["unit"]),
                  "totals": total, "q2": q2, "unlisted": unlisted}, sort_keys=True))
EOF
WANT=$(cat "$IT_TMP/want.json")

log_step "report --period 2025: the units in force at the end of the year"
antt_ok "$P_CONF" report --period 2025 --form "$FORM" --json
assert_eq "33|2025-07|null" "$(jq -r '.unit | "\(.code)|\(.list)|\(.scope_list)"' <<<"$OUT")" \
	"2025: the province, in the units of 2025-07"
assert_eq "$(jq -S -c .rows <<<"$WANT")" \
	"$(jq -S -c '.forms[0].rows | map({key, name, values}) | map({(.key): .}) | add' <<<"$OUT")" \
	"2025: each new commune's figures, its own and those of the old communes it took whole"
assert_eq "$(jq -S -c .apart <<<"$WANT")" \
	"$(jq -S -c '.forms[0].apart | map(.to |= map(.code))' <<<"$OUT")" \
	"2025: the split communes apart, by name, with their figures"
assert_eq "$(jq -S -c .totals <<<"$WANT")" "$(jq -S -c .forms[0].totals <<<"$OUT")" \
	"2025: the province's total is everything filed"
assert_eq "$(jq '.rows | length' <<<"$WANT")" "$(jq .forms[0].units <<<"$OUT")" \
	"2025: units that reported (new communes)"
assert_eq "$(jq .unlisted <<<"$WANT")" "$(jq .forms[0].unlisted <<<"$OUT")" \
	"2025: the old district's own reports (no link into 2025-07) counted as unplaced, and said"
antt_ok "$P_CONF" report --period 2025 --form "$FORM"
assert_contains "$OUT" "(tách) Xã Lạc Đạo (11989, 2025-03)" "2025 text: a split commune's row"
assert_contains "$OUT" "was split between Xã Lạc Đạo (11992), Xã Đại Đồng (11995)" \
	"2025 text: where the split commune went"

log_step "a range across the boundary: May to August 2025"
antt_ok "$P_CONF" report --period 2025-05..2025-08 --form "$FORM" --json
assert_eq "2025-07" "$(jq -r .unit.list <<<"$OUT")" "2025-05..2025-08: in the units in force on its last day"
assert_eq "$(jq -s '[.[] | select(.period >= "2025-05" and .period <= "2025-08" and .unit != "332") | .values.hop_dan] | add' \
	"$IT_TMP/ledger.jsonl")" "$(jq .forms[0].totals.hop_dan <<<"$OUT")" \
	"2025-05..2025-08: the province's total is every report of those four months (the old district's own, unplaced, apart)"
antt_ok "$P_CONF" missing --period 2025-05..2025-08 --form "$FORM" --json
assert_eq "2025-03 2025-07" "$(jq -r '[.forms[0].groups[].list] | unique | join(" ")' <<<"$OUT")" \
	"missing 2025-05..2025-08: May and June in the old units, July and August in the new"

log_step "a commune's own report leaves out what it took only a part of"
antt_ok "$P_CONF" report --period 2025 --unit 11995 --form "$FORM" --json
assert_eq "11989 12004 13219" "$(jq -r '[.forms[0].apart[].unit] | join(" ")' <<<"$OUT")" \
	"11995: the split communes it took a part of"
assert_eq false "$(jq '[.forms[0].apart[].in_totals] | any' <<<"$OUT")" \
	"11995: none of them counted in its total"
assert_eq "$(jq -S -c '.rows."11995".values' <<<"$WANT")" "$(jq -S -c .forms[0].totals <<<"$OUT")" \
	"11995: its total is its own"

log_step "2025-Q2 in the old units: the province's old communes and the one it took from Thái Bình"
antt_ok "$P_CONF" report --period 2025-Q2 --form "$FORM" --json
assert_eq "2025-03|2025-07" "$(jq -r '.unit | "\(.list)|\(.scope_list)"' <<<"$OUT")" \
	"Q2: in the units of 2025-03, the scope the province of today"
assert_eq "$(jq -S -c .q2 <<<"$WANT")" "$(jq -S -c .forms[0].totals <<<"$OUT")" \
	"Q2: the total is every old commune's April to June"
assert_contains "$(jq -r '[.forms[0].rows[].name] | join(",")' <<<"$OUT")" "Thành phố Thái Bình" \
	"Q2: the old district of Thái Bình that held 12433 is a row"
assert_eq "0" "$(jq .forms[0].unlisted <<<"$OUT")" "Q2: the old district's own reports are in (its row), none unplaced"
antt_ok "$P_CONF" report --period 2025-05 --units 2025-03 --unit 332 --form "$FORM" --json
assert_eq "12337 12340 12346 12352 12355 12361 12376 332" \
	"$(jq -r '[.forms[0].rows[].key] | sort | join(" ")' <<<"$OUT")" \
	"--units 2025-03 --unit 332: the old district's communes that reported in May, and its own line"
assert_eq "true" "$(jq '.forms[0].rows[] | select(.key == "332") | .own' <<<"$OUT")" \
	"--units 2025-03 --unit 332: the district's own reports are its own line"

log_step "--units 2025-03 over 2025 is refused: the new communes cannot be split back"
run "$ANTT" -c "$P_CONF" report --period 2025 --units 2025-03
assert_rc 65 "report --units 2025-03 --period 2025"
assert_err_has "no links lead from 2025-07 to 2025-03" "report --units 2025-03 --period 2025"
run "$ANTT" -c "$P_CONF" report --period 2025 --units 2099-01
assert_rc 65 "report --units of no list"
assert_err_has "holds no unit list of that name" "report --units of no list"

log_step "history --unit 12337: its own months and those of the four old communes it took"
antt_ok "$P_CONF" history --unit 12337 --period 2025 --json
assert_eq 30 "$(jq '.versions | length' <<<"$OUT")" "history 12337: 6 months of its own, 4 x 6 taken"
assert_eq "12337 12340 12346 12355" \
	"$(jq -r '[.versions[].filed_as | select(. != null) | .unit] | unique | join(" ")' <<<"$OUT")" \
	"history 12337: the old communes, as filed"
assert_eq "Thị trấn Vương|2025-03|full" \
	"$(jq -r '[.versions[].filed_as | select(. != null and .unit == "12337")][0] | "\(.name)|\(.list)|\(.share)"' <<<"$OUT")" \
	"history 12337: the old 12337 is Thị trấn Vương"
antt_ok "$P_CONF" history --unit 12337 --period 2025
assert_contains "$OUT" "filed as    Xã Nhật Tân (12346, list 2025-03): this unit took it whole" \
	"history text: a taken report says so"

log_step "missing: each month judged by its own list"
antt_ok "$P_CONF" missing --period 2025-05 --form "$FORM" --json
EXP_OLD=$(python3 - "$LINKS_CSV" "$NEW_CSV" "$OLD_CSV" <<'EOF'
import csv, sys
new = {r["code"]: r for r in csv.DictReader(open(sys.argv[2]))}
old = list(csv.DictReader(open(sys.argv[3])))
parents = {r["parent_code"] for r in old}
leaves = {r["code"] for r in old if r["code"] not in parents}
print(len({l["old_code"] for l in csv.DictReader(open(sys.argv[1]))
           if l["old_code"] in leaves and new[l["new_code"]]["parent_code"] == "33"}))
EOF
)
# (the old communes that filed, and 12433 back-filled; 332 is no commune)
assert_eq "$EXP_OLD|${#OLD_UNITS[@]}|2025-03" \
	"$(jq -r '.forms[0] | "\(.expected)|\(.reported)|\([.groups[].list] | unique | join(","))"' <<<"$OUT")" \
	"missing 2025-05: the old communes now in the province expected, by their old districts"
assert_eq "" "$(jq -r '.forms[0].missing[] | select(.unit == "12433") | .unit' <<<"$OUT")" \
	"missing 2025-05: the back-filled ward is not missing"
antt_ok "$P_CONF" missing --period 2025-08 --form "$FORM" --json
assert_eq "$(awk -F, '$5 == "33"' "$NEW_CSV" | wc -l)|${#NEW_UNITS[@]}|2025-07" \
	"$(jq -r '.forms[0] | "\(.expected)|\(.reported)|\([.groups[].list] | unique | join(","))"' <<<"$OUT")" \
	"missing 2025-08: the new communes expected"

log_step "export agrees"
antt_ok "$P_CONF" export --period 2025 --form "$FORM" --json
assert_eq "$(jq -S -c .totals <<<"$WANT")" \
	"$(jq -S -c 'group_by(.indicator) | map({(.[0].indicator): (map(.value) | add)}) | add' <<<"$OUT")" \
	"export 2025: its rows add up to everything filed"
assert_eq "11989 12004 12322 13219" \
	"$(jq -r '[.[] | select(.apart) | .unit] | unique | join(" ")' <<<"$OUT")" "export 2025: the split communes apart"

log_step "two levels: no district in missing or export; the province's own report is a line of its own"
antt_ok "$P_CONF" missing --period 2025-08 --form "$FORM" --json
assert_eq "33|null" \
	"$(jq -r '[.forms[0].missing[] | "\(.parent_code)|\(.district_code)"] | unique | join(",")' <<<"$OUT")" \
	"missing 2025-08: each commune's parent is the province, no district"
antt_ok "$P_CONF" missing --period 2025-08 --form "$FORM"
assert_contains "$OUT" "  11953   Phường Phố Hiến: 2025-08" "missing 2025-08 text: a commune, no district"
antt_ok "$P_CONF" export --period 2025-08 --form "$FORM" --csv
assert_eq "province,province_name,unit,unit_name,list,apart,form,period,indicator,label,value" \
	"$(head -n 1 <<<"$OUT")" "export 2025-08: no district columns"
antt_ok "$P_CONF" submit --form "$FORM" --period 2025-08 hop_dan=7
antt_ok "$P_CONF" report --period 2025-08 --form "$FORM" --json
assert_eq "7|true|Tỉnh Hưng Yên" \
	"$(jq -r '.forms[0].rows[] | select(.key == "33") | "\(.values.hop_dan)|\(.own)|\(.name)"' <<<"$OUT")" \
	"2025-08: the province's own report, a line of its own"
assert_eq "$(($(jq '[.[] | select(.list == "new" and .period == "2025-08") | .values.hop_dan] | add' \
	-s "$IT_TMP/ledger.jsonl") + 7))" "$(jq .forms[0].totals.hop_dan <<<"$OUT")" \
	"2025-08: the total is the communes' and the province's own, once each"
antt_ok "$P_CONF" report --period 2025-08 --form "$FORM"
assert_contains "$OUT" "Tỉnh Hưng Yên (33), báo cáo riêng" "2025-08 text: the province's own line"

log_step "a commune with no police station is not expected ([reports] not_expected)"
daemon_stop "$P_PID"
printf '[reports]\nnot_expected = 2025-07:11953\n' >>"$P_CONF"
daemon_start "$P_CONF"
P_PID=$DPID
antt_ok "$P_CONF" missing --period 2025-08 --form "$FORM" --json
assert_eq "$(($(awk -F, '$5 == "33"' "$NEW_CSV" | wc -l) - 1))|11953|" \
	"$(jq -r '.forms[0] | "\(.expected)|\([.not_expected[].unit] | join(","))|\([.missing[] | select(.unit == "11953")] | length | select(. > 0) // "")"' <<<"$OUT")" \
	"missing 2025-08: 11953 not expected, not missing"
antt_ok "$P_CONF" missing --period 2025-08 --form "$FORM"
assert_contains "$OUT" "not expected (no station to report, [reports] not_expected): Phường Phố Hiến (11953)" \
	"missing text: the units not expected"

log_step "verify --deep holds"
assert_verify "$P_CONF" --deep

daemon_stop "$P_PID"
assert_no_sanitizer_reports
