#!/usr/bin/env bash
# t_sync_bundle: records carried on a file (antt bundle export / import).
#
# A commune with no link at all exports its records; the officer carries
# the file to the district, which imports it with the checks of the network
# path and forwards it to the province.  Importing the same bundle again
# stores nothing twice; a newer bundle brings only what is new.  A damaged
# file, or something that is not a bundle, is refused and changes nothing;
# a node that is not a hub says it does not import.  A second district that
# has no link either: its commune's bundle, carried straight to the
# province, waits (nothing stored) until the district's own bundle, holding
# the commune's enrollment, has been imported; then it is taken, and the
# province counts every record once.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

log_step "a province, a district linked to it, a commune with no link"
it_port PORT_P
it_port PORT_D
it_port PORT_D2
it_port PORT_DEAD # nothing listens there: the communes' links never work
sync_node_init p 33 "$PORT_P" "" ""
P_CONF=$CONF P_KEY=$PUBKEY
sync_node_init d 332 "$PORT_D" "$PORT_P" "$P_KEY" "$P_KEY"
D_CONF=$CONF D_KEY=$PUBKEY
sync_node_init c1 12341 "" "$PORT_DEAD" "$D_KEY" "$P_KEY"
C_CONF=$CONF C_KEY=$PUBKEY
daemon_start "$P_CONF"
P_PID=$DPID
cat >"$IT_TMP/units.csv" <<'CSV'
code,level,type,name,parent_code
33,province,Tỉnh,Tỉnh Thử,
332,district,Huyện,Huyện Một,33
333,district,Huyện,Huyện Hai,33
12341,commune,Xã,Xã Một,332
12351,commune,Xã,Xã Hai,333
CSV
antt_ok "$P_CONF" units import "$IT_TMP/units.csv"
antt_ok "$P_CONF" enroll --unit 332 --key "$D_KEY" --units "$SCOPE_332"
daemon_start "$D_CONF"
D_PID=$DPID
antt_ok "$D_CONF" enroll --unit 12341 --key "$C_KEY"
daemon_start "$C_CONF"
C_PID=$DPID
for m in 1 2 3; do
	antt_ok "$C_CONF" submit --form bvanttq-monthly --period "2024-0$m" hop_dan=$((m * 10))
done

log_step "the commune exports a bundle; the district imports it"
BUN="$IT_TMP/stick"
mkdir "$BUN"
antt_ok "$C_CONF" bundle export --out "$BUN/c1-a.bundle" --json
assert_eq "3 1" "$(jq -r '"\(.records) \(.authors)"' <<<"$OUT")" "bundle 1: records, authors"
assert_eq 600 "$(stat -c %a "$BUN/c1-a.bundle")" "the bundle file's mode"
run "$ANTT" -c "$C_CONF" bundle export --out "$BUN/c1-a.bundle"
assert_rc 65 "a bundle over an existing file"
assert_contains "$ERR" "never overwrites" "why it was refused"
antt_ok "$D_CONF" bundle import "$BUN/c1-a.bundle" --json
assert_eq "3 3 0 0 0" "$(jq -r '"\(.records) \(.stored) \(.duplicates) \(.waiting) \(.refused | length)"' <<<"$OUT")" \
	"import 1: records, stored, duplicates, waiting, refused"
assert_same_chain "$C_CONF" "$D_CONF" "$C_KEY" "the commune's chain at the district"
wait_held 30 "$P_CONF" "$C_KEY" 3 "forwarded to the province"

log_step "the same bundle again stores nothing twice"
antt_ok "$D_CONF" bundle import "$BUN/c1-a.bundle"
assert_contains "$OUT" "3 records, 0 stored, 3 already held" "import 1 again: text"
assert_eq 3 "$(author_held "$D_CONF" "$C_KEY")" "the commune's records at the district"

log_step "a newer bundle: the commune never heard from its parent, so it carries all; only the new one is stored"
antt_ok "$C_CONF" submit --form bvanttq-monthly --period 2024-04 hop_dan=40
antt_ok "$C_CONF" bundle export --out "$BUN/c1-b.bundle" --json
assert_eq 4 "$(jq -r .records <<<"$OUT")" "bundle 2: records"
antt_ok "$D_CONF" bundle import "$BUN/c1-b.bundle" --json
assert_eq "1 3" "$(jq -r '"\(.stored) \(.duplicates)"' <<<"$OUT")" "import 2: stored, duplicates"
wait_held 30 "$P_CONF" "$C_KEY" 4 "the fourth at the province"
antt_ok "$P_CONF" report --period 2024 --unit 12341 --json
assert_eq 100 "$(jq -r '[.forms[] | select(.form == "bvanttq-monthly") | .totals.hop_dan][0]' <<<"$OUT")" \
	"the province's total for the commune (10+20+30+40)"

log_step "a record the hub must refuse (its key revoked) is named, and the others are taken"
antt_ok "$D_CONF" revoke --key "$C_KEY" --after 4 --reason "test"
antt_ok "$C_CONF" submit --form bvanttq-monthly --period 2024-05 hop_dan=50
antt_ok "$C_CONF" bundle export --out "$BUN/c1-c.bundle"
run "$ANTT" -c "$D_CONF" bundle import "$BUN/c1-c.bundle" --json
assert_rc 65 "a bundle holding a revoked key's later record"
assert_eq "0 4 1 5 7" "$(jq -r '"\(.stored) \(.duplicates) \(.refused_count) \(.refused[0].seq) \(.refused[0].code)"' <<<"$OUT")" \
	"import 3: stored, duplicates, refused, its seq and code"
assert_eq "4 $(store_sql "$C_CONF" "SELECT lower(hex(id)) FROM records WHERE author = x'$C_KEY' AND seq = 5")" \
	"$(jq -r '"\(.refused[0].index) \(.refused[0].id)"' <<<"$OUT")" "import 3: the refused record's place in the file and its id"
run "$ANTT" -c "$D_CONF" bundle import "$BUN/c1-c.bundle"
assert_rc 65 "the same, as text"
assert_contains "$OUT" "REFUSED author ${C_KEY:0:16}... seq 5: revoked" "import 3: text"
assert_eq 4 "$(author_held "$D_CONF" "$C_KEY")" "the revoked key's fifth not stored"

log_step "bad files are refused and change nothing"
before=$(record_count "$D_CONF")
head -c 3000 /dev/urandom >"$BUN/noise.bin"
run "$ANTT" -c "$D_CONF" bundle import "$BUN/noise.bin"
assert_rc 65 "random bytes"
assert_contains "$ERR" "not an antt bundle" "random bytes: why"
size=$(stat -c %s "$BUN/c1-b.bundle")
head -c $((size / 2)) "$BUN/c1-b.bundle" >"$BUN/half.bundle"
run "$ANTT" -c "$D_CONF" bundle import "$BUN/half.bundle"
assert_rc 65 "a truncated bundle"
assert_contains "$ERR" "damaged" "a truncated bundle: why"
cp "$BUN/c1-b.bundle" "$BUN/flipped.bundle"
printf '\xff\xff\xff\xff' | dd of="$BUN/flipped.bundle" bs=1 seek=$((size - 40)) conv=notrunc status=none
run "$ANTT" -c "$D_CONF" bundle import "$BUN/flipped.bundle"
assert_rc 65 "a bundle with bytes overwritten"
run "$ANTT" -c "$D_CONF" bundle import "$BUN/nonexistent.bundle"
assert_rc 66 "a file that does not exist"
assert_eq "$before" "$(record_count "$D_CONF")" "the district's records after the bad files"
run "$ANTT" -c "$C_CONF" bundle import "$BUN/c1-b.bundle"
assert_rc 64 "an import at a commune"
assert_contains "$ERR" "not a hub" "an import at a commune: why"

log_step "a second district with no link, and its commune: the commune's bundle waits for the district's"
sync_node_init d2 333 "$PORT_D2" "" ""
D2_CONF=$CONF D2_KEY=$PUBKEY
sync_node_init c2 12351 "" "$PORT_DEAD" "$D2_KEY" "$P_KEY"
C2_CONF=$CONF C2_KEY=$PUBKEY
antt_ok "$P_CONF" enroll --unit 333 --key "$D2_KEY" --units 12351
daemon_start "$D2_CONF"
D2_PID=$DPID
antt_ok "$D2_CONF" enroll --unit 12351 --key "$C2_KEY"
daemon_start "$C2_CONF"
C2_PID=$DPID
antt_ok "$C2_CONF" submit --form bvanttq-monthly --period 2024-01 hop_dan=7
antt_ok "$C2_CONF" submit --form bvanttq-monthly --period 2024-02 hop_dan=8
antt_ok "$C2_CONF" bundle export --out "$BUN/c2.bundle"
run "$ANTT" -c "$P_CONF" bundle import "$BUN/c2.bundle" --json
assert_rc 75 "the commune's bundle before its enrollment reached the province"
assert_eq "0 2 0" "$(jq -r '"\(.stored) \(.waiting) \(.refused | length)"' <<<"$OUT")" \
	"waiting: stored, waiting, refused"
assert_eq 0 "$(author_held "$P_CONF" "$C2_KEY")" "nothing of the commune stored yet"
antt_ok "$D2_CONF" bundle export --out "$BUN/d2.bundle" --json
assert_eq 1 "$(jq -r .records <<<"$OUT")" "the district's bundle: its enrollment of the commune"
antt_ok "$P_CONF" bundle import "$BUN/d2.bundle"
antt_ok "$P_CONF" bundle import "$BUN/c2.bundle" --json
assert_eq "2 0" "$(jq -r '"\(.stored) \(.waiting)"' <<<"$OUT")" "the commune's bundle again: stored, waiting"
antt_ok "$P_CONF" report --period 2024 --unit 12351 --json
assert_eq 15 "$(jq -r '[.forms[] | select(.form == "bvanttq-monthly") | .totals.hop_dan][0]' <<<"$OUT")" \
	"the province's total for the second commune"

log_step "the province: every record once, every chain verified"
assert_no_duplicates_sql "$P_CONF" "province"
antt_ok "$P_CONF" verify --deep --json
assert_eq true "$(jq -r .valid <<<"$OUT")" "province: verify --deep"
for pid in "$C2_PID" "$D2_PID" "$C_PID" "$D_PID" "$P_PID"; do
	daemon_stop "$pid"
done
assert_no_sanitizer_reports
