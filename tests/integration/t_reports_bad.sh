#!/usr/bin/env bash
# t_reports_bad: bad units files and bad report requests are refused with a
# clear message, and change nothing.
#
# A node (Xã Nhật Tân, 12346) with a few reports of its own: before any
# units are loaded, report, missing and export say to run antt units
# import.  Then a small good units file is loaded and every answer taken
# as the reference; each bad file (a missing parent, a duplicate code, a
# cycle, a wrong header, an empty file, a file that does not exist, and
# more, some of them errors deep in the real 10,806-unit file) must be
# refused naming the line and the unit, and leave the units and every
# answer exactly as they were.  So must requests naming an unknown unit, a
# bad period, an unknown form, or no period.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

UNITS_CSV=${ANTT_UNITS_CSV:-$(cd "$(dirname "$0")/../.." && pwd)/data/units-vn-2025-03.csv}
[ -r "$UNITS_CSV" ] || fail "no units file at $UNITS_CSV (set ANTT_UNITS_CSV)"
HEADER="code,level,type,name,parent_code"

node_init n 12346
daemon_start "$CONF"
D_PID=$DPID

log_step "reports of the node's own"
antt_ok "$CONF" submit --form bvanttq-monthly --period 2024-05 hop_dan=3 tin_bao=5
antt_ok "$CONF" submit --json --form bvanttq-monthly --period 2024-06 hop_dan=7 camera_an_ninh=2
antt_ok "$CONF" correct "$(jq -r .id <<<"$OUT")" hop_dan=8
antt_ok "$CONF" submit --form bvanttq-event --period 2024-05-17 tin_bao=2 to_giac=1
RECORDS=$(record_count "$CONF")

log_step "before any units are loaded: report, missing and export say to import them"
for cmd in report missing export; do
	run "$ANTT" -c "$CONF" "$cmd" --period 2024-05
	assert_rc 65 "$cmd before units import"
	assert_err_has "antt units import" "$cmd before units import"
	assert_eq "" "$OUT" "$cmd before units import: stdout"
	run "$ANTT" -c "$CONF" "$cmd" --period 2024-05 --json
	assert_rc 65 "$cmd --json before units import"
	assert_err_has "antt units import" "$cmd --json before units import"
done

log_step "a good small units file"
printf '%s\n' "$HEADER" "33,province,Tỉnh,Tỉnh Hưng Yên," "332,district,Huyện,Huyện Tiên Lữ,33" \
	"12346,commune,Xã,Xã Nhật Tân,332" "12337,commune,Thị trấn,Thị trấn Vương,332" >"$IT_TMP/good.csv"
antt_ok "$CONF" units import "$IT_TMP/good.csv" --json
assert_eq '{"by_depth":[1,1,2],"units":4}' "$(jq -S -c . <<<"$OUT")" "units import of the good file"
antt_ok "$CONF" report --period 2024 --unit 33 --form bvanttq-monthly --json
# the figures submitted, May + the corrected June
assert_eq '{"camera_an_ninh":2,"hop_dan":11,"tin_bao":5}' "$(jq -S -c '.forms[0].totals' <<<"$OUT")" \
	"report 2024 after the import"
antt_ok "$CONF" missing --period 2024-Q2 --unit 332 --json
assert_eq '[["12337",["2024-04","2024-05","2024-06"]],["12346",["2024-04"]]]' \
	"$(jq -c '[.forms[0].missing[] | [.unit, .periods]]' <<<"$OUT")" "missing 2024-Q2 after the import"

# the reference: the units table and every answer that depends on it
UNITS_SQL="SELECT group_concat(x, ';') FROM (SELECT code || '|' || level || '|' || type || '|' || name || '|' || coalesce(parent, '') || '|' || depth AS x FROM units ORDER BY code)"
answers() {
	local p
	store_sql "$CONF" "$UNITS_SQL"
	for p in 2024 2024-Q2 2024-05; do
		"$ANTT" -c "$CONF" report --period "$p" --unit 33 --json || echo "report $p failed"
		"$ANTT" -c "$CONF" report --period "$p" --json || echo "report $p (own unit) failed"
		"$ANTT" -c "$CONF" missing --period "$p" --unit 33 --json || echo "missing $p failed"
		"$ANTT" -c "$CONF" export --period "$p" --unit 332 --json || echo "export $p failed"
	done
	"$ANTT" -c "$CONF" history --unit 12346 --period 2024 --json || echo "history failed"
}
REFERENCE=$(answers)
assert_contains "$REFERENCE" "12337|commune|Thị trấn|Thị trấn Vương|332|3" "the units table after the import"
unchanged() { # WHAT
	assert_eq "$REFERENCE" "$(answers)" "$1: units and answers unchanged"
	assert_eq "$RECORDS" "$(record_count "$CONF")" "$1: records unchanged"
}

# refused FILE WHAT NEEDLE...: antt units import FILE fails (exit 65) with a
# message holding every NEEDLE, and nothing changed
refused() {
	local file=$1 what=$2 needle
	shift 2
	run "$ANTT" -c "$CONF" units import "$file"
	assert_rc 65 "units import of $what"
	assert_eq "" "$OUT" "units import of $what: stdout"
	for needle in "$@"; do
		assert_err_has "$needle" "units import of $what"
	done
	unchanged "after the units file with $what"
}
csv() { # NAME LINE...: a units file IT_TMP/NAME.csv with the header and the lines
	local name=$1
	shift
	printf '%s\n' "$HEADER" "$@" >"$IT_TMP/$name.csv"
}

log_step "bad units files are refused naming the line and the unit; nothing changes"
csv missing_parent "33,province,Tỉnh,Tỉnh Hưng Yên," "332,district,Huyện,Huyện Tiên Lữ,33" \
	"12346,commune,Xã,Xã Nhật Tân,332" "12352,commune,Xã,Xã Lệ Xá,9999"
refused "$IT_TMP/missing_parent.csv" "a missing parent" "line 5" "12352" "9999"

csv duplicate "33,province,Tỉnh,Tỉnh Hưng Yên," "332,district,Huyện,Huyện Tiên Lữ,33" \
	"12346,commune,Xã,Xã Nhật Tân,332" "12337,commune,Thị trấn,Thị trấn Vương,332" "12346,commune,Xã,Xã Lệ Xá,332"
refused "$IT_TMP/duplicate.csv" "a duplicate code" "line 6" "12346" "line 4"

csv cycle "33,province,Tỉnh,Tỉnh Hưng Yên," "332,district,Huyện,Huyện Tiên Lữ,12346" \
	"12346,commune,Xã,Xã Nhật Tân,332"
refused "$IT_TMP/cycle.csv" "a cycle" "line 3" "332" "12346"
assert_match "$ERR" "ancestor|cycle" "units import of a cycle: says what is wrong"

csv self_parent "33,province,Tỉnh,Tỉnh Hưng Yên," "332,district,Huyện,Huyện Tiên Lữ,332"
refused "$IT_TMP/self_parent.csv" "a unit its own parent" "line 3" "332"

printf '%s\n' "code,level,name,type,parent_code" "33,province,Tỉnh Hưng Yên,Tỉnh," >"$IT_TMP/header.csv"
refused "$IT_TMP/header.csv" "a wrong header" "line 1" "header" "$HEADER"

: >"$IT_TMP/empty.csv"
refused "$IT_TMP/empty.csv" "nothing in it" "line 1" "empty"

printf '%s\n' "$HEADER" >"$IT_TMP/header_only.csv"
refused "$IT_TMP/header_only.csv" "only the header" "line 2" "no units"

csv fields "33,province,Tỉnh,Tỉnh Hưng Yên," "332,district,Huyện,Huyện Tiên Lữ" "12346,commune,Xã,Xã Nhật Tân,332"
refused "$IT_TMP/fields.csv" "a row short of a field" "line 3" "332" "field"

csv level "33,province,Tỉnh,Tỉnh Hưng Yên," "332,county,Huyện,Huyện Tiên Lữ,33"
refused "$IT_TMP/level.csv" "an unknown level" "line 3" "332" "county"

csv district_under_district "33,province,Tỉnh,Tỉnh Hưng Yên," "332,district,Huyện,Huyện Tiên Lữ,33" \
	"333,district,Huyện,Huyện Phù Cừ,332"
refused "$IT_TMP/district_under_district.csv" "a district under a district" "line 4" "333" "332"

csv commune_no_parent "33,province,Tỉnh,Tỉnh Hưng Yên," "12346,commune,Xã,Xã Nhật Tân,"
refused "$IT_TMP/commune_no_parent.csv" "a commune without a parent" "line 3" "12346"

csv bad_code "33,province,Tỉnh,Tỉnh Hưng Yên," "33 2,district,Huyện,Huyện Tiên Lữ,33"
refused "$IT_TMP/bad_code.csv" "a code with a space" "line 3" "33 2"

# Windows-1258 (a legacy code page) instead of UTF-8: "Xã" as 0x58 0xE3
printf '%s\n' "$HEADER" "33,province,Tỉnh,Tỉnh Hưng Yên," "332,district,Huyện,Huyện Tiên Lữ,33" >"$IT_TMP/cp1258.csv"
printf '12346,commune,X\xe3,X\xe3 Nh\xe2t T\xe2n,332\n' >>"$IT_TMP/cp1258.csv"
refused "$IT_TMP/cp1258.csv" "text that is not UTF-8" "line 4" "12346" "UTF-8"

log_step "errors deep in the real file name their line"
L_12346=$(grep -n '^12346,' "$UNITS_CSV" | cut -d: -f1)
assert_match "$L_12346" '^[0-9]+$' "the line of 12346 in the real file"
LAST=$(wc -l <"$UNITS_CSV")
# a parent code that no line has, at the line of Xã Nhật Tân
assert_eq 0 "$(grep -c '^9999,' "$UNITS_CSV" || true)" "no unit 9999 in the real file"
sed "${L_12346}s/,332\$/,9999/" "$UNITS_CSV" >"$IT_TMP/real_parent.csv"
assert_eq 1 "$(diff "$UNITS_CSV" "$IT_TMP/real_parent.csv" | grep -c '^>' || true)" "the real file with one line changed"
refused "$IT_TMP/real_parent.csv" "a missing parent in the real file" "line $L_12346" "12346" "9999"
# Xã Nhật Tân once more at the end
{ cat "$UNITS_CSV"; sed -n "${L_12346}p" "$UNITS_CSV"; } >"$IT_TMP/real_dup.csv"
refused "$IT_TMP/real_dup.csv" "a duplicate at the end of the real file" "line $((LAST + 1))" "12346" "line $L_12346"
# Huyện Tiên Lữ made a child of one of its own communes
L_332=$(grep -n '^332,' "$UNITS_CSV" | cut -d: -f1)
sed "${L_332}s/,33\$/,12346/" "$UNITS_CSV" >"$IT_TMP/real_cycle.csv"
refused "$IT_TMP/real_cycle.csv" "a cycle in the real file" "332" "12346"
assert_match "$ERR" "line ($L_332|$L_12346)" "units import of a cycle in the real file: a line of the cycle"

log_step "a file that is not there"
run "$ANTT" -c "$CONF" units import "$IT_TMP/no-such-file.csv"
assert_rc 66 "units import of a file that does not exist"
assert_err_has "$IT_TMP/no-such-file.csv" "units import of a file that does not exist"
unchanged "after a file that does not exist"
run "$ANTT" -c "$CONF" units import "$IT_TMP"
assert_ne 0 "$RC" "units import of a folder"
unchanged "after a folder"
# (antt units alone lists the units, antt units import alone loads the
# shipped files: t_units.sh)
for args in "units import $IT_TMP/good.csv $IT_TMP/good.csv" "units list $IT_TMP/good.csv" \
	"units export $IT_TMP/good.csv"; do
	# shellcheck disable=SC2086 # the words are the arguments
	run "$ANTT" -c "$CONF" $args
	assert_rc 64 "antt $args"
	assert_err_has "usage" "antt $args"
done
unchanged "after usage errors"

log_step "a spreadsheet's file (byte order mark, CRLF, quoted fields) is taken as it is"
{ printf '\xef\xbb\xbf'; printf '%s\r\n' "$HEADER" '33,province,Tỉnh,"Tỉnh Hưng Yên",' '332,district,Huyện,"Huyện Tiên Lữ, Hưng Yên",33' \
	'12346,commune,Xã,"Xã ""Nhật"" Tân",332' '12337,commune,Thị trấn,Thị trấn Vương,332'; } >"$IT_TMP/excel.csv"
antt_ok "$CONF" units import "$IT_TMP/excel.csv"
antt_ok "$CONF" report --period 2024-05 --unit 332 --form bvanttq-monthly --json
assert_eq 'Huyện Tiên Lữ, Hưng Yên|Xã "Nhật" Tân' "$(jq -r '"\(.unit.name)|\(.forms[0].rows[0].name)"' <<<"$OUT")" \
	"names from quoted fields"
log_step "importing again replaces the list as a whole"
antt_ok "$CONF" units import "$UNITS_CSV" --json
assert_eq "$(($(wc -l <"$UNITS_CSV") - 1))" "$(jq .units <<<"$OUT")" "the real file: units"
antt_ok "$CONF" units import "$IT_TMP/good.csv"
unchanged "after the good file again"

log_step "bad requests: unknown unit, bad period, unknown form, no period"
# bad_request RC NEEDLE ARGS...: antt ARGS exits RC (64 or 65, '6x' for
# either) naming NEEDLE on stderr, prints nothing on stdout, changes nothing
bad_request() {
	local want=$1 needle=$2
	shift 2
	run "$ANTT" -c "$CONF" "$@"
	if [ "$want" = 6x ]; then
		[ "$RC" -eq 64 ] || [ "$RC" -eq 65 ] || fail "antt $*: expected exit code 64 or 65, got $RC"
	else
		assert_rc "$want" "antt $*"
	fi
	assert_err_has "$needle" "antt $*"
	assert_eq "" "$OUT" "antt $*: stdout"
}
for cmd in report missing export; do
	for unit in 99999 3 "12346x" "a b" "$(printf '1%.0s' {1..40})"; do
		bad_request 6x "$unit" "$cmd" --period 2024-05 --unit "$unit"
		bad_request 6x "$unit" "$cmd" --period 2024-05 --unit "$unit" --json
	done
	for period in 2024-13 2024-Q5 abc 2024-00 2024-Q0 24-05 2024-5 2024-05-32 2024-02-30 2024-W05 " 2024" "2024 " "" \
		2024-05.. ..2024-05 2024-05..2024-13 2024-05...2024-06 2024-05..2024-05..2024-06 "2024-05 ..2024-06"; do
		bad_request 6x "'$period'" "$cmd" --period "$period"
	done
	bad_request 6x "a range runs from an earlier period to a later one" "$cmd" --period 2024-08..2024-05
	bad_request 6x "nope" "$cmd" --period 2024-05 --form nope
	bad_request 64 "--period" "$cmd"
	bad_request 64 "--period" "$cmd" --unit 332
	bad_request 64 "unexpected" "$cmd" --period 2024-05 2024-06
	bad_request 64 "--bogus" "$cmd" --period 2024-05 --bogus
done
bad_request 6x "bogus" report --period 2024-05 --by bogus
bad_request 64 "choose one" report --period 2024-05 --csv --json
bad_request 64 "--by" missing --period 2024-05 --by unit
bad_request 6x "bvanttq-event" missing --period 2024-05 --form bvanttq-event
bad_request 6x "month" missing --period 2024-05-17 --form bvanttq-monthly
bad_request 6x "holds more than 60 months" missing --period 2000..2099 --form bvanttq-monthly
for period in 2024-13 2024-Q5 abc; do
	bad_request 6x "'$period'" history --unit 12346 --period "$period"
done
bad_request 6x "nope" history --unit 12346 --period 2024-05 --form nope
bad_request 64 "--period" history --unit 12346
bad_request 64 "--unit" history --period 2024-05
# a unit that is not in the list may have reports (counted apart): history
# may show them, but must say the unit is not in the list
run "$ANTT" -c "$CONF" history --unit 99999 --period 2024-05
if [ "$RC" -eq 0 ]; then
	assert_contains "$OUT" "not in the administrative list" "history of a unit not in the list"
else
	assert_rc 65 "history of a unit not in the list"
	assert_err_has "99999" "history of a unit not in the list"
fi
unchanged "after the bad requests"

log_step "the store still verifies, and the answers hold after a rebuild"
assert_verify "$CONF" "after everything"
antt_ok "$CONF" rebuild
unchanged "after rebuild"

log_step "history of a unit code that cannot exist is refused"
# (a space, 40 digits: no record can have such a unit; report, missing and
# export refuse them above)
for unit in "a b" "$(printf '1%.0s' {1..40})"; do
	bad_request 6x "$unit" history --unit "$unit" --period 2024-05
done
unchanged "after history of bad unit codes"
daemon_stop "$D_PID"
assert_no_sanitizer_reports
