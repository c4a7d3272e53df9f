#!/usr/bin/env bash
# t_units: a province holds several dated unit lists and the links between
# them; what reads units reads the list in force today.
#
# A province (Tỉnh Hưng Yên, 33) loads what the package ships with `antt
# units import` and no file: the list of 2025-03 (10,806 units, in force
# from 2025-03-01 to 2025-06-30), the list of 2025-07 (34 + 3,321 units,
# from 2025-07-01) and the 10,604 links between them, full and partial as
# awk counts them in the CSV.  `antt units` lists them; reports read the
# list in force today (2025-07).  A list loaded the old way (no --list)
# stays the undated list "loaded".  Then every import that must be refused
# (a bad date, --to before --from, an overlap, a bad name, a code absent
# from its list, a bad share, a full link with another, a link to nothing,
# the same list twice, a list not loaded, an old list not before the new)
# exits 65 with its message, and `antt units --json` is the same after it.
# Last, a tree of the old list (a district 332 enrolled with the units below
# it) keeps syncing and verifying when the province loads 2025-07: authority
# reads every list loaded.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DATA=$(cd "$(dirname "$0")/../.." && pwd)/data
OLD_CSV=$DATA/units-vn-2025-03.csv
NEW_CSV=$DATA/units-vn-2025-07.csv
LINKS_CSV=$DATA/units-vn-2025-03-to-2025-07.csv
for f in "$OLD_CSV" "$NEW_CSV" "$LINKS_CSV"; do
	[ -r "$f" ] || fail "no file $f"
done
N_OLD=$(($(wc -l <"$OLD_CSV") - 1))
N_NEW=$(($(wc -l <"$NEW_CSV") - 1))
N_LINKS=$(($(wc -l <"$LINKS_CSV") - 1))
N_FULL=$(awk -F, 'NR > 1 && $3 == "full"' "$LINKS_CSV" | wc -l)
N_PARTIAL=$(awk -F, 'NR > 1 && $3 == "partial"' "$LINKS_CSV" | wc -l)
assert_eq 10806 "$N_OLD" "units of 2025-03 in the CSV"
assert_eq 3355 "$N_NEW" "units of 2025-07 in the CSV (34 + 3,321)"
assert_eq 34 "$(awk -F, '$2 == "province"' "$NEW_CSV" | wc -l)" "provinces of 2025-07"
assert_eq 10604 "$N_LINKS" "links in the CSV"
assert_eq "$N_LINKS" "$((N_FULL + N_PARTIAL))" "every link is full or partial"

node_init p 33
P_CONF=$CONF
daemon_start "$P_CONF"
P_PID=$DPID

log_step "no list yet"
antt_ok "$P_CONF" units --json
assert_eq '{"in_force":null,"links":[],"lists":[]}' "$(jq -S -c . <<<"$OUT")" "units before any import"
antt_ok "$P_CONF" units
assert_contains "$OUT" "no administrative units" "units before any import: text"

log_step "a list loaded the old way is the undated list \"loaded\""
printf '%s\n' "code,level,type,name,parent_code" "33,province,Tỉnh,Tỉnh Hưng Yên," \
	"332,district,Huyện,Huyện Tiên Lữ,33" "12346,commune,Xã,Xã Nhật Tân,332" >"$IT_TMP/small.csv"
antt_ok "$P_CONF" units import "$IT_TMP/small.csv" --json
assert_eq '{"by_depth":[1,1,1],"units":3}' "$(jq -S -c . <<<"$OUT")" "the old import's answer"
antt_ok "$P_CONF" units --json
assert_eq "loaded|null|null|3" "$(jq -r '.lists[0] | "\(.name)|\(.from)|\(.to)|\(.units)"' <<<"$OUT")" \
	"list loaded"
assert_eq '"loaded"' "$(jq -c .in_force <<<"$OUT")" "loaded is in force"
antt_ok "$P_CONF" report --period 2024-05 --unit 332 --json
assert_eq "Huyện Tiên Lữ" "$(jq -r .unit.name <<<"$OUT")" "reports read the list loaded"

log_step "antt units import with no file: the lists and links the package ships"
antt_ok "$P_CONF" units import --json
IMPORTED=$OUT
assert_eq "2025-03|2025-03-01|2025-06-30|$N_OLD" \
	"$(jq -r '.imported[0] | "\(.list)|\(.from)|\(.to)|\(.units)"' <<<"$IMPORTED")" "import of 2025-03"
assert_eq "2025-07|2025-07-01|null|$N_NEW|[34,3321,0]" \
	"$(jq -r '.imported[1] | "\(.list)|\(.from)|\(.to)|\(.units)|\(.by_depth|tojson)"' <<<"$IMPORTED")" \
	"import of 2025-07"
assert_eq "2025-03|2025-07|$N_LINKS|$N_FULL|$N_PARTIAL" \
	"$(jq -r '.imported[2] | "\(.old)|\(.new)|\(.links)|\(.full)|\(.partial)"' <<<"$IMPORTED")" \
	"import of the links"
assert_eq "$DATA/units-vn-2025-03.csv" "$(jq -r '.imported[0].file' <<<"$IMPORTED")" \
	"the files are found in the source tree's data/"

log_step "antt units: the lists, their dates and units, the links"
antt_ok "$P_CONF" units --json
assert_eq "loaded|null|null|3;2025-03|2025-03-01|2025-06-30|$N_OLD;2025-07|2025-07-01|null|$N_NEW" \
	"$(jq -r '[.lists[] | "\(.name)|\(.from)|\(.to)|\(.units)"] | join(";")' <<<"$OUT")" "the lists"
assert_eq "2025-07" "$(jq -r .in_force <<<"$OUT")" "the list in force today"
assert_eq "[{\"full\":$N_FULL,\"new\":\"2025-07\",\"old\":\"2025-03\",\"partial\":$N_PARTIAL}]" \
	"$(jq -S -c .links <<<"$OUT")" "the links, per share"
antt_ok "$P_CONF" units list
assert_contains "$OUT" "in force today" "units list: text"
assert_contains "$OUT" "links 2025-03 -> 2025-07: $N_FULL full, $N_PARTIAL partial" "units list: links"
assert_match "$OUT" "2025-07 +2025-07-01 +- +$N_NEW" "units list: 2025-07's line"

log_step "reports read the list in force today: 2025-07"
antt_ok "$P_CONF" submit --form bvanttq-monthly --period 2025-08 hop_dan=3
antt_ok "$P_CONF" report --period 2025-08 --unit 33 --form bvanttq-monthly --json
assert_eq "Tỉnh Hưng Yên|3" "$(jq -r '"\(.unit.name)|\(.forms[0].totals.hop_dan)"' <<<"$OUT")" \
	"report of 33 under 2025-07"
antt_ok "$P_CONF" report --period 2025-08 --unit 12337 --json
assert_eq "Xã Hoàng Hoa Thám" "$(jq -r .unit.name <<<"$OUT")" "12337 is 2025-07's unit"
run "$ANTT" -c "$P_CONF" report --period 2025-08 --unit 332
assert_rc 65 "report of the old district 332"
assert_err_has "unknown unit '332'" "report of the old district 332"
antt_ok "$P_CONF" missing --period 2025-08 --unit 33 --form bvanttq-monthly --json
assert_eq "$(awk -F, '$5 == "33"' "$NEW_CSV" | wc -l)" \
	"$(jq '[.forms[0].missing[]] | length' <<<"$OUT")" "missing: every commune of 33 in 2025-07"

antt_ok "$P_CONF" units --json
LISTED=$(jq -S -c . <<<"$OUT")
unchanged() { # WHAT
	local now
	now=$("$ANTT" -c "$P_CONF" units --json | jq -S -c .)
	assert_eq "$LISTED" "$now" "$1: the lists and links unchanged"
}

log_step "importing the shipped files again gives the same lists and links"
antt_ok "$P_CONF" units import
assert_contains "$OUT" "$N_LINKS links loaded from" "import again: text"
assert_eq "$(jq -c 'del(.lists[].imported)' <<<"$LISTED")" \
	"$("$ANTT" -c "$P_CONF" units --json | jq -S -c 'del(.lists[].imported)')" "import again"
LISTED=$("$ANTT" -c "$P_CONF" units --json | jq -S -c .)

# refused NEEDLE ARGS...: antt units import ARGS exits 65 naming NEEDLE,
# prints nothing, changes nothing
refused() {
	local needle=$1
	shift
	run "$ANTT" -c "$P_CONF" units import "$@"
	assert_rc 65 "units import $*"
	assert_eq "" "$OUT" "units import $*: stdout"
	assert_err_has "$needle" "units import $*"
	unchanged "after units import $*"
}

log_step "a list with bad dates, an overlap or a bad name is refused; nothing changes"
refused "--from 2026-02-30 is not a date" "$IT_TMP/small.csv" --list x --from 2026-02-30
refused "--from 2026-13-01 is not a date" "$IT_TMP/small.csv" --list x --from 2026-13-01
refused "--to 20270101 is not a date" "$IT_TMP/small.csv" --list x --from 2027-01-01 --to 20270101
refused "--to 2026-01-01 is before --from 2026-02-01" "$IT_TMP/small.csv" --list x --from 2026-02-01 --to 2026-01-01
refused "list x would be in force on days list 2025-03 already is (from 2025-03-01 to 2025-06-30)" \
	"$IT_TMP/small.csv" --list x --from 2025-01-01 --to 2025-03-01
refused "list x would be in force on days list 2025-07 already is" "$IT_TMP/small.csv" --list x --from 2030-01-01
refused "list 2025-03 would be in force on days list 2025-07 already is" \
	"$IT_TMP/small.csv" --list 2025-03 --from 2025-03-01
refused "list name 'bad/name' is not valid" "$IT_TMP/small.csv" --list bad/name --from 2020-01-01 --to 2020-12-31
refused "list name '12345678901234567' is not valid" "$IT_TMP/small.csv" --list 12345678901234567 --from 2020-01-01 --to 2020-12-31
refused "the list name loaded is the undated list's" "$IT_TMP/small.csv" --list loaded --from 2020-01-01 --to 2020-12-31
printf '%s\n' "code,level,type,name,parent_code" "33,province,Tỉnh,Tỉnh Hưng Yên," \
	"12346,commune,Xã,Xã Nhật Tân,332" >"$IT_TMP/orphan.csv"
refused "line 3: unit 12346: missing parent" "$IT_TMP/orphan.csv" --list x --from 2020-01-01 --to 2020-12-31

log_step "bad links are refused; nothing changes"
links() { # NAME LINE...: a links file IT_TMP/NAME.csv with the header and the lines
	local name=$1
	shift
	printf '%s\n' "old_code,new_code,share,old_name,new_name,second_source" "$@" >"$IT_TMP/$name.csv"
}
links good "12346,12337,full,Xã Nhật Tân,Xã Hoàng Hoa Thám,agrees" "12340,12337,full,,,"
links absent_old "12346,12337,full,,," "99999,12337,full,,,"
refused "line 3: unit 99999 is not in list 2025-03" --links "$IT_TMP/absent_old.csv" --old 2025-03 --new 2025-07
links absent_new "12346,12346,full,,,"
refused "line 2: unit 12346 is not in list 2025-07" --links "$IT_TMP/absent_new.csv" --old 2025-03 --new 2025-07
links share "12346,12337,most,,,"
refused "line 2: link 12346 -> 12337: share \"most\" is neither full nor partial" \
	--links "$IT_TMP/share.csv" --old 2025-03 --new 2025-07
links full_and_other "12346,12337,full,,," "12346,12340,partial,,,"
refused "unit 12346 has a full link to 12337 and another link, to 12340 at line 3" \
	--links "$IT_TMP/full_and_other.csv" --old 2025-03 --new 2025-07
links nothing "12346,,full,,,"
refused "line 2: unit 12346 links to nothing" --links "$IT_TMP/nothing.csv" --old 2025-03 --new 2025-07
links twice "12346,12337,partial,,," "12346,12337,partial,,,"
refused "line 3: link 12346 -> 12337 appears a second time, first at line 2" \
	--links "$IT_TMP/twice.csv" --old 2025-03 --new 2025-07
printf '%s\n' "code,level,type,name,parent_code" "12346,12337,full" >"$IT_TMP/units_header.csv"
refused "expected old_code,new_code,share first" --links "$IT_TMP/units_header.csv" --old 2025-03 --new 2025-07
refused "--old and --new are both list 2025-07" --links "$IT_TMP/good.csv" --old 2025-07 --new 2025-07
refused "list 2024-01 is not loaded here" --links "$IT_TMP/good.csv" --old 2024-01 --new 2025-07
refused "list 2099 is not loaded here" --links "$IT_TMP/good.csv" --old 2025-03 --new 2099
refused "list 2025-07 (from 2025-07-01 to open) does not end before list 2025-03 begins" \
	--links "$IT_TMP/good.csv" --old 2025-07 --new 2025-03
refused "list loaded (from always to open) does not end before list 2025-07 begins" \
	--links "$IT_TMP/good.csv" --old loaded --new 2025-07

log_step "usage errors (64) change nothing"
for args in "import $IT_TMP/small.csv --list x" "import $IT_TMP/small.csv --from 2020-01-01" \
	"import --list x --from 2020-01-01" "import --links $IT_TMP/good.csv --old 2025-03" \
	"import $IT_TMP/small.csv --old 2025-03 --new 2025-07" "import a.csv b.csv" \
	"list $IT_TMP/small.csv" "export"; do
	# shellcheck disable=SC2086 # the words are the arguments
	run "$ANTT" -c "$P_CONF" units $args
	assert_rc 64 "antt units $args"
	assert_err_has "usage" "antt units $args"
	unchanged "after antt units $args"
done

log_step "a dated list of the past is added; the list in force stays 2025-07"
antt_ok "$P_CONF" units import "$IT_TMP/small.csv" --list 2024 --from 2024-01-01 --to 2024-12-31 --json
assert_eq '2024|2024-01-01|2024-12-31|3|0' \
	"$(jq -r '"\(.list)|\(.from)|\(.to)|\(.units)|\(.links_dropped)"' <<<"$OUT")" "import of 2024"
antt_ok "$P_CONF" units --json
assert_eq "loaded;2024;2025-03;2025-07|2025-07" \
	"$(jq -r '([.lists[].name] | join(";")) + "|" + .in_force' <<<"$OUT")" "four lists"
links earlier "12346,12346,full,,,"
antt_ok "$P_CONF" units import --links "$IT_TMP/earlier.csv" --old 2024 --new 2025-03
assert_eq "1 links loaded from $IT_TMP/earlier.csv, list 2024 -> list 2025-03 (1 full, 0 partial)" "$OUT" \
	"links 2024 -> 2025-03: text"

log_step "a list imported again replaces its units and drops its links, and says so"
antt_ok "$P_CONF" units import "$IT_TMP/small.csv" --list 2024 --from 2024-02-01 --to 2024-12-31
assert_contains "$OUT" "1 links to or from this list were dropped" "re-import of 2024"
antt_ok "$P_CONF" units --json
assert_eq "2025-03|$N_FULL|$N_PARTIAL|1" \
	"$(jq -r '"\(.links[0].old)|\(.links[0].full)|\(.links[0].partial)|\(.links | length)"' <<<"$OUT")" \
	"only 2024 -> 2025-03's link dropped"
assert_eq "2024|2024-02-01" "$(jq -r '.lists[1] | "\(.name)|\(.from)"' <<<"$OUT")" "2024's new dates"

log_step "the old way still replaces \"loaded\" alone"
antt_ok "$P_CONF" units import "$OLD_CSV" --json
assert_eq "$N_OLD" "$(jq .units <<<"$OUT")" "loaded: the whole old file"
antt_ok "$P_CONF" units --json
assert_eq "loaded:$N_OLD;2024:3;2025-03:$N_OLD;2025-07:$N_NEW|2025-07" \
	"$(jq -r '([.lists[] | "\(.name):\(.units)"] | join(";")) + "|" + .in_force' <<<"$OUT")" "lists"

daemon_stop "$P_PID"

log_step "a tree of 2025-03 keeps syncing when 2025-07 comes in force"
# authority reads every list (I9): the district 332, enrolled with the
# units below it in 2025-03, stays above its commune when the province
# loads what the package ships, though 2025-07 has no district
it_port PORT_P2
it_port PORT_D2
sync_node_init p2 33 "$PORT_P2" "" ""
P2_CONF=$CONF P2_KEY=$PUBKEY
sync_node_init d2 332 "$PORT_D2" "$PORT_P2" "$P2_KEY" "$P2_KEY"
D2_CONF=$CONF D2_KEY=$PUBKEY
sync_node_init c2 12346 "" "$PORT_D2" "$D2_KEY" "$P2_KEY"
C2_CONF=$CONF C2_KEY=$PUBKEY
daemon_start "$P2_CONF"
P2_PID=$DPID
antt_ok "$P2_CONF" units import "$OLD_CSV" --list 2025-03 --from 2025-03-01 --to 2025-06-30
antt_ok "$P2_CONF" enroll --unit 332 --key "$D2_KEY" --below 332
daemon_start "$D2_CONF"
D2_PID=$DPID
# (a hub whose scope is a subtree judges it by a list of its own)
antt_ok "$D2_CONF" units import "$OLD_CSV" --list 2025-03 --from 2025-03-01 --to 2025-06-30
antt_ok "$D2_CONF" enroll --unit 12346 --key "$C2_KEY"
daemon_start "$C2_CONF"
C2_PID=$DPID
antt_ok "$C2_CONF" submit --form bvanttq-monthly --period 2025-05 hop_dan=1
wait_held 30 "$P2_CONF" "$C2_KEY" 1 "before the new lists"
antt_ok "$P2_CONF" units import
antt_ok "$P2_CONF" units --json
assert_eq "2025-07" "$(jq -r .in_force <<<"$OUT")" "2025-07 in force at the province"
antt_ok "$P2_CONF" verify --deep --json
assert_eq true "$(jq -r .valid <<<"$OUT")" "verify --deep: the district's enrollment still holds"
antt_ok "$P2_CONF" children --json
assert_eq "332|hub|null" "$(jq -r '.[0] | "\(.unit)|\(.grant)|\(.quarantined_from)"' <<<"$OUT")" \
	"the district at the province after the import"
antt_ok "$C2_CONF" submit --form bvanttq-monthly --period 2025-06 hop_dan=2
wait_held 30 "$P2_CONF" "$C2_KEY" 2 "after the new lists"
daemon_stop "$C2_PID"
daemon_stop "$D2_PID"
daemon_stop "$P2_PID"
assert_no_sanitizer_reports
