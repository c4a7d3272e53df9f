#!/usr/bin/env bash
# t_periodic_correct: one report per period for a periodic form, changes go
# through `antt correct`, which chains versions; event forms take many
# entries per day.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

node_init n 12346
daemon_start "$CONF"

log_step "first monthly report"
antt_ok "$CONF" submit --json --form bvanttq-monthly --period 2024-06 hop_dan=3 tin_bao=5 \
	--note "Báo cáo lần đầu"
ID1=$(jq -r .id <<<"$OUT")
assert_hex64 "$ID1" "first report id"
assert_count "$CONF" 1 "after the first report"

log_step "a second report for the same period is refused"
run "$ANTT" -c "$CONF" submit --form bvanttq-monthly --period 2024-06 hop_dan=4
assert_rc 65 "second report of bvanttq-monthly for 2024-06"
assert_err_has "antt correct" "duplicate periodic report"
assert_err_has "$ID1" "duplicate periodic report names the first record"
assert_eq "" "$OUT" "stdout of a refused submit"
assert_count "$CONF" 1 "after the refused duplicate"

log_step "the same through --file, and twice in one file"
printf '{"form":"bvanttq-monthly","period":"2024-06","values":{"hop_dan":9}}\n' >"$IT_TMP/dup.json"
run "$ANTT" -c "$CONF" submit --file "$IT_TMP/dup.json"
assert_rc 65 "duplicate periodic report from a file"
assert_err_has "$ID1" "duplicate from a file names the first record"
printf '{"form":"bvanttq-monthly","period":"2024-07","values":{"hop_dan":1}}\n%s\n' \
	'{"form":"bvanttq-monthly","period":"2024-07","values":{"hop_dan":2}}' >"$IT_TMP/dup2.json"
run "$ANTT" -c "$CONF" submit --file "$IT_TMP/dup2.json"
assert_rc 65 "two reports for one period in one file"
assert_err_has "2024-07" "two reports for one period in one file"
assert_count "$CONF" 1 "after refused duplicates from files"

log_step "another period of the same form is fine"
antt_ok "$CONF" submit --json --form bvanttq-monthly --period 2024-07 hop_dan=1
ID_JULY=$(jq -r .id <<<"$OUT")
assert_eq 2 "$(jq -r .seq <<<"$OUT")" "seq of the July report"

log_step "antt correct"
antt_ok "$CONF" correct "$ID1" hop_dan=4 --json
ID2=$(jq -r .id <<<"$OUT")
assert_hex64 "$ID2" "correction id"
assert_ne "$ID1" "$ID2" "correction id"
assert_eq 3 "$(jq -r .seq <<<"$OUT")" "correction seq"
assert_eq "$ID1" "$(jq -r .corrects <<<"$OUT")" "correct --json corrects"
assert_count "$CONF" 3 "after the correction"

antt_ok "$CONF" show "$ID2" --json
assert_eq "$ID1" "$(jq -r .corrects <<<"$OUT")" "new record's corrects"
assert_eq null "$(jq -r .corrected_by <<<"$OUT")" "new record's corrected_by"
assert_eq bvanttq-monthly "$(jq -r .form <<<"$OUT")" "correction keeps the form"
assert_eq 2024-06 "$(jq -r .period <<<"$OUT")" "correction keeps the period"
# a correction is a whole version: the new figure plus the old ones
assert_eq '{"hop_dan":4,"tin_bao":5}' "$(jq -cS .values <<<"$OUT")" "corrected values"
assert_eq "Báo cáo lần đầu" "$(jq -r .note <<<"$OUT")" "correction keeps the note"
assert_eq "$ID_JULY" "$(jq -r .prev <<<"$OUT")" "correction chains to the head"

antt_ok "$CONF" show "$ID1" --json
assert_eq "$ID2" "$(jq -r .corrected_by <<<"$OUT")" "old record's corrected_by"
assert_eq '{"hop_dan":3,"tin_bao":5}' "$(jq -cS .values <<<"$OUT")" "old record's values are untouched"
antt_ok "$CONF" show "$ID1"
assert_contains "$OUT" "corrected  by $ID2" "show text of the corrected record"

antt_ok "$CONF" log --json --form bvanttq-monthly --period 2024-06
assert_eq "$ID1 $ID2" "$(jq -r '[.[].id] | join(" ")' <<<"$OUT")" "log of 2024-06"
assert_eq "$ID2" "$(jq -r '.[0].corrected_by' <<<"$OUT")" "log --json corrected_by"
assert_eq "$ID1" "$(jq -r '.[1].corrects' <<<"$OUT")" "log --json corrects"

log_step "the duplicate check still points at the first report"
run "$ANTT" -c "$CONF" submit --form bvanttq-monthly --period 2024-06 hop_dan=5
assert_rc 65 "report for 2024-06 after a correction"
assert_err_has "antt correct" "report for 2024-06 after a correction"

log_step "correcting the old version again is refused, pointing at the new one"
run "$ANTT" -c "$CONF" correct "$ID1" hop_dan=7
assert_rc 65 "second correction of $ID1"
assert_err_has "$ID2" "second correction names the newer version"
assert_err_has "already corrected" "second correction"
assert_count "$CONF" 3 "after the refused second correction"

log_step "the latest version can be corrected, also by prefix and note only"
antt_ok "$CONF" correct "${ID2:0:10}" --note "Đã sửa số liệu họp dân" --json
ID3=$(jq -r .id <<<"$OUT")
assert_eq "$ID2" "$(jq -r .corrects <<<"$OUT")" "correction of a correction"
antt_ok "$CONF" show "$ID3" --json
assert_eq '{"hop_dan":4,"tin_bao":5}' "$(jq -cS .values <<<"$OUT")" "values after a note-only correction"
assert_eq "Đã sửa số liệu họp dân" "$(jq -r .note <<<"$OUT")" "note after a note-only correction"
antt_ok "$CONF" show "$ID2" --json
assert_eq "$ID3" "$(jq -r .corrected_by <<<"$OUT")" "second version's corrected_by"

log_step "bad corrections"
run "$ANTT" -c "$CONF" correct "$ID3" no_such_code=1
assert_rc 65 "correction with an unknown indicator"
assert_err_has "no_such_code" "correction with an unknown indicator"
run "$ANTT" -c "$CONF" correct "$(printf 'a%.0s' {1..64})" hop_dan=1
assert_rc 65 "correction of an unknown record"
assert_err_has "no record" "correction of an unknown record"
run "$ANTT" -c "$CONF" correct "$ID3"
assert_rc 64 "correction with nothing to change"
assert_count "$CONF" 4 "after bad corrections"

log_step "an event form takes several entries for the same day"
declare -a EV=()
for v in 1 2 2 3; do
	antt_ok "$CONF" submit --json --form bvanttq-event --period 2024-06-15 tin_bao=$v
	EV+=("$(jq -r .id <<<"$OUT")")
done
antt_ok "$CONF" submit --json --form bvanttq-event --period 2024-06-16 tin_bao=1 hoa_giai=1
EV+=("$(jq -r .id <<<"$OUT")")
assert_count "$CONF" 9 "after five event entries"
antt_ok "$CONF" log --json --form bvanttq-event --period 2024-06-15
assert_eq 4 "$(jq length <<<"$OUT")" "event entries for 2024-06-15"
assert_eq "${EV[*]:0:4}" "$(jq -r '[.[].id] | join(" ")' <<<"$OUT")" "event entries' ids, in order"
assert_eq "1 2 2 3" "$(jq -r '[.[].values.tin_bao | tostring] | join(" ")' <<<"$OUT")" "event values"
# identical figures for the same day are still distinct records
assert_ne "${EV[1]}" "${EV[2]}" "two identical event entries"

log_step "an event entry can be corrected too"
antt_ok "$CONF" correct "${EV[3]}" tin_bao=4 --json
assert_eq "${EV[3]}" "$(jq -r .corrects <<<"$OUT")" "event correction"

antt_ok "$CONF" log --json
assert_eq "$(seq -s ' ' 1 10)" "$(jq -r '[.[].seq | tostring] | join(" ")' <<<"$OUT")" "seqs of the whole log"
antt_ok "$CONF" verify
daemon_stop "$DPID"
