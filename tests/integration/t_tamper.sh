#!/usr/bin/env bash
# t_tamper: records altered behind anttd's back (with the sqlite3 tool while
# it is stopped) are found by `antt verify`, which names them and exits 65;
# an untouched copy of the same store verifies.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

node_init orig 12346
ORIG=$NODE
daemon_start "$CONF"
declare -A ID # seq -> id
sub() {
	antt_ok "$CONF" "$@" --json
	ID[$(jq -r .seq <<<"$OUT")]=$(jq -r .id <<<"$OUT")
}
sub submit --form bvanttq-monthly --period 2024-06 hop_dan=3 tin_bao=5
sub submit --form bvanttq-event --period 2024-06-03 tin_bao=1
sub submit --form bvanttq-event --period 2024-06-04 hoa_giai=3 --note "Tổng số 3 vụ hòa giải thành"
sub submit --form bvanttq-event --period 2024-06-05 to_giac=1
sub correct "${ID[1]}" hop_dan=4
sub submit --form bvanttq-event --period 2024-06-06 tin_bao=2
N=${#ID[@]}
assert_eq 6 "$N" "records before tampering"
antt_ok "$CONF" verify
daemon_stop "$DPID"

# copy NAME: an identical node (same key, same store) in $IT_TMP/NAME.
copy() {
	cp -a "$ORIG" "$IT_TMP/$1"
	rm -f "$IT_TMP/$1/anttd.sock" "$IT_TMP/$1/anttd.log"
	NODE="$IT_TMP/$1"
	CONF="$NODE/anttd.conf"
	DB="$NODE/store.db"
}

# expect_tampered WHAT PROBLEM_WORD SEQ...: anttd starts on the copy;
# verify exits 65, and names exactly the records of the given seqs (their
# original ids), each with a problem containing PROBLEM_WORD.
expect_tampered() {
	local what=$1 word=$2
	shift 2
	local want_ids=() s
	for s in "$@"; do want_ids+=("${ID[$s]}"); done
	daemon_start "$CONF"
	run "$ANTT" -c "$CONF" verify
	assert_rc 65 "$what: antt verify"
	for s in "$@"; do
		assert_contains "$OUT" "FAIL record ${ID[$s]}" "$what: verify names record seq $s"
	done
	assert_contains "$OUT" "PROBLEMS FOUND" "$what: verify summary"
	run "$ANTT" -c "$CONF" verify --json
	assert_rc 65 "$what: antt verify --json"
	assert_eq false "$(jq -r .valid <<<"$OUT")" "$what: verify --json valid"
	# (a record changed behind anttd's back also leaves the decoded tables
	# disagreeing with the records: those problems say to rebuild them)
	assert_eq "$(printf '%s\n' "${want_ids[@]}" | sort -u)" \
		"$(jq -r '.problems[] | select(.problem | contains("antt rebuild") | not) | .id' <<<"$OUT" | sort -u)" \
		"$what: ids named in problems"
	for s in "$@"; do
		assert_contains "$(jq -r --arg id "${ID[$s]}" '.problems[] | select(.id == $id) | .problem' <<<"$OUT")" \
			"$word" "$what: problem of seq $s"
		assert_eq "$s" "$(jq -r --arg id "${ID[$s]}" '[.problems[] | select(.id == $id) | .seq] | unique | .[]' <<<"$OUT")" \
			"$what: seq of the problem"
	done
	daemon_stop "$DPID"
}

log_step "a byte of one record's body changed (the note's '3' made a '9')"
copy t-body
before=$(sql "$DB" "SELECT hex(body) FROM records WHERE seq = 3")
sql "$DB" "UPDATE records SET body = CAST(
	substr(body, 1, instr(body, CAST('3 vụ' AS BLOB)) - 1) || '9' ||
	substr(body, instr(body, CAST('3 vụ' AS BLOB)) + 1) AS BLOB) WHERE seq = 3" >/dev/null
after=$(sql "$DB" "SELECT hex(body) FROM records WHERE seq = 3")
assert_eq "${#before}" "${#after}" "tampered body keeps its length"
assert_ne "$before" "$after" "the body was changed"
changed=0
for ((i = 0; i < ${#before}; i += 2)); do
	[ "${before:i:2}" = "${after:i:2}" ] || changed=$((changed + 1))
done
assert_eq 1 "$changed" "bytes changed in the body"
daemon_start "$CONF"
antt_ok "$CONF" show "${ID[3]}" --json
assert_eq "Tổng số 9 vụ hòa giải thành" "$(jq -r .note <<<"$OUT")" "the altered note is what the store now holds"
daemon_stop "$DPID"
expect_tampered "altered body" "altered" 3

log_step "one record's signature replaced by another record's"
copy t-sig
sql "$DB" "UPDATE records SET sig = (SELECT sig FROM records WHERE seq = 1) WHERE seq = 2" >/dev/null
expect_tampered "replaced signature" "signature" 2

log_step "one record's signature replaced by random bytes"
copy t-sig2
sql "$DB" "UPDATE records SET sig = randomblob(64) WHERE seq = 5" >/dev/null
expect_tampered "random signature" "signature" 5

log_step "a middle record deleted"
copy t-del
sql "$DB" "DELETE FROM records WHERE seq = 3" >/dev/null
assert_eq 5 "$(sql "$DB" "SELECT count(*) FROM records")" "records left after the delete"
# the record after the hole is the one verify can name
expect_tampered "deleted record" "missing" 4

log_step "an indexed column changed without touching the signed body"
copy t-col
sql "$DB" "UPDATE records SET period = '2024-05' WHERE seq = 1" >/dev/null
expect_tampered "re-dated record" "disagree" 1

log_step "the first record deleted"
copy t-first
sql "$DB" "DELETE FROM records WHERE seq = 1" >/dev/null
expect_tampered "deleted first record" "seq 1" 2

log_step "untouched copy and original verify"
copy t-clean
for conf in "$CONF" "$ORIG/anttd.conf"; do
	daemon_start "$conf"
	run "$ANTT" -c "$conf" verify
	assert_rc 0 "verify of an untouched store ($conf)"
	assert_contains "$OUT" "$N records checked: every signature and chain link holds" "verify text"
	run "$ANTT" -c "$conf" verify --json
	assert_rc 0 "verify --json of an untouched store"
	assert_eq true "$(jq -r .valid <<<"$OUT")" "verify --json valid"
	assert_eq "$N" "$(jq -r .checked <<<"$OUT")" "verify --json checked"
	assert_eq 0 "$(jq -r '.problems | length' <<<"$OUT")" "verify --json problems"
	daemon_stop "$DPID"
done
