#!/usr/bin/env bash
# t_basic: a node from init to a verified first record, with every reading
# command agreeing on what was stored.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

NOTE='Tình hình an ninh trật tự ổn định; đã tổ chức họp dân ở ấp Bình Thạnh, xã Hòa Phú.'

log_step "init"
node_init n1 12346
assert_mode "$NODE/node.key" 600 "node identity"
assert_eq 0 "$(find "$NODE/node.key" -perm /077 | wc -l)" "node.key has no group/other bits"
assert_contains "$(cat "$NODE/node.key")" "public = $PUBKEY" "node.key names the printed public key"
assert_contains "$(cat "$CONF")" "unit = 12346" "config holds the unit"
key_sum=$(sha256sum <"$NODE/node.key")
conf_sum=$(sha256sum <"$CONF")

log_step "init again on the same folder is refused"
run "$ANTT" init --unit 99999 --dir "$NODE"
assert_rc 65 "second antt init on $NODE"
assert_err_has "already holds a node" "second init"
assert_eq "$key_sum" "$(sha256sum <"$NODE/node.key")" "node.key after a refused init"
assert_eq "$conf_sum" "$(sha256sum <"$CONF")" "anttd.conf after a refused init"
assert_mode "$NODE/node.key" 600 "node identity after a refused init"

log_step "init --json"
run "$ANTT" init --unit 12346-b --dir "$IT_TMP/n2" --json
assert_rc 0 "antt init --json"
assert_hex64 "$(jq -r .public_key <<<"$OUT")" "init --json public_key"
assert_eq "12346-b" "$(jq -r .unit <<<"$OUT")" "init --json unit"
assert_ne "$PUBKEY" "$(jq -r .public_key <<<"$OUT")" "two nodes share no key"

log_step "anttd starts; the store is private"
daemon_start "$CONF"
assert_mode "$NODE/store.db" 600 "store file"
antt_ok "$CONF" status --json
assert_eq 0 "$(jq -r .records <<<"$OUT")" "records in a new store"
assert_eq 0 "$(jq -r .head.seq <<<"$OUT")" "head.seq of a new store"
assert_eq null "$(jq -r .head.id <<<"$OUT")" "head.id of a new store"
antt_ok "$CONF" log
assert_contains "$OUT" "no records" "log of a new store"

log_step "submit a monthly report"
antt_ok "$CONF" submit --json --form bvanttq-monthly --period 2024-06 \
	hop_dan=3 hop_dan_nguoi=120 tin_bao=5 camera_an_ninh=0 --note "$NOTE"
ID=$(jq -r .id <<<"$OUT")
assert_hex64 "$ID" "submit --json id"
assert_eq 1 "$(jq -r .seq <<<"$OUT")" "submit --json seq"
assert_eq 1 "$(jq -r '.records | length' <<<"$OUT")" "submit --json records list"
assert_eq "$ID" "$(jq -r '.records[0].id' <<<"$OUT")" "submit --json records[0].id"

log_step "log (text)"
antt_ok "$CONF" log
assert_contains "$OUT" "${ID:0:12}" "log lists the record id"
assert_contains "$OUT" "bvanttq-monthly" "log shows the form"
assert_contains "$OUT" "2024-06" "log shows the period"
assert_contains "$OUT" "hop_dan=3" "log shows the values"
assert_contains "$OUT" "hop_dan_nguoi=120" "log shows the values"
assert_contains "$OUT" "camera_an_ninh=0" "log shows a zero value"

log_step "log --json"
antt_ok "$CONF" log --json
LOG=$OUT
assert_eq 1 "$(jq length <<<"$LOG")" "log --json length"
assert_eq "$ID" "$(jq -r '.[0].id' <<<"$LOG")" "log --json id"
assert_eq 1 "$(jq -r '.[0].seq' <<<"$LOG")" "log --json seq"
assert_eq "$PUBKEY" "$(jq -r '.[0].author' <<<"$LOG")" "log --json author"
assert_eq 12346 "$(jq -r '.[0].unit' <<<"$LOG")" "log --json unit"
assert_eq bvanttq-monthly "$(jq -r '.[0].form' <<<"$LOG")" "log --json form"
assert_eq 2024-06 "$(jq -r '.[0].period' <<<"$LOG")" "log --json period"
assert_eq '{"camera_an_ninh":0,"hop_dan":3,"hop_dan_nguoi":120,"tin_bao":5}' \
	"$(jq -cS '.[0].values' <<<"$LOG")" "log --json values"
assert_eq "$NOTE" "$(jq -r '.[0].note' <<<"$LOG")" "log --json note (UTF-8 round trip)"
assert_eq null "$(jq -r '.[0].corrects' <<<"$LOG")" "log --json corrects"
assert_eq null "$(jq -r '.[0].corrected_by' <<<"$LOG")" "log --json corrected_by"
assert_match "$(jq -r '.[0].clock' <<<"$LOG")" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' "log --json clock"

log_step "show ID, show PREFIX"
antt_ok "$CONF" show "$ID"
assert_contains "$OUT" "$ID" "show names the record"
assert_contains "$OUT" "$NOTE" "show prints the note"
assert_contains "$OUT" "Số cuộc họp dân" "show prints indicator labels"
assert_contains "$OUT" "Báo cáo tháng" "show prints the form title"
assert_contains "$OUT" "$PUBKEY" "show prints the author"
antt_ok "$CONF" show "$ID" --json
SHOW=$OUT
antt_ok "$CONF" show "${ID:0:8}" --json
assert_eq "$SHOW" "$OUT" "show PREFIX --json equals show ID --json"
antt_ok "$CONF" --json show "${ID:0:4}"
assert_eq "$SHOW" "$OUT" "show 4-digit prefix --json equals show ID --json"
assert_eq "$ID" "$(jq -r .id <<<"$SHOW")" "show --json id"
assert_eq "$(jq -cS '.[0] | del(.note)' <<<"$LOG")" \
	"$(jq -cS '{id,seq,author,unit,form,period,clock,received,values,corrects,corrected_by}' <<<"$SHOW")" \
	"show --json agrees with log --json"
assert_eq "$NOTE" "$(jq -r .note <<<"$SHOW")" "show --json note"
assert_match "$(jq -r .signature <<<"$SHOW")" '^[0-9a-f]{128}$' "show --json signature"
assert_eq "$(printf '0%.0s' {1..64})" "$(jq -r .prev <<<"$SHOW")" "prev of the first record"
assert_eq "Số cuộc họp dân" "$(jq -r .labels.hop_dan <<<"$SHOW")" "show --json labels"
run "$ANTT" -c "$CONF" show "$(printf 'f%.0s' {1..64})"
assert_rc 65 "show of an unknown id"
assert_err_has "no record" "show of an unknown id"

log_step "status"
antt_ok "$CONF" status --json
STATUS=$OUT
assert_eq 12346 "$(jq -r .unit <<<"$STATUS")" "status unit"
assert_eq "$PUBKEY" "$(jq -r .public_key <<<"$STATUS")" "status public_key"
assert_eq 1 "$(jq -r .records <<<"$STATUS")" "status records"
assert_eq 1 "$(jq -r .head.seq <<<"$STATUS")" "status head.seq"
assert_eq "$ID" "$(jq -r .head.id <<<"$STATUS")" "status head.id"
assert_eq "$DPID" "$(jq -r .pid <<<"$STATUS")" "status pid"
antt_ok "$CONF" status
assert_contains "$OUT" "$PUBKEY" "status text public key"
assert_contains "$OUT" "12346" "status text unit"
assert_match "$OUT" "records +1 " "status text records"

log_step "forms --json matches the form files"
FORMS_DIR=$(sed -n 's/^forms *= *//p' "$CONF")
antt_ok "$CONF" forms --json
FORMS=$OUT
n_files=$(find "$FORMS_DIR" -maxdepth 1 -name '*.json' | wc -l)
assert_eq "$n_files" "$(jq length <<<"$FORMS")" "number of forms"
for f in "$FORMS_DIR"/*.json; do
	fid=$(jq -r .id "$f")
	want=$(jq -cS '{id, kind, period, title, indicators: [.indicators[] | {code: .code, "label": .label}]}' "$f")
	got=$(jq -cS --arg id "$fid" '.[] | select(.id == $id) | {id, kind, period, title, indicators}' <<<"$FORMS")
	assert_eq "$want" "$got" "forms --json entry for $fid"
done
antt_ok "$CONF" forms
assert_contains "$OUT" "bvanttq-monthly" "forms text"
assert_contains "$OUT" "hop_dan" "forms text lists indicators"

log_step "a second record chains to the first"
antt_ok "$CONF" submit --json --form bvanttq-event --period 2024-06-15 tin_bao=1 to_giac=2
ID2=$(jq -r .id <<<"$OUT")
assert_eq 2 "$(jq -r .seq <<<"$OUT")" "second record seq"
antt_ok "$CONF" show "$ID2" --json
assert_eq "$ID" "$(jq -r .prev <<<"$OUT")" "second record's prev"
antt_ok "$CONF" log --json
assert_eq "1 2" "$(jq -r '[.[].seq] | map(tostring) | join(" ")' <<<"$OUT")" "log order"
antt_ok "$CONF" log --json --form bvanttq-event
assert_eq "$ID2" "$(jq -r '.[].id' <<<"$OUT")" "log --form filter"
antt_ok "$CONF" log --json --period 2024-06
assert_eq "$ID" "$(jq -r '.[].id' <<<"$OUT")" "log --period filter"
antt_ok "$CONF" log --json --limit 1
assert_eq "$ID2" "$(jq -r '.[].id' <<<"$OUT")" "log --limit 1 gives the newest"
antt_ok "$CONF" status --json
assert_eq 2 "$(jq -r .head.seq <<<"$OUT")" "status head.seq"

log_step "verify"
antt_ok "$CONF" verify
assert_contains "$OUT" "2 records checked" "verify text"
antt_ok "$CONF" verify --json
assert_eq true "$(jq -r .valid <<<"$OUT")" "verify --json valid"
assert_eq 2 "$(jq -r .checked <<<"$OUT")" "verify --json checked"
assert_eq 0 "$(jq -r '.problems | length' <<<"$OUT")" "verify --json problems"

daemon_stop "$DPID"
assert_mode "$NODE/store.db" 600 "store file after stop"

log_step "a store opened up by mistake is made private again"
chmod 0644 "$NODE/store.db"
daemon_start "$CONF"
assert_mode "$NODE/store.db" 600 "store file after anttd started on a 0644 store"
assert_count "$CONF" 2 "records after a restart"
daemon_stop "$DPID"
