#!/usr/bin/env bash
# t_file_import: `antt submit --file` takes one JSON object, a JSON array,
# or JSON lines; every report is stored, in file order, with consecutive
# seqs, exactly as written.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

node_init n 12346
daemon_start "$CONF"
F="$IT_TMP/files"
mkdir -p "$F"

# check_stored SUBMIT_JSON FILE FIRST_SEQ WHAT: the submit reply lists one
# record per report of FILE with seqs FIRST_SEQ.., and each stored record
# holds that report's form, period, values and note.
check_stored() {
	local reply=$1 file=$2 first=$3 what=$4 want_n
	want_n=$(jq -s '[.[] | if type == "array" then .[] else . end] | length' "$file")
	assert_eq "$want_n" "$(jq '.records | length' <<<"$reply")" "$what: records in the reply"
	assert_eq "$(seq -s ' ' "$first" $((first + want_n - 1)))" \
		"$(jq -r '[.records[].seq | tostring] | join(" ")' <<<"$reply")" "$what: consecutive seqs"
	assert_eq "$(jq -r '.records[-1].id' <<<"$reply")" "$(jq -r .id <<<"$reply")" "$what: reply id is the last record's"
	assert_eq "$(jq -r '.records[-1].seq' <<<"$reply")" "$(jq -r .seq <<<"$reply")" "$what: reply seq is the last record's"
	assert_eq "$want_n" "$(jq -r '[.records[].id | select(test("^[0-9a-f]{64}$"))] | unique | length' <<<"$reply")" \
		"$what: distinct 64-hex ids"
	# what the store holds, in order, against what the file says
	antt_ok "$CONF" log --json --limit "$want_n"
	local got want
	got=$(jq -cS '[.[] | {form, period, values, note}]' <<<"$OUT")
	want=$(jq -cS -s '[.[] | if type == "array" then .[] else . end | {form, period, values, note}]' "$file")
	assert_eq "$want" "$got" "$what: stored reports equal the file's, in order"
	assert_eq "$(jq -c '[.records[].id]' <<<"$reply")" "$(jq -c '[.[].id]' <<<"$OUT")" "$what: ids in the log"
}

log_step "one JSON object"
cat >"$F/one.json" <<'EOF'
{
  "form": "bvanttq-monthly",
  "period": "2024-05",
  "values": {"hop_dan": 2, "hop_dan_nguoi": 85, "camera_an_ninh": 14},
  "note": "Ấp 3 chưa gửi số liệu camera"
}
EOF
antt_ok "$CONF" submit --file "$F/one.json" --json
check_stored "$OUT" "$F/one.json" 1 "one object"

log_step "a JSON array"
cat >"$F/array.json" <<'EOF'
[
  {"form": "bvanttq-event", "period": "2024-06-01", "values": {"tin_bao": 1}},
  {"form": "bvanttq-event", "period": "2024-06-01", "values": {"to_giac": 1, "tin_bao": 2}},
  {"form": "bvanttq-monthly", "period": "2024-06", "values": {"hop_dan": 4}, "note": "Tháng 6"}
]
EOF
antt_ok "$CONF" submit --file "$F/array.json" --json
check_stored "$OUT" "$F/array.json" 2 "array"

log_step "JSON lines"
{
	for d in 02 03 04 05; do
		printf '{"form": "bvanttq-event", "period": "2024-06-%s", "values": {"hoa_giai": %d}}\n' "$d" "$((10#$d))"
	done
	printf '{"form": "bvanttq-monthly", "period": "2024-07", "values": {"tin_bao": 0}, "note": "Không có tin báo"}\r\n'
	printf '\n'
} >"$F/lines.jsonl"
antt_ok "$CONF" submit --file "$F/lines.jsonl" --json
check_stored "$OUT" "$F/lines.jsonl" 5 "JSON lines"

log_step "several pretty-printed objects and arrays in one file"
{
	jq -n '{form: "bvanttq-event", period: "2024-06-06", values: {vu_khi_tho_so: 2}}'
	jq -n '[{form: "bvanttq-event", period: "2024-06-07", values: {vat_lieu_no: 3}},
	        {form: "bvanttq-event", period: "2024-06-08", values: {cong_cu_ho_tro: 1}}]'
	jq -n '{form: "bvanttq-monthly", period: "2024-08", values: {ngay_hoi: 1}}'
} >"$F/mixed.json"
antt_ok "$CONF" submit --file "$F/mixed.json" --json
check_stored "$OUT" "$F/mixed.json" 10 "objects and arrays"

log_step "text output"
printf '{"form": "bvanttq-event", "period": "2024-06-09", "values": {"tin_bao": 1}}\n' >"$F/t1.json"
antt_ok "$CONF" submit --file "$F/t1.json"
assert_match "$OUT" "^stored record [0-9a-f]{64} seq 14$" "text output of a one-report file"
{
	for d in 10 11 12 13 14; do
		printf '{"form": "bvanttq-event", "period": "2024-06-%s", "values": {"tin_bao": 1}}\n' "$d"
	done
} >"$F/t5.json"
antt_ok "$CONF" submit --file "$F/t5.json"
assert_match "$OUT" "^stored 5 records, seq 15 to 19 \(last [0-9a-f]{64}\)$" "text output of a five-report file"

log_step "a bulk import of 600 reports (signed in parallel)"
jq -n '[range(600) | {form: "bvanttq-event",
	period: ("2024-07-" + ((. % 28) + 1 | tostring | if length == 1 then "0" + . else . end)),
	values: {tin_bao: ., to_giac: (. * 7)}}]' >"$F/bulk.json"
antt_ok "$CONF" submit --file "$F/bulk.json" --json
BULK=$OUT
assert_eq 600 "$(jq '.records | length' <<<"$BULK")" "bulk: records in the reply"
assert_eq "$(seq -s ' ' 20 619)" "$(jq -r '[.records[].seq | tostring] | join(" ")' <<<"$BULK")" "bulk: consecutive seqs"
antt_ok "$CONF" log --json --form bvanttq-event --period 2024-07-01
assert_eq "$(jq -c '[range(0; 600; 28)]' <<<null)" "$(jq -c '[.[].values.tin_bao]' <<<"$OUT")" "bulk: values in file order"
antt_ok "$CONF" log --json --limit 600
assert_eq "$(jq -c '[range(600)]' <<<null)" "$(jq -c '[.[].values.tin_bao]' <<<"$OUT")" "bulk: all 600 in order"
assert_eq "$(jq -c '[.records[].id]' <<<"$BULK")" "$(jq -c '[.[].id]' <<<"$OUT")" "bulk: ids in the log"
# each record chains to the one before it
antt_ok "$CONF" show "$(jq -r '.records[300].id' <<<"$BULK")" --json
assert_eq "$(jq -r '.records[299].id' <<<"$BULK")" "$(jq -r .prev <<<"$OUT")" "bulk: prev of record 301"

log_step "totals"
assert_count "$CONF" 619 "after all imports"
antt_ok "$CONF" status --json
assert_eq 619 "$(jq -r .head.seq <<<"$OUT")" "head seq after all imports"
antt_ok "$CONF" verify --json
assert_eq true "$(jq -r .valid <<<"$OUT")" "verify after imports"
assert_eq 619 "$(jq -r .checked <<<"$OUT")" "records verified"
daemon_stop "$DPID"
