#!/usr/bin/env bash
# t_reports: a hub's consolidated reports over a real district in full.
#
# The province of Hưng Yên (33) and its district Tiên Lữ (332) with all 11
# of its communes, from the real administrative list (data/
# units-vn-2025-03.csv, imported at both hubs).  Three communes are real
# anttd nodes that submit and correct through antt; the other eight are
# played by report_gen, which signs what antt never would: a chosen author
# clock, two corrections of one version, two originals of one report (two
# keys of one commune), and a report of a commune that is not in the units
# file; and a correction of a record nobody holds, which the district
# refuses (code 8, bad correction).  One commune does not report
# May, another not April, another not this month.
#
# The district first runs with its clock set (libfaketime) to 2024-06-05
# 12:00 UTC, five hours before the May 2024 reports are due (2024-06-06
# 00:00 Vietnam time): what two communes send then is on time, whatever
# their own clocks say and however late it reaches the province.  Then the
# district runs on the real clock and everything else arrives.  The
# province is offline meanwhile, and gets it all at once when it is back.
#
# Every figure submitted is kept in a ledger here (the latest version of
# each report, or its conflict), and every answer of antt report, missing,
# history and export at the province (and the district) is compared with
# what the ledger and the units file give: totals by unit, by period and
# by indicator for the district and the province; the units that did not
# report, per district; late and on time by the first hub's receipt;
# skewed author clocks; every version in history; one export row per unit
# and indicator; rebuild and verify, also after the decoded tables were
# tampered with.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

: "${REPORT_GEN:?set REPORT_GEN to the report_gen binary (built with the tests)}"
[ -x "$REPORT_GEN" ] || fail "REPORT_GEN=$REPORT_GEN is not an executable"
UNITS_CSV=${ANTT_UNITS_CSV:-$(cd "$(dirname "$0")/../.." && pwd)/data/units-vn-2025-03.csv}
[ -r "$UNITS_CSV" ] || fail "no units file at $UNITS_CSV (set ANTT_UNITS_CSV)"

# ---- the time frame ----

NOW0=$(date +%s)
# the current month in Vietnam (UTC+7, no daylight saving)
CUR=$(date -u -d "@$((NOW0 + 7 * 3600))" +%Y-%m)
((10#${CUR:0:4} > 2024)) || fail "this machine's clock says $CUR: the scenario needs a date after 2024"
FAKE_T0_TEXT="2024-06-05 12:00:00"
FAKE_T0=$(date -u -d "$FAKE_T0_TEXT UTC" +%s)
# due: the first moment (Vietnam time) at which a report is late
due_of() { # MONTH(yyyy-mm) -> Unix time of (first day of the next month + 5 days) 00:00 +07
	local next
	next=$(date -u -d "$1-01 +1 month" +%Y-%m-%d)
	echo $(($(date -u -d "$next 00:00:00 +0700" +%s) + 5 * 86400))
}
DUE_04=$(due_of 2024-04)
DUE_05=$(due_of 2024-05)
DUES="{\"2024-04\":$DUE_04,\"2024-05\":$DUE_05,\"2024-06\":$(due_of 2024-06),\"$CUR\":$(due_of "$CUR")}"
((FAKE_T0 < DUE_05 && FAKE_T0 > DUE_04)) || fail "the fake clock is not between the April and May deadlines"

# ---- the units: Tỉnh Hưng Yên (33), Huyện Tiên Lữ (332) ----

# every unit of province 33 from the file: code, name, parent
awk -F, 'NR > 1 { code[$1] = $0; par[$1] = $5 }
	END { for (c in code) { p = c; while (p != "" && p != "33") p = par[p]; if (p == "33") print code[c] } }' \
	"$UNITS_CSV" | sort >"$IT_TMP/units33.csv"
jq -R -s -c 'split("\n") | map(select(. != "") | split(",") | {code: .[0], level: .[1], name: .[3], parent: .[4]})' \
	<"$IT_TMP/units33.csv" >"$IT_TMP/units33.json"
# leaves (nothing below them) with their parent's code and name
jq -c '. as $u | ($u | map({(.code): .name}) | add) as $name
	| [$u[] | select(.code as $c | $u | all(.parent != $c))
	  | {code, name, dcode: .parent, dname: $name[.parent]}]' "$IT_TMP/units33.json" >"$IT_TMP/leaves33.json"
jq -c 'map({(.code): .name}) | add' "$IT_TMP/units33.json" >"$IT_TMP/names.json"
NAMES=$(cat "$IT_TMP/names.json")
assert_eq "Tỉnh Hưng Yên" "$(jq -r '."33"' <<<"$NAMES")" "the units file: province 33"
assert_eq "Huyện Tiên Lữ" "$(jq -r '."332"' <<<"$NAMES")" "the units file: district 332"

R_UNITS=(12337 12346 12376)                               # real anttd communes
G_UNITS=(12340 12352 12355 12361 12364 12367 12370 12373) # played by report_gen
assert_eq "$(printf '%s\n' "${R_UNITS[@]}" "${G_UNITS[@]}" | sort | tr '\n' ' ')" \
	"$(jq -r '[.[] | select(.dcode == "332") | .code] | sort | join(" ")' "$IT_TMP/leaves33.json") " \
	"the communes of Huyện Tiên Lữ in the units file"

# ---- the ledger: what each report should count ----
#
# A report is unit|form|period (an event entry: unit|form|day|n).  For
# each: its unit, form, period, the values of the version that counts,
# whether it is a conflict, how many versions, the ids of the versions in
# order, and whether it should be late and skewed.
declare -A REP_UNIT=() REP_FORM=() REP_PERIOD=() REP_VALS=() REP_CONFLICT=() REP_VERS=() \
	REP_IDS=() REP_LATE=() REP_SKEW=() REP_UNLISTED=()
rep_new() { # KEY UNIT FORM PERIOD VALUES-JSON ID LATE(0/1) SKEW(0/1)
	REP_UNIT[$1]=$2 REP_FORM[$1]=$3 REP_PERIOD[$1]=$4 REP_VALS[$1]=$5 REP_IDS[$1]=$6
	REP_CONFLICT[$1]=0 REP_VERS[$1]=1 REP_LATE[$1]=$7 REP_SKEW[$1]=$8 REP_UNLISTED[$1]=0
}
rep_version() { # KEY ID NEW-VALUES-JSON: a correction that counts
	REP_IDS[$1]+=" $2"
	REP_VERS[$1]=$((REP_VERS[$1] + 1))
	REP_VALS[$1]=$3
}
rep_last_id() { echo "${REP_IDS[$1]##* }"; }

# (the labels of ngay_hoi and y_kien_lang_nghe hold double quotes: CSV quoting)
IND_M=(hop_dan hop_dan_nguoi tin_bao to_giac hoa_giai camera_an_ninh ho_cam_ket ngay_hoi y_kien_lang_nghe)
IND_E=(tin_bao to_giac hoa_giai)
RANDOM=20240605 # the same figures on every run
# rand_vals FORM: sets VALS to a JSON object of figures for some of the
# form's indicators (the first always), and ARGS to them as CODE=N words
rand_vals() {
	local -a inds
	local i sep=""
	if [ "$1" = bvanttq-monthly ]; then inds=("${IND_M[@]}"); else inds=("${IND_E[@]}"); fi
	VALS="{" ARGS=()
	for i in "${!inds[@]}"; do
		if [ "$i" -eq 0 ] || ((RANDOM % 3)); then
			local v=$((RANDOM % 400))
			VALS+="$sep\"${inds[$i]}\":$v" sep=","
			ARGS+=("${inds[$i]}=$v")
		fi
	done
	VALS+="}"
}

# ---- the tree ----

log_step "province 33 and district 332; the district's clock at $FAKE_T0_TEXT UTC"
it_port PORT_P
it_port PORT_D
sync_node_init p 33 "$PORT_P" "" ""
P_CONF=$CONF P_KEY=$PUBKEY
sync_node_init d 332 "$PORT_D" "$PORT_P" "$P_KEY"
D_CONF=$CONF D_KEY=$PUBKEY
# the district's wall clock starts at FAKE_T0 (timers and heartbeats run as
# usual)
anttd_at "$FAKE_T0_TEXT"
daemon_start "$P_CONF"
P_PID=$DPID
antt_ok "$P_CONF" enroll --unit 332 --key "$D_KEY" --units "$SCOPE_332"
ANTTD=$ANTTD_AT daemon_start "$D_CONF"
D_PID=$DPID

log_step "import the units at the province and the district"
# first the real list with one commune more under 332 (12399): a unit that a later list
# no longer has (as after a reform), so that its reports become unlisted
cp "$UNITS_CSV" "$IT_TMP/units-with-12399.csv"
echo "12399,commune,Xã,Xã Thử Nghiệm,332" >>"$IT_TMP/units-with-12399.csv"
for conf in "$P_CONF" "$D_CONF"; do
	antt_ok "$conf" units import "$IT_TMP/units-with-12399.csv"
done

log_step "commune nodes and report_gen keys, enrolled at the district"
C_CONF=() C_KEY=() C_PID=()
for i in "${!R_UNITS[@]}"; do
	sync_node_init "c${R_UNITS[$i]}" "${R_UNITS[$i]}" "" "$PORT_D" "$D_KEY"
	C_CONF+=("$CONF") C_KEY+=("$PUBKEY")
	antt_ok "$D_CONF" enroll --unit "${R_UNITS[$i]}" --key "$PUBKEY"
done
declare -A GKEY=() GPUB=() GUNIT=() GHEAD=()
# report_gen identities: one per played commune, a second key of 12370,
# and one of a commune that is not in the units file (12399)
for g in "${G_UNITS[@]}" 12370b 12399; do
	GKEY[$g]=$IT_TMP/gen-$g.key
	GPUB[$g]=$("$REPORT_GEN" keygen "${GKEY[$g]}")
	GUNIT[$g]=${g%b}
	GHEAD[$g]=0
	antt_ok "$D_CONF" enroll --unit "${GUNIT[$g]}" --key "${GPUB[$g]}"
done
N_ENROLL=$((${#R_UNITS[@]} + ${#GKEY[@]}))

# The province is away until everything was sent: the district then
# forwards it all at once, in compressed batches, with when it first stored
# each record.
log_step "the province goes offline"
daemon_stop "$P_PID"

# gen_send G SPEC-LINES...: report_gen signs the lines as key G (commune
# GUNIT[G]) and sends them to the district; GEN_IDS: the ids, by line
gen_send() {
	local g=$1
	shift
	printf '%s\n' "$@" >"$IT_TMP/spec-$g.jsonl"
	run "$REPORT_GEN" send --hub "tcp://127.0.0.1:$PORT_D" --hub-key "$D_KEY" --key "${GKEY[$g]}" \
		--unit "${GUNIT[$g]}" --spec "$IT_TMP/spec-$g.jsonl" --timeout "$(slow 10000)"
	[ "$RC" -eq 0 ] || fail "report_gen send as $g exited $RC"
	GHEAD[$g]=$(jq -r .head_after <<<"$OUT")
	mapfile -t GEN_IDS < <(jq -r '.records[].id' <<<"$OUT")
	assert_eq "$#" "${#GEN_IDS[@]}" "report_gen $g: records sent"
}
# spec LINE: a spec line for the form bvanttq-monthly, figures VALS
spec() { # PERIOD CLOCK-FIELD [EXTRA-FIELDS]
	echo "{\"form\":\"bvanttq-monthly\",\"period\":\"$1\",\"values\":$VALS,$2${3:+,$3}}"
}

log_step "before the May deadline (the district's clock): 12340 and 12352 report April and May"
# 12340 signed April on 3 May (its clock), but the district first stores it
# on 5 June: late, and its clock more than two days behind: skewed
CLOCK_0503=$(date -u -d "2024-05-03 03:00:00 UTC" +%s)
rand_vals bvanttq-monthly
V1=$VALS
rand_vals bvanttq-monthly
gen_send 12340 "$(VALS=$V1 spec 2024-04 "\"clock\":$CLOCK_0503")" "$(spec 2024-05 "\"clock\":$((FAKE_T0 - 3600))")"
rep_new "12340|bvanttq-monthly|2024-04" 12340 bvanttq-monthly 2024-04 "$V1" "${GEN_IDS[0]}" 1 1
rep_new "12340|bvanttq-monthly|2024-05" 12340 bvanttq-monthly 2024-05 "$VALS" "${GEN_IDS[1]}" 0 0
rand_vals bvanttq-monthly
V1=$VALS
rand_vals bvanttq-monthly
gen_send 12352 "$(VALS=$V1 spec 2024-04 "\"clock\":$((FAKE_T0 - 1800))")" "$(spec 2024-05 "\"clock\":$((FAKE_T0 - 1800))")"
rep_new "12352|bvanttq-monthly|2024-04" 12352 bvanttq-monthly 2024-04 "$V1" "${GEN_IDS[0]}" 1 0
rep_new "12352|bvanttq-monthly|2024-05" 12352 bvanttq-monthly 2024-05 "$VALS" "${GEN_IDS[1]}" 0 0
antt_ok "$D_CONF" history --unit 12340 --period 2024-05 --json
FAKE_RECV=$(jq -r '.versions[0].received' <<<"$OUT")
((FAKE_RECV >= FAKE_T0 && FAKE_RECV < FAKE_T0 + 600)) ||
	fail "the district should have stored 12340's May report at its fake clock ($FAKE_T0_TEXT UTC + a little), got $FAKE_RECV"

log_step "the district back on the real clock; the three commune nodes start"
daemon_stop "$D_PID"
daemon_start "$D_CONF"
D_PID=$DPID
for i in "${!R_UNITS[@]}"; do
	daemon_start "${C_CONF[$i]}"
	C_PID+=("$DPID")
done

# real_submit I FORM PERIOD KEY LATE SKEW: commune node I submits VALS
real_submit() {
	antt_ok "${C_CONF[$1]}" submit --json --form "$2" --period "$3" "${ARGS[@]}"
	rep_new "$4" "${R_UNITS[$1]}" "$2" "$3" "$VALS" "$(jq -r .id <<<"$OUT")" "$5" "$6"
}
# real_correct I KEY CODE=N...: commune node I corrects the latest version
real_correct() {
	local i=$1 key=$2 id vals
	shift 2
	antt_ok "${C_CONF[$i]}" correct "$(rep_last_id "$key")" "$@" --json
	id=$(jq -r .id <<<"$OUT")
	vals=${REP_VALS[$key]}
	for kv in "$@"; do
		vals=$(jq -c --arg k "${kv%%=*}" --argjson v "${kv#*=}" '.[$k] = $v' <<<"$vals")
	done
	rep_version "$key" "$id" "$vals"
}

log_step "the commune nodes submit four months and events, and correct through antt"
M=bvanttq-monthly E=bvanttq-event
for i in "${!R_UNITS[@]}"; do
	u=${R_UNITS[$i]}
	for p in 2024-04 2024-05 2024-06 "$CUR"; do
		# Cương Chính (12376) does not report April
		[ "$u" = 12376 ] && [ "$p" = 2024-04 ] && continue
		late=1
		[ "$p" = "$CUR" ] && late=0
		rand_vals $M
		real_submit "$i" $M "$p" "$u|$M|$p" "$late" 0
	done
done
# 12346 corrects May twice (the second correction corrects the first)
real_correct 1 "12346|$M|2024-05" hop_dan=$((RANDOM % 50)) tin_bao=777
real_correct 1 "12346|$M|2024-05" hop_dan_nguoi=4321
# 12337 corrects June; 12376 changes only the note of its current month
real_correct 0 "12337|$M|2024-06" to_giac=9 camera_an_ninh=0
antt_ok "${C_CONF[2]}" correct "$(rep_last_id "12376|$M|$CUR")" --note "chỉ sửa ghi chú" --json
rep_version "12376|$M|$CUR" "$(jq -r .id <<<"$OUT")" "${REP_VALS[12376|$M|$CUR]}"
# events: entries of a day add up; one is corrected
for spec_e in "0 2024-05-10" "0 2024-05-10" "0 $CUR-01" "1 2024-06-15" "1 2024-06-30" "2 2024-04-30" "2 $CUR-01"; do
	i=${spec_e%% *} day=${spec_e#* }
	n=0
	while [ -n "${REP_UNIT[${R_UNITS[$i]}|$E|$day|$n]:-}" ]; do n=$((n + 1)); done
	rand_vals $E
	real_submit "$i" $E "$day" "${R_UNITS[$i]}|$E|$day|$n" 0 0
done
real_correct 1 "12346|$E|2024-06-15|0" tin_bao=55

log_step "report_gen plays the other communes: months, corrections, conflicts, skewed clocks"
NOW=$(date +%s)
# 12340: corrects its (on time) May report now, after the deadline: the
# report stays on time (its first version's receipt decides); June; this month
rand_vals $M
V_CORR=$(jq -c --argjson new "$VALS" '. + $new' <<<"${REP_VALS[12340|$M|2024-05]}")
rand_vals $M
V_JUN=$VALS
rand_vals $M
gen_send 12340 "$(VALS=$V_CORR spec 2024-05 '"clock_offset":-60' "\"corrects\":\"$(rep_last_id "12340|$M|2024-05")\"")" \
	"$(VALS=$V_JUN spec 2024-06 '"clock_offset":-60')" "$(spec "$CUR" '"clock_offset":-60')"
rep_version "12340|$M|2024-05" "${GEN_IDS[0]}" "$V_CORR"
rep_new "12340|$M|2024-06" 12340 $M 2024-06 "$V_JUN" "${GEN_IDS[1]}" 1 0
rep_new "12340|$M|$CUR" 12340 $M "$CUR" "$VALS" "${GEN_IDS[2]}" 0 0

# the others: April, May, June and this month, each with its own twist.
# CLOCK[unit]: this month's report's author clock, from now; SKEW: beyond
# 10 minutes ahead or 2 days behind
declare -A CLOCK=([12352]=3600 [12355]=900 [12361]=-259200 [12364]=-176400 [12367]=300 [12370]=-86400)
declare -A SKEWED=([12352]=1 [12355]=1 [12361]=1 [12364]=1 [12367]=0 [12370]=0)
for g in 12352 12355 12361 12364 12367 12370 12373; do
	lines=() keys=() kinds=() vals=()
	for p in 2024-04 2024-05 2024-06 "$CUR"; do
		[ "$g" = 12352 ] && [ "$p" != 2024-06 ] && [ "$p" != "$CUR" ] && continue # sent before
		[ "$g" = 12355 ] && [ "$p" = 2024-05 ] && continue                          # does not report May
		[ "$g" = 12373 ] && [ "$p" = "$CUR" ] && continue                           # nor this month
		rand_vals $M
		if [ "$p" = "$CUR" ]; then
			lines+=("$(spec "$p" "\"clock_offset\":${CLOCK[$g]}")")
			kinds+=("new 0 ${SKEWED[$g]}")
		else
			lines+=("$(spec "$p" '"clock_offset":-120')")
			kinds+=("new 1 0")
		fi
		keys+=("$g|$M|$p") vals+=("$VALS")
		if [ "$g" = 12364 ] && [ "$p" = 2024-06 ]; then
			# two corrections of the same original: a conflict
			o=$((${#lines[@]} - 1))
			for _ in 1 2; do
				rand_vals $M
				lines+=("$(spec "$p" '"clock_offset":-100' "\"corrects\":$o")")
				keys+=("$g|$M|$p") kinds+=("conflict") vals+=("$VALS")
			done
		fi
		if [ "$g" = 12367 ] && [ "$p" = 2024-06 ]; then
			# a chain: original, its correction, the correction's correction
			for _ in 1 2; do
				rand_vals $M
				lines+=("$(spec "$p" '"clock_offset":-100' "\"corrects\":$((${#lines[@]} - 1))")")
				keys+=("$g|$M|$p") kinds+=("correct") vals+=("$VALS")
			done
		fi
	done
	gen_send "$g" "${lines[@]}"
	for j in "${!lines[@]}"; do
		k=${keys[$j]}
		case ${kinds[$j]} in
		new*)
			read -r _ late skew <<<"${kinds[$j]}"
			rep_new "$k" "$g" $M "${k##*|}" "${vals[$j]}" "${GEN_IDS[$j]}" "$late" "$skew"
			;;
		correct) rep_version "$k" "${GEN_IDS[$j]}" "${vals[$j]}" ;;
		conflict)
			REP_IDS[$k]+=" ${GEN_IDS[$j]}"
			REP_VERS[$k]=$((REP_VERS[$k] + 1)) REP_CONFLICT[$k]=1
			;;
		esac
	done
done
# a second key of 12370 sends another original of its May report: a conflict
rand_vals $M
gen_send 12370b "$(spec 2024-05 '"clock_offset":-60')"
REP_IDS[12370|$M|2024-05]+=" ${GEN_IDS[0]}"
REP_VERS[12370|$M|2024-05]=2 REP_CONFLICT[12370|$M|2024-05]=1
# a correction of a record nobody holds: refused at the district (code 8,
# proto/README.md "Corrections"), so 12373's June stands as it was
rand_vals $M
printf '%s\n' "$(spec 2024-06 '"clock_offset":-100' "\"corrects\":\"$(printf '%064d' 12373)\"")" \
	>"$IT_TMP/spec-12373-orphan.jsonl"
run "$REPORT_GEN" send --hub "tcp://127.0.0.1:$PORT_D" --hub-key "$D_KEY" --key "${GKEY[12373]}" \
	--unit 12373 --spec "$IT_TMP/spec-12373-orphan.jsonl" --timeout "$(slow 10000)"
assert_rc 1 "report_gen 12373: a correction of a record nobody holds"
assert_eq 8 "$(jq -r '[.refused[].code] | join(" ")' <<<"$OUT")" "a correction of a record nobody holds: refusal code"
assert_contains "$(jq -r '.refused[0].reason' <<<"$OUT")" "does not hold" "a correction of a record nobody holds: reason"
assert_eq "${GHEAD[12373]}" "$(jq -r .head_after <<<"$OUT")" "a correction of a record nobody holds: not stored"
# and a commune that is not in the units file reports May: counted apart
rand_vals $M
gen_send 12399 "$(spec 2024-05 '"clock_offset":-60')"
rep_new "12399|$M|2024-05" 12399 $M 2024-05 "$VALS" "${GEN_IDS[0]}" 1 0
REP_UNLISTED[12399|$M|2024-05]=1

log_step "the province is back: everything reaches it"
daemon_start "$P_CONF"
P_PID=$DPID
for i in "${!R_UNITS[@]}"; do
	wait_held 60 "$P_CONF" "${C_KEY[$i]}" "$(own_seq "${C_CONF[$i]}")" "commune ${R_UNITS[$i]}"
done
for g in "${!GKEY[@]}"; do
	wait_held 30 "$P_CONF" "${GPUB[$g]}" "${GHEAD[$g]}" "report_gen $g"
done
wait_held 30 "$P_CONF" "$D_KEY" "$N_ENROLL" "the district's enrollments"

log_step "the real units file, as it is, replaces the list at both hubs"
N_UNITS=$(($(wc -l <"$UNITS_CSV") - 1))
for conf in "$P_CONF" "$D_CONF"; do
	antt_ok "$conf" units import "$UNITS_CSV" --json
	assert_eq "$N_UNITS" "$(jq -r .units <<<"$OUT")" "units import: units loaded"
	assert_eq "$(awk -F, 'NR > 1 { n[$2]++ } END { printf "[%d,%d,%d]", n["province"], n["district"], n["commune"] }' "$UNITS_CSV")" \
		"$(jq -c .by_depth <<<"$OUT")" "units import: provinces, districts, communes"
done
SENT_DONE=$(date +%s)

# the ledger, as JSON: one object per report
for k in "${!REP_UNIT[@]}"; do
	jq -nc --arg unit "${REP_UNIT[$k]}" --arg form "${REP_FORM[$k]}" --arg period "${REP_PERIOD[$k]}" \
		--argjson values "${REP_VALS[$k]}" --argjson conflict "${REP_CONFLICT[$k]}" \
		--argjson versions "${REP_VERS[$k]}" --arg ids "${REP_IDS[$k]}" \
		--argjson late "${REP_LATE[$k]}" --argjson skew "${REP_SKEW[$k]}" --argjson unlisted "${REP_UNLISTED[$k]}" \
		'{$unit, $form, $period, $values, conflict: ($conflict == 1), $versions,
		  ids: ($ids | split(" ")), late: ($late == 1), skew: ($skew == 1), unlisted: ($unlisted == 1)}'
done | jq -s -c 'sort_by(.unit, .form, .period)' >"$IT_TMP/ledger.json"

# ---- what the ledger says each answer must be ----

JQ_DEFS='
def days(p): (p | gsub("-"; "")) as $s
  | if p | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}$") then [($s | tonumber), ($s | tonumber)]
    elif p | test("^[0-9]{4}-[0-9]{2}$") then [($s | tonumber) * 100 + 1, ($s | tonumber) * 100 + 31]
    elif p | test("^[0-9]{4}-Q[1-4]$") then (p[0:4] | tonumber) as $y | (p[6:7] | tonumber) as $q
      | [$y * 10000 + ($q * 3 - 2) * 100 + 1, $y * 10000 + ($q * 3) * 100 + 31]
    else (p | tonumber) as $y | [$y * 10000 + 101, $y * 10000 + 1231] end;
def within(p; $P): days(p) as $a | days($P) as $b | $a[0] >= $b[0] and $a[1] <= $b[1];
# every unit of the ledger is in 332 (so in 33), but for the one not in the units file
def inscope($scope): (.unlisted | not) and ($scope == "33" or $scope == "332" or .unit == $scope);
def sumvals: map(.values | to_entries[]) | group_by(.key) | map({key: .[0].key, value: (map(.value) | add)}) | from_entries;
def rkey($scope; $by): if $by == "unit" then (if $scope == "33" then "332" else .unit end)
  elif $by == "period" then .period[0:7] else "" end;
# the expected answer of antt report for one form
def expect($L; $names; $P; $scope; $by; $form):
  [$L[] | select(.form == $form and within(.period; $P) and inscope($scope))] as $r
  | {totals: ($r | map(select(.conflict | not)) | sumvals),
     units: ($r | map(.unit) | unique | length),
     rows: ($r | group_by(rkey($scope; $by)) | map(
        {key: (.[0] | rkey($scope; $by)), units: (map(.unit) | unique | length),
         values: (map(select(.conflict | not)) | sumvals)}
        + (if $by == "unit" then {name: $names[.[0] | rkey($scope; $by)]} else {} end))),
     conflicts: ($r | map(select(.conflict)) | sort_by(.unit, .period)
        | map({unit, name: $names[.unit], period, versions}))};
def actual: {totals, units, rows: (.rows | sort_by(.key)), conflicts};
'

# check_report CONF SCOPE(33|332|commune) PERIOD BY [UNIT-ARG]: antt report
# --json at CONF (with --unit UNIT-ARG when given) against the ledger, form
# by form
check_report() {
	local conf=$1 scope=$2 period=$3 by=$4 unit=${5:-} args=() form
	[ -n "$unit" ] && args+=(--unit "$unit")
	antt_ok "$conf" report --period "$period" --by "$by" "${args[@]}" --json
	assert_eq "$scope|${period}|$by|$(jq -r --arg s "$scope" '.[$s]' "$IT_TMP/names.json")" \
		"$(jq -r '"\(.unit.code)|\(.period)|\(.by)|\(.unit.name)"' <<<"$OUT")" \
		"report $period --by $by at $(basename "$(dirname "$conf")"): scope"
	assert_eq "bvanttq-event bvanttq-monthly" "$(jq -r '[.forms[].form] | sort | join(" ")' <<<"$OUT")" \
		"report $period: the forms answered"
	for form in bvanttq-monthly bvanttq-event; do
		local got want
		got=$(jq -S -c --arg f "$form" "$JQ_DEFS"' .forms[] | select(.form == $f) | actual' <<<"$OUT")
		want=$(jq -n -S -c --slurpfile L "$IT_TMP/ledger.json" --slurpfile N "$IT_TMP/names.json" \
			--arg P "$period" --arg s "$scope" --arg by "$by" --arg f "$form" \
			"$JQ_DEFS"' expect($L[0]; $N[0]; $P; $s; $by; $f)')
		assert_eq "$want" "$got" "report --period $period --by $by (scope $scope) at $(basename "$(dirname "$conf")"), form $form"
	done
}

log_step "sanity: the ledger holds what was planned"
L=$(cat "$IT_TMP/ledger.json")
assert_eq 2 "$(jq '[.[] | select(.conflict)] | length' <<<"$L")" "conflicts in the ledger"
assert_eq "$((3 * 4 - 1 + 8 * 4 - 2 + 1))" "$(jq '[.[] | select(.form == "bvanttq-monthly")] | length' <<<"$L")" "monthly reports in the ledger"
# the figures of the test are not all zero (a report of zeros would prove little)
(($(jq '[.[] | select(.conflict | not) | .values[]] | add' <<<"$L") > 1000)) || fail "the ledger's figures are too small"

log_step "antt report at the province: the district, by unit, period and indicator"
for p in 2024-04 2024-05 2024-06 2024-Q2 2024 "$CUR"; do
	check_report "$P_CONF" 332 "$p" unit 332
done
check_report "$P_CONF" 332 2024 period 332
check_report "$P_CONF" 332 2024-Q2 indicator 332
log_step "antt report at the province: the province (its own unit), by unit, period and indicator"
for by in unit period indicator; do
	check_report "$P_CONF" 33 2024-Q2 "$by"
done
check_report "$P_CONF" 33 "$CUR" unit
check_report "$P_CONF" 33 "${CUR:0:4}" period 33
check_report "$P_CONF" 12346 2024-Q2 unit 12346
# the same figures at the district, for its own unit
log_step "antt report at the district agrees with the ledger and the province"
check_report "$D_CONF" 332 2024-Q2 unit
check_report "$D_CONF" 332 2024 period
# (reports of unlisted units are counted only at a hub's own scope: the
# province cannot place them under 332, the district knows they are its own)
antt_ok "$P_CONF" report --period 2024 --unit 332 --json
P_332=$(jq -S -c '.forms | map(del(.unlisted))' <<<"$OUT")
antt_ok "$D_CONF" report --period 2024 --json
assert_eq "$P_332" "$(jq -S -c '.forms | map(del(.unlisted))' <<<"$OUT")" "report 2024 of 332: province and district"

log_step "antt report --csv: one row per breakdown row and indicator, as in --json"
CSV_Q='def q: tostring | if test("[,\"\r\n]") then "\"" + gsub("\""; "\"\"") + "\"" else . end;'
for by in unit period; do
	antt_ok "$P_CONF" report --period 2024-Q2 --unit 332 --by "$by" --json
	want=$(jq -r "$CSV_Q"' . as $r | .forms[] as $f | $f.rows[] as $row | $f.indicators[]
		| [$f.form, $r.period, $row.key, ($row.name // ""), .code, .label, $row.units, ($row.values[.code] // 0)]
		| map(q) | join(",")' <<<"$OUT")
	antt_ok "$P_CONF" report --period 2024-Q2 --unit 332 --by "$by" --csv
	assert_eq "form,period,key,name,indicator,label,units,value" "$(head -n 1 <<<"$OUT")" "report --csv: header"
	assert_eq "$want" "$(tail -n +2 <<<"$OUT")" "report 2024-Q2 --by $by --csv against --json"
done
assert_contains "$OUT" '"Số ""Ngày hội toàn dân bảo vệ an ninh Tổ quốc"" được tổ chức"' "report --csv: a label with quotes"

log_step "a conflict is listed and counted in neither version"
antt_ok "$P_CONF" report --period 2024-06 --unit 332 --form bvanttq-monthly --json
# two corrections of one version (12364)
assert_eq '[{"name":"Xã Hải Thắng","period":"2024-06","unit":"12364","versions":3}]' \
	"$(jq -S -c '.forms[0].conflicts | sort_by(.unit)' <<<"$OUT")" "conflicts of June"
# none of the three versions' figures is in 12364's row
row=$(jq -c '.forms[0].rows[] | select(.key == "12364")' <<<"$OUT")
assert_eq '{}' "$(jq -c .values <<<"$row")" "June: the values of 12364, in conflict"
antt_ok "$P_CONF" report --period 2024-06 --unit 332 --form bvanttq-monthly
assert_contains "$OUT" "CONFLICT Xã Hải Thắng (12364) 2024-06" "report text: the conflict line"
antt_ok "$P_CONF" report --period 2024-05 --unit 332 --form bvanttq-monthly --json
assert_eq '["12370"]' "$(jq -c '[.forms[0].conflicts[].unit]' <<<"$OUT")" "conflicts of May (two originals of 12370)"

# ---- missing, late, skewed ----

# check_missing CONF SCOPE PERIOD [UNIT-ARG]: antt missing --json against
# the ledger and the units file
check_missing() {
	local conf=$1 scope=$2 period=$3 unit=${4:-} args=() got want
	[ -n "$unit" ] && args+=(--unit "$unit")
	antt_ok "$conf" missing --period "$period" "${args[@]}" --json
	assert_eq "bvanttq-monthly" "$(jq -r '[.forms[].form] | join(" ")' <<<"$OUT")" "missing $period: the periodic forms"
	got=$(jq -S -c '.forms[0] | {deadline_days, expected, reported, late, skewed,
		groups: (.groups | map(del(.list)) | sort_by(.code)),
		missing: (.missing | map(del(.list, .parent, .parent_code) | .periods |= sort) | sort_by(.unit)),
		late_reports: (.late_reports | map({unit, name, district, period, due, stored_late: (.stored >= .due)}) | sort_by(.unit, .period)),
		skewed_reports: (.skewed_reports | map({unit, name, period}) | sort_by(.unit, .period))}' <<<"$OUT")
	want=$(jq -n -S -c --slurpfile L "$IT_TMP/ledger.json" --slurpfile leaves "$IT_TMP/leaves33.json" \
		--arg P "$period" --arg s "$scope" --argjson due "$DUES" \
		"$JQ_DEFS"'
		def months($P): [range(1; 13) | tostring | if length == 1 then "0" + . else . end
			| ($P[0:4] + "-" + .) | select(within(.; $P))];
		months($P) as $ms
		| [$leaves[0][] | select($s == "33" or .dcode == $s or .code == $s)] as $exp
		| [$L[0][] | select(.form == "bvanttq-monthly" and within(.period; $P) and inscope($s))] as $rep
		| ($rep | map({key: "\(.unit)|\(.period)", value: .}) | from_entries) as $by
		| ($exp | map({key: .code, value: .}) | from_entries) as $leaf
		| {deadline_days: 5,
		   expected: (($exp | length) * ($ms | length)),
		   reported: ($rep | length),
		   late: ($rep | map(select(.late)) | length),
		   skewed: ($rep | map(select(.skew)) | length),
		   groups: ($exp | group_by(.dcode) | map(. as $g | [$g[] as $u | $ms[] | $by["\($u.code)|\(.)"]] as $f
		     | {code: $g[0].dcode, name: $g[0].dname, expected: (($g | length) * ($ms | length)),
		        reported: ($f | map(select(. != null)) | length),
		        on_time: ($f | map(select(. != null and (.late | not))) | length),
		        late: ($f | map(select(. != null and .late)) | length)})),
		   missing: [$exp[] | . as $u | [$ms[] | select($by["\($u.code)|\(.)"] == null)] as $abs
		     | select($abs | length > 0)
		     | {unit: .code, name, district: .dname, district_code: .dcode, periods: $abs}] | sort_by(.unit),
		   late_reports: ($rep | map(select(.late) | {unit, name: $leaf[.unit].name, district: $leaf[.unit].dname, period,
		     due: $due[.period],
		     stored_late: true}) | sort_by(.unit, .period)),
		   skewed_reports: ($rep | map(select(.skew) | {unit, name: $leaf[.unit].name, period}) | sort_by(.unit, .period))}')
	assert_eq "$want" "$got" \
		"missing --period $period (scope $scope) at $(basename "$(dirname "$conf")")"
	assert_eq loaded "$(jq -r '[.unit.list, (.forms[0] | .groups[], .missing[] | .list)] | unique | join(" ")' <<<"$OUT")" \
		"missing --period $period: one list, the one loaded from a file"
	assert_eq true "$(jq '[.forms[0] | .missing[], .late_reports[] | .parent_code == .district_code] | all' <<<"$OUT")" \
		"missing --period $period: in the list of 2025-03 every commune's parent is its district"
}

log_step "antt missing: who did not report, per district; late by the first hub's receipt; skewed clocks"
check_missing "$P_CONF" 332 2024-05 332
check_missing "$P_CONF" 332 2024-04 332
check_missing "$P_CONF" 332 "$CUR" 332
check_missing "$P_CONF" 332 2024-Q2 332
check_missing "$P_CONF" 33 2024-Q2
check_missing "$P_CONF" 33 "$CUR"
check_missing "$P_CONF" 332 2024 332
check_missing "$D_CONF" 332 2024-Q2
check_missing "$D_CONF" 332 2024-05
check_missing "$D_CONF" 332 "$CUR"
# spelled out, what the ledger gave for the main cases
antt_ok "$P_CONF" missing --period 2024-05 --unit 332 --json
assert_eq '[["12355",["2024-05"]]]' "$(jq -c '[.forms[0].missing[] | [.unit, .periods]]' <<<"$OUT")" "May: the one commune that did not report"
assert_eq '{"code":"332","expected":11,"late":8,"list":"loaded","name":"Huyện Tiên Lữ","on_time":2,"reported":10}' \
	"$(jq -S -c '.forms[0].groups[0]' <<<"$OUT")" "May: Tiên Lữ's counts (12340 and 12352 on time at the district's clock)"
assert_eq "[$DUE_05]" "$(jq -c '[.forms[0].late_reports[].due] | unique' <<<"$OUT")" "May: due 2024-06-06 00:00 Vietnam time"
antt_ok "$P_CONF" missing --period "$CUR" --unit 332 --json
assert_eq '[["12373",["'"$CUR"'"]]]' "$(jq -c '[.forms[0].missing[] | [.unit, .periods]]' <<<"$OUT")" "$CUR: the one commune that did not report"
assert_eq '0 10' "$(jq -r '.forms[0] | "\(.late) \(.groups[0].on_time)"' <<<"$OUT")" "$CUR: late, on time"
assert_eq '12352 12355 12361 12364' "$(jq -r '[.forms[0].skewed_reports[].unit] | sort | join(" ")' <<<"$OUT")" "$CUR: skewed clocks"
antt_ok "$P_CONF" missing --period 2024-04 --unit 332 --json
assert_eq '12340' "$(jq -r '[.forms[0].skewed_reports[].unit] | join(" ")' <<<"$OUT")" "April: skewed clocks"
assert_eq '[["12376",["2024-04"]]]' "$(jq -c '[.forms[0].missing[] | [.unit, .periods]]' <<<"$OUT")" "April: the one commune that did not report"
assert_eq 0 "$(jq '.forms[0].groups[0].on_time' <<<"$OUT")" "April: nobody on time (the earliest arrived on 5 June)"
antt_ok "$P_CONF" missing --period 2024-05 --unit 332
assert_contains "$OUT" "12355   Xã An Viên, Huyện Tiên Lữ: 2024-05" "missing text: the commune that did not report"
assert_contains "$OUT" "Huyện Tiên Lữ (332)" "missing text: the district"
# the province: every other district of Hưng Yên reported nothing
antt_ok "$P_CONF" missing --period "$CUR" --json
assert_eq "$(jq '[.[] | select(.dcode != "332")] | length + 1' "$IT_TMP/leaves33.json")" \
	"$(jq '.forms[0].missing | length' <<<"$OUT")" "$CUR at the province: communes missing"
assert_eq "$(jq 'map(.dcode) | unique | length' "$IT_TMP/leaves33.json")" "$(jq '.forms[0].groups | length' <<<"$OUT")" \
	"$CUR at the province: one group per district"

log_step "skew is measured against the first hub's receipt, with the author's clock as signed"
antt_ok "$P_CONF" missing --period "$CUR" --unit 332 --json
for u in 12352 12355 12361 12364; do
	clock=$(jq --arg u "$u" '.forms[0].skewed_reports[] | select(.unit == $u) | .clock' <<<"$OUT")
	stored=$(jq --arg u "$u" '.forms[0].skewed_reports[] | select(.unit == $u) | .stored' <<<"$OUT")
	want=$((NOW + CLOCK[$u]))
	((clock >= want && clock <= want + $(slow 30))) || fail "$u: skewed clock $clock, expected about now${CLOCK[$u]} ($want)"
	((stored >= NOW && stored <= SENT_DONE)) || fail "$u: first stored $stored, expected between $NOW and $SENT_DONE"
done

# ---- history ----

log_step "antt history: every version, its signer, state and receipts"
# history_check UNIT PERIOD STATES: the monthly report's versions at the
# province are the ledger's ids in order, with these states
history_check() {
	local unit=$1 period=$2 states=$3 key="$1|bvanttq-monthly|$2"
	antt_ok "$P_CONF" history --unit "$unit" --period "$period" --form bvanttq-monthly --json
	H_P=$OUT
	assert_eq "$unit|$(tr ' ' '\n' <<<"${REP_IDS[$key]}" | sort | tr '\n' ' ')" \
		"$(jq -r '"\(.unit.code)|\([.versions[].id] | sort | join(" ")) "' <<<"$H_P")" "history $unit $period: versions"
	# one author's versions arrive in its order
	if [ "$(jq '[.versions[].author] | unique | length' <<<"$H_P")" = 1 ]; then
		assert_eq "${REP_IDS[$key]}" "$(jq -r '[.versions[].id] | join(" ")' <<<"$H_P")" "history $unit $period: versions in order"
	fi
	assert_eq "$states" "$(jq -r '[.versions[].state] | join(" ")' <<<"$H_P")" "history $unit $period: states"
	assert_eq "$(jq -r --arg u "$unit" '.[$u]' "$IT_TMP/names.json")" "$(jq -r .unit.name <<<"$H_P")" "history $unit: name"
	assert_eq "$unit" "$(jq -r '[.versions[].signer_unit] | unique | join(" ")' <<<"$H_P")" "history $unit $period: enrolled as"
	# the first hub is the district: its receipt, as the district has it
	antt_ok "$D_CONF" history --unit "$unit" --period "$period" --form bvanttq-monthly --json
	assert_eq "$(jq -c '[.versions[] | [.id, .received]] | sort' <<<"$OUT")" \
		"$(jq -c '[.versions[] | [.id, .first_stored]] | sort' <<<"$H_P")" "history $unit $period: first_stored at the province = received at the district"
	assert_eq "$(jq -c '[.versions[] | [.id, .first_stored]] | sort' <<<"$OUT")" \
		"$(jq -c '[.versions[] | [.id, .first_stored]] | sort' <<<"$H_P")" "history $unit $period: first_stored, district and province"
	assert_eq true "$(jq '[.versions[] | .received >= .first_stored] | all' <<<"$H_P")" "history $unit $period: the province stored after the district"
}
# a chain of three versions by antt correct
history_check 12346 2024-05 "superseded superseded counts"
k="12346|bvanttq-monthly|2024-05"
read -r id1 id2 id3 <<<"${REP_IDS[$k]}"
assert_eq "null $id1 $id2" "$(jq -r '[.versions[] | .corrects // "null"] | join(" ")' <<<"$H_P")" "history 12346: corrects"
assert_eq "$id2 $id3 null" "$(jq -r '[.versions[] | .corrected_by // "null"] | join(" ")' <<<"$H_P")" "history 12346: corrected_by"
assert_eq "${C_KEY[1]}" "$(jq -r '[.versions[].author] | unique | join(" ")' <<<"$H_P")" "history 12346: author"
assert_eq "$(jq -S -c . <<<"${REP_VALS[$k]}")" "$(jq -S -c '.versions[2].values' <<<"$H_P")" "history 12346: values of the version that counts"
assert_eq 777 "$(jq '.versions[1].values.tin_bao' <<<"$H_P")" "history 12346: the first correction's figure"
antt_ok "${C_CONF[1]}" log --json --form bvanttq-monthly --period 2024-05
assert_eq "$(jq -c '[.[] | [.id, .seq, (.clock | fromdateiso8601)]]' <<<"$OUT")" "$(jq -c '[.versions[] | [.id, .seq, .clock]]' <<<"$H_P")" \
	"history 12346: ids, seqs and author clocks as the commune signed them"
# on time at the district's (fake) clock, corrected after the deadline
history_check 12340 2024-05 "superseded counts"
assert_eq "$FAKE_RECV" "$(jq '.versions[0].first_stored' <<<"$H_P")" "history 12340 May: first stored at the district's clock"
(($(jq '.versions[0].received' <<<"$H_P") >= NOW0)) || fail "history 12340 May: the province stored it only now"
(($(jq '.versions[1].first_stored' <<<"$H_P") >= NOW0)) || fail "history 12340 May: the correction was first stored now"
# conflicts: two corrections of one version; two originals by two keys
history_check 12364 2024-06 "conflict conflict conflict"
read -r c0 _ <<<"${REP_IDS[12364|bvanttq-monthly|2024-06]}"
assert_eq "null $c0 $c0" "$(jq -r '[.versions[] | .corrects // "null"] | join(" ")' <<<"$H_P")" "history 12364: both correct the original"
history_check 12370 2024-05 "conflict conflict"
assert_eq "$(printf '%s\n' "${GPUB[12370]}" "${GPUB[12370b]}" | sort | tr '\n' ' ')" \
	"$(jq -r '[.versions[].author] | sort | join(" ") + " "' <<<"$H_P")" "history 12370: two authors"
history_check 12367 2024-06 "superseded superseded counts"
history_check 12376 "$CUR" "superseded counts"
assert_eq "chỉ sửa ghi chú" "$(jq -r '.versions[1].note' <<<"$H_P")" "history 12376: the note of the correction"
# a whole quarter, both forms
antt_ok "$P_CONF" history --unit 12337 --period 2024-Q2 --json
assert_eq "$(jq -r "$JQ_DEFS"' [.[] | select(.unit == "12337" and within(.period; "2024-Q2")) | .ids[]] | sort | join(" ")' "$IT_TMP/ledger.json")" \
	"$(jq -r '[.versions[].id] | sort | join(" ")' <<<"$OUT")" "history 12337 2024-Q2: every version of both forms"
assert_eq "bvanttq-event bvanttq-monthly" "$(jq -r '[.versions[].form] | unique | join(" ")' <<<"$OUT")" "history 12337 2024-Q2: both forms"

# ---- export ----

log_step "antt export: one CSV row per unit and indicator"
antt_ok "$P_CONF" forms --json
LABELS=$(jq -c '[.[] | {(.id): (.indicators | map({(.code): .label}) | add)}] | add' <<<"$OUT")
# export_check CONF SCOPE PERIOD [UNIT-ARG]
export_check() {
	local conf=$1 scope=$2 period=$3 unit=${4:-} args=() want
	[ -n "$unit" ] && args+=(--unit "$unit")
	antt_ok "$conf" export --period "$period" "${args[@]}" --csv
	assert_eq "province,province_name,district,district_name,unit,unit_name,list,apart,form,period,indicator,label,value" \
		"$(head -n 1 <<<"$OUT")" "export header"
	want=$(jq -r -n --slurpfile L "$IT_TMP/ledger.json" --slurpfile N "$IT_TMP/names.json" --argjson lab "$LABELS" \
		--arg P "$period" --arg s "$scope" "$JQ_DEFS"'
		[$L[0][] | select(within(.period; $P) and inscope($s) and (.conflict | not))]
		| group_by(.form, .unit) | map(. as $g | sumvals | to_entries[]
		  | ["33", $N[0]["33"], "332", $N[0]["332"], $g[0].unit, $N[0][$g[0].unit], "loaded", "0", $g[0].form, $P,
		     .key, $lab[$g[0].form][.key], (.value | tostring)])
		| .[] | map(if test("[,\"]") then "\"" + gsub("\""; "\"\"") + "\"" else . end) | join(",")' | sort)
	assert_eq "$want" "$(tail -n +2 <<<"$OUT" | sort)" "export --period $period (scope $scope) at $(basename "$(dirname "$conf")")"
	assert_eq "$(wc -l <<<"$want")" "$(tail -n +2 <<<"$OUT" | sort -t, -k5,5 -k9,9 -k11,11 -u | wc -l)" "export $period: one row per unit and indicator"
}
export_check "$P_CONF" 332 2024-Q2 332
export_check "$P_CONF" 33 "$CUR"
export_check "$P_CONF" 33 2024
export_check "$D_CONF" 332 2024-05
antt_ok "$P_CONF" export --period 2024-05 --unit 332 --json
assert_eq 0 "$(jq '[.[] | select(.unit == "12370")] | length' <<<"$OUT")" "export May: nothing of 12370, in conflict"

# ---- rebuild and verify ----

log_step "antt rebuild and antt verify: the decoded tables agree with the records"
snapshot() { # CONF: the answers that depend on the decoded tables
	local conf=$1 p
	for p in 2024 2024-Q2 "$CUR"; do
		"$ANTT" -c "$conf" report --period "$p" --unit 332 --json || fail "report $p"
		"$ANTT" -c "$conf" missing --period "$p" --unit 332 --json || fail "missing $p"
		"$ANTT" -c "$conf" export --period "$p" --unit 332 --json || fail "export $p"
	done
	"$ANTT" -c "$conf" history --unit 12364 --period 2024 --json || fail "history"
}
for conf in "$P_CONF" "$D_CONF"; do
	where=$(basename "$(dirname "$conf")")
	before=$(snapshot "$conf")
	antt_ok "$conf" rebuild --json
	assert_eq "$(record_count "$conf")" "$(jq .records <<<"$OUT")" "$where: rebuild: records read"
	assert_verify "$conf" "$where after rebuild"
	assert_eq "$before" "$(snapshot "$conf")" "$where: every answer unchanged by rebuild"
done
log_step "a decoded figure changed behind anttd's back: verify names it, rebuild repairs it"
before=$(snapshot "$P_CONF")
n=$(store_sql "$P_CONF" "SELECT r.n FROM reports r WHERE r.unit = '12346' AND r.period = '2024-05' AND r.form = 'bvanttq-monthly'")
sqlite3 -batch -cmd ".timeout 5000" "$(dirname "$P_CONF")/store.db" \
	"UPDATE vals SET value = value + 1000000 WHERE n = $n AND code = 'hop_dan'" || fail "tampering with vals"
antt_ok "$P_CONF" report --period 2024-05 --unit 332 --form bvanttq-monthly --json
assert_eq "$(($(jq -n --slurpfile L "$IT_TMP/ledger.json" "$JQ_DEFS"'expect($L[0]; {}; "2024-05"; "332"; "indicator"; "bvanttq-monthly").totals.hop_dan') + 1000000))" \
	"$(jq '.forms[0].totals.hop_dan' <<<"$OUT")" "report reads the decoded tables"
run "$ANTT" -c "$P_CONF" verify
assert_rc 65 "verify after tampering"
assert_contains "$OUT$ERR" "antt rebuild" "verify after tampering says to rebuild"
assert_contains "$OUT$ERR" "$id3" "verify names the record whose decoded values were changed"
antt_ok "$P_CONF" rebuild
assert_verify "$P_CONF" "province after the repair"
assert_eq "$before" "$(snapshot "$P_CONF")" "every answer back as before the tampering"
log_step "which version counts, changed behind anttd's back: verify names it, rebuild repairs it"
# 12346's May report: the first version made to count instead of the third
store_db=$(dirname "$P_CONF")/store.db
sqlite3 -batch -cmd ".timeout 5000" "$store_db" \
	"UPDATE reports SET n = root WHERE unit = '12346' AND form = 'bvanttq-monthly' AND period = '2024-05'" ||
	fail "tampering with reports"
antt_ok "$P_CONF" history --unit 12346 --period 2024-05 --form bvanttq-monthly --json
assert_eq "counts superseded superseded" "$(jq -r '[.versions[].state] | join(" ")' <<<"$OUT")" "history reads the decoded tables"
run "$ANTT" -c "$P_CONF" verify
assert_rc 65 "verify after tampering with which version counts"
assert_contains "$OUT$ERR" "antt rebuild" "verify after tampering with reports says to rebuild"
assert_contains "$OUT$ERR" "$id1" "verify names the report (by its first version)"
# and a report deleted from the decoded tables
sqlite3 -batch -cmd ".timeout 5000" "$store_db" \
	"DELETE FROM reports WHERE unit = '12337' AND form = 'bvanttq-monthly' AND period = '2024-04'" ||
	fail "tampering with reports"
run "$ANTT" -c "$P_CONF" verify
assert_rc 65 "verify after deleting a decoded report"
assert_contains "$OUT$ERR" "antt rebuild" "verify after deleting a decoded report says to rebuild"
antt_ok "$P_CONF" rebuild
assert_verify "$P_CONF" "province after the second repair"
assert_eq "$before" "$(snapshot "$P_CONF")" "every answer back as before the second tampering"
check_report "$P_CONF" 332 2024-Q2 unit 332

log_step "a report from a unit not in the units file is not counted, and its number is given"
# (docs/reports.md: "Reports from units that are not in the administrative
# list are not counted either, and their number is given.")  At each hub's
# own unit, the default scope: 12399 is no commune of the list.
for conf in "$P_CONF" "$D_CONF"; do
	where=$(basename "$(dirname "$conf")")
	antt_ok "$conf" history --unit 12399 --period 2024-05 --json
	assert_eq "$(rep_last_id "12399|bvanttq-monthly|2024-05") null" "$(jq -r '"\(.versions[0].id) \(.unit.name)"' <<<"$OUT")" \
		"$where: history of 12399, the unit not in the list"
	antt_ok "$conf" report --period 2024-05 --form bvanttq-monthly --json
	assert_eq "$(jq -S -c '.forms[0].totals' <<<"$OUT")" \
		"$(jq -n -S -c --slurpfile L "$IT_TMP/ledger.json" "$JQ_DEFS"'expect($L[0]; {}; "2024-05"; "332"; "unit"; "bvanttq-monthly").totals')" \
		"$where: May totals without 12399's figures"
	assert_eq 1 "$(jq '.forms[0].unlisted' <<<"$OUT")" "$where: report --period 2024-05 at its own unit: reports from units not in the list"
	antt_ok "$conf" report --period 2024-05 --form bvanttq-monthly
	assert_contains "$OUT" "1 report(s) are not counted: their unit is not in the unit list of their period" "$where: report text"
done

log_step "clean stops"
for pid in "${C_PID[@]}"; do
	daemon_stop "$pid"
done
daemon_stop "$D_PID"
daemon_stop "$P_PID"
assert_no_sanitizer_reports
