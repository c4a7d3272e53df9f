#!/usr/bin/env bash
# t_bad_input: every kind of wrong input gets the documented exit code, a
# message on stderr that says what is wrong, and stores nothing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

node_init n 12346
MAIN_CONF=$CONF
MAIN_NODE=$NODE
daemon_start "$CONF"
MAIN_PID=$DPID

# A few good records first, so that "nothing stored" is not "store empty".
antt_ok "$CONF" submit --form bvanttq-monthly --period 2024-06 hop_dan=3
antt_ok "$CONF" submit --form bvanttq-event --period 2024-06-01 tin_bao=1
BASE=2
assert_count "$CONF" $BASE "after the good records"

# refused WANT_RC KEYWORD WHAT CMD...: CMD exits WANT_RC, says KEYWORD on
# stderr, prints nothing on stdout, and the store still holds $BASE records.
refused() {
	local want=$1 kw=$2 what=$3
	shift 3
	run "$@"
	assert_rc "$want" "$what"
	assert_err_has "$kw" "$what"
	assert_eq "" "$OUT" "$what: stdout"
	assert_count "$MAIN_CONF" "$BASE" "$what: nothing stored"
}

A=("$ANTT" -c "$CONF")

log_step "unknown form"
refused 65 "unknown form 'bvanttq-weekly'" "unknown form" \
	"${A[@]}" submit --form bvanttq-weekly --period 2024-06 hop_dan=1
assert_err_has "bvanttq-event, bvanttq-monthly" "unknown form lists the valid forms"

log_step "unknown indicator"
refused 65 "no indicator 'hop_dann'" "unknown indicator" \
	"${A[@]}" submit --form bvanttq-monthly --period 2024-08 hop_dann=1
assert_err_has "hop_dan, hop_dan_nguoi" "unknown indicator lists the valid ones"
assert_err_has "y_kien_lang_nghe" "unknown indicator lists the valid ones"
refused 65 "no indicator 'hop_dan_nguoi'" "indicator of another form" \
	"${A[@]}" submit --form bvanttq-event --period 2024-06-02 hop_dan_nguoi=1

log_step "a period that has not begun"
# (by this node's clock, Vietnam time, with a day's grace for a clock a
# little slow: the day after tomorrow is refused, tomorrow would not be)
NEXT_YEAR=$(($(date -u -d "@$(($(date +%s) + 7 * 3600))" +%Y) + 1))
refused 65 "period $NEXT_YEAR-03 has not begun" "a month of next year" \
	"${A[@]}" submit --form bvanttq-monthly --period "$NEXT_YEAR-03" hop_dan=1
assert_err_has "check the period, or this computer's date" "a month of next year: what to do"
IN2DAYS=$(date -u -d "@$(($(date +%s) + 7 * 3600 + 2 * 86400))" +%Y-%m-%d)
refused 65 "period $IN2DAYS has not begun" "the day after tomorrow" \
	"${A[@]}" submit --form bvanttq-event --period "$IN2DAYS" tin_bao=1

log_step "values that are not counts"
refused 65 "0 or more" "negative value" \
	"${A[@]}" submit --form bvanttq-monthly --period 2024-08 hop_dan=-1
refused 65 "whole number" "value 3.5" \
	"${A[@]}" submit --form bvanttq-monthly --period 2024-08 hop_dan=3.5
refused 65 "whole number" "value abc" \
	"${A[@]}" submit --form bvanttq-monthly --period 2024-08 hop_dan=abc
refused 65 "whole number" "empty value" \
	"${A[@]}" submit --form bvanttq-monthly --period 2024-08 hop_dan=
refused 65 "larger than" "value 99999999999999999999" \
	"${A[@]}" submit --form bvanttq-monthly --period 2024-08 hop_dan=99999999999999999999
refused 65 "larger than" "value 2^53" \
	"${A[@]}" submit --form bvanttq-monthly --period 2024-08 hop_dan=9007199254740992
refused 65 "whole number" "bad value after good ones" \
	"${A[@]}" submit --form bvanttq-monthly --period 2024-08 hop_dan=1 tin_bao=x

log_step "periods of the wrong kind"
refused 65 "takes a day" "month period for the daily event form" \
	"${A[@]}" submit --form bvanttq-event --period 2024-06 tin_bao=1
refused 65 "takes a month" "day period for the monthly form" \
	"${A[@]}" submit --form bvanttq-monthly --period 2024-06-01 hop_dan=1
refused 65 "not a valid period" "month 13" \
	"${A[@]}" submit --form bvanttq-monthly --period 2024-13 hop_dan=1
refused 65 "not a valid period" "31 June" \
	"${A[@]}" submit --form bvanttq-event --period 2024-06-31 tin_bao=1
refused 65 "not a valid period" "29 February of a common year" \
	"${A[@]}" submit --form bvanttq-event --period 2023-02-29 tin_bao=1

log_step "usage errors"
refused 64 "unknown command 'frobnicate'" "unknown command" "${A[@]}" frobnicate
refused 64 "usage" "submit without --period" \
	"${A[@]}" submit --form bvanttq-monthly hop_dan=1
refused 64 "usage" "submit without values" \
	"${A[@]}" submit --form bvanttq-monthly --period 2024-08
refused 64 "CODE=VALUE" "value word without =" \
	"${A[@]}" submit --form bvanttq-monthly --period 2024-08 hop_dan
refused 64 "twice" "the same code twice" \
	"${A[@]}" submit --form bvanttq-monthly --period 2024-08 hop_dan=1 hop_dan=2
refused 64 "--file" "--file with --form" \
	"${A[@]}" submit --file /dev/null --form bvanttq-monthly
refused 64 "unknown option" "unknown global option" "$ANTT" --bogus status
refused 64 "usage" "no command at all" "$ANTT"
refused 64 "--limit" "log --limit 0" "${A[@]}" log --limit 0

log_step "config problems"
refused 78 "cannot read config" "missing config" \
	"$ANTT" -c "$IT_TMP/nowhere/anttd.conf" status
assert_err_has "antt init" "missing config says how to make one"
refused 78 "cannot read config" "missing config on submit" \
	"$ANTT" -c "$IT_TMP/nowhere/anttd.conf" submit --form bvanttq-event --period 2024-06-01 tin_bao=1
# ANTT_CONF is the default when -c is absent
ANTT_CONF="$IT_TMP/nowhere/env.conf" run "$ANTT" status
assert_rc 78 "missing config from ANTT_CONF"
assert_err_has "$IT_TMP/nowhere/env.conf" "missing config from ANTT_CONF names it"

BADCONF="$MAIN_NODE/bad.conf"
awk '{print} /^unit =/ {print "colour = blue"}' "$MAIN_CONF" >"$BADCONF"
line=$(grep -n '^colour' "$BADCONF" | cut -d: -f1)
refused 78 "$BADCONF:$line:" "config with an unknown key (line number)" "$ANTT" -c "$BADCONF" status
assert_err_has "colour" "config with an unknown key names it"
run timeout 10 "$ANTTD" -c "$BADCONF"
assert_rc 78 "anttd on a config with an unknown key"
assert_err_has "$BADCONF:$line:" "anttd on a config with an unknown key"

BADCONF2="$MAIN_NODE/bad2.conf"
{ cat "$MAIN_CONF"; printf '\n[network]\nport = 5000\n'; } >"$BADCONF2"
line=$(grep -n '^port' "$BADCONF2" | cut -d: -f1)
refused 78 "$BADCONF2:$line:" "config with an unknown section" "$ANTT" -c "$BADCONF2" status
assert_err_has "[network]" "config with an unknown section names it"

BADCONF3="$MAIN_NODE/bad3.conf"
grep -v '^unit' "$MAIN_CONF" >"$BADCONF3"
refused 78 "unit" "config without a unit" "$ANTT" -c "$BADCONF3" status

BADCONF4="$MAIN_NODE/bad4.conf"
{ cat "$MAIN_CONF"; printf '\n[sync]\nroot = not-a-key\n'; } >"$BADCONF4"
refused 78 "[sync] root is not a public key" "config with a bad root key" "$ANTT" -c "$BADCONF4" status
run "$ANTT" init --unit 12346 --dir "$IT_TMP/rootless" --root 0123
assert_rc 64 "antt init --root with a bad key"
assert_err_has "--root takes the province's public key" "antt init --root with a bad key says what it takes"
[ ! -e "$IT_TMP/rootless" ] || fail "antt init --root with a bad key created the folder"
for sock in "" "/run/antt/$(printf 'x%.0s' {1..100})/anttd.sock" $'a\nb'; do
	run "$ANTT" init --unit 12346 --dir "$IT_TMP/badsock" --socket "$sock"
	assert_rc 64 "antt init --socket '${sock:0:20}...'"
	assert_err_has "--socket takes a file path of fewer than 100 bytes" "antt init with a bad --socket says what it takes"
	[ ! -e "$IT_TMP/badsock" ] || fail "antt init with a bad --socket created the folder"
done

log_step "JSON files"
J="$IT_TMP/json"
mkdir -p "$J"
ev() { printf '{"form": "bvanttq-event", "period": "2024-06-%02d", "values": {"tin_bao": %s}}' "$1" "$2"; }
{ ev 1 1; echo; ev 2 1; echo; ev 3 '1},'; echo; ev 4 1; echo; } >"$J/syntax.json"
refused 65 "$J/syntax.json:3:" "JSON syntax error on line 3" "${A[@]}" submit --file "$J/syntax.json"
printf '[\n  %s,\n  %s\n' "$(ev 1 1)" "$(ev 2 1)" >"$J/unclosed.json"
refused 65 "not valid JSON" "unclosed JSON array" "${A[@]}" submit --file "$J/unclosed.json"
assert_err_has "unclosed.json:4:1: not valid JSON: ',' or ']' expected after a report of the array (it is not closed)" \
	"unclosed JSON array: where"
printf '[%s %s]\n' "$(ev 1 1)" "$(ev 2 1)" >"$J/nocomma.json"
refused 65 "nocomma.json:1:78: not valid JSON: ',' or ']' expected" "JSON array without a comma" \
	"${A[@]}" submit --file "$J/nocomma.json"
printf '[\n  %s,\n  %s,\n]\n' "$(ev 1 1)" "$(ev 2 1)" >"$J/trailing.json"
refused 65 "trailing.json:4:1: not valid JSON: a ',' before the array's ']'" "JSON array with a trailing comma" \
	"${A[@]}" submit --file "$J/trailing.json"
printf '[\n  %s,\n  {"form": x}\n]\n' "$(ev 1 1)" >"$J/badel.json"
refused 65 "badel.json:3:12: not valid JSON" "JSON array with a bad 2nd report" "${A[@]}" submit --file "$J/badel.json"
printf '[\n  %s,\n  3\n]\n' "$(ev 1 1)" >"$J/scalar.json"
refused 65 "report 2: a report must be an object" "JSON array whose 2nd report is a number" \
	"${A[@]}" submit --file "$J/scalar.json"
refused 66 "$J/missing.json" "file that does not exist" "${A[@]}" submit --file "$J/missing.json"
: >"$J/empty.json"
refused 65 "no report" "empty file" "${A[@]}" submit --file "$J/empty.json"
refused 65 "unknown key" "report with an unknown key" "${A[@]}" submit --file <(
	echo '{"form": "bvanttq-event", "period": "2024-06-01", "values": {"tin_bao": 1}, "when": "now"}')
refused 65 "0 or more" "negative value in a file" "${A[@]}" submit --file <(ev 5 -1)
refused 65 "whole number" "fractional value in a file" "${A[@]}" submit --file <(ev 5 3.5)
refused 65 "whole number" "string value in a file" "${A[@]}" submit --file <(ev 5 '"7"')
refused 65 "at least one" "report without values" "${A[@]}" submit --file <(
	echo '{"form": "bvanttq-event", "period": "2024-06-01", "values": {}}')

log_step "all or nothing: the 3rd of 5 reports is bad"
# array; the 3rd fails validation (unknown indicator)
{
	echo "["
	ev 10 1; echo ","
	ev 11 2; echo ","
	echo '{"form": "bvanttq-event", "period": "2024-06-12", "values": {"tin_baoo": 3}},'
	ev 13 4; echo ","
	ev 14 5; echo
	echo "]"
} >"$J/third-bad-array.json"
refused 65 "report 3" "array whose 3rd report has an unknown indicator" \
	"${A[@]}" submit --file "$J/third-bad-array.json"
assert_err_has "tin_baoo" "array whose 3rd report has an unknown indicator"
# JSON lines; the 3rd has a period of the wrong kind
{
	ev 10 1; echo
	ev 11 2; echo
	echo '{"form": "bvanttq-event", "period": "2024-06", "values": {"tin_bao": 3}}'
	ev 13 4; echo
	ev 14 5; echo
} >"$J/third-bad-lines.json"
refused 65 "report 3" "JSON lines whose 3rd report has a bad period" \
	"${A[@]}" submit --file "$J/third-bad-lines.json"
# JSON lines; the 3rd is valid on its own but a duplicate of a stored
# periodic report, so it fails only after reports 1 and 2 were appended
# inside the transaction: they must be rolled back.
{
	ev 10 1; echo
	ev 11 2; echo
	echo '{"form": "bvanttq-monthly", "period": "2024-06", "values": {"hop_dan": 1}}'
	ev 13 4; echo
	ev 14 5; echo
} >"$J/third-dup-lines.json"
refused 65 "report 3" "JSON lines whose 3rd report duplicates a stored report" \
	"${A[@]}" submit --file "$J/third-dup-lines.json"
assert_err_has "antt correct" "JSON lines whose 3rd report duplicates a stored report"
# a syntax error in the 3rd line: nothing of the first two is sent
{ ev 10 1; echo; ev 11 2; echo; echo '{"form": "bvanttq-event"'; ev 13 4; echo; ev 14 5; echo; } >"$J/third-syntax.json"
refused 65 "$J/third-syntax.json:" "JSON lines with a syntax error in the 3rd" \
	"${A[@]}" submit --file "$J/third-syntax.json"
antt_ok "$CONF" log --json --form bvanttq-event
assert_eq "2024-06-01" "$(jq -r '[.[].period] | join(" ")' <<<"$OUT")" "no event of a refused file is in the log"

log_step "after all refusals the chain continues without a gap"
antt_ok "$CONF" submit --json --form bvanttq-event --period 2024-06-20 tin_bao=9007199254740991
assert_eq $((BASE + 1)) "$(jq -r .seq <<<"$OUT")" "seq of the next good record"
antt_ok "$CONF" show "$(jq -r .id <<<"$OUT")" --json
assert_eq 9007199254740991 "$(jq -r .values.tin_bao <<<"$OUT")" "largest allowed value round-trips"
BASE=$((BASE + 1))
antt_ok "$CONF" verify

log_step "anttd not running"
daemon_stop "$MAIN_PID"
refused_down() {
	run "$@"
	assert_rc 69 "$* with anttd stopped"
	assert_err_has "anttd -c $MAIN_CONF" "$* with anttd stopped says how to start it"
}
refused_down "${A[@]}" status
refused_down "${A[@]}" submit --form bvanttq-event --period 2024-06-01 tin_bao=1
refused_down "${A[@]}" log
refused_down "${A[@]}" verify
# the refused submit must not have been queued somewhere for later
daemon_start "$MAIN_CONF"
MAIN_PID=$DPID
assert_count "$MAIN_CONF" $BASE "after submits while anttd was down"
daemon_stop "$MAIN_PID"

# anttd_refuses CONF WANT_RC KEYWORD WHAT: anttd exits WANT_RC at once
# (WANT_RC "nonzero": any failure), saying KEYWORD.
anttd_refuses() {
	local conf=$1 want=$2 kw=$3 what=$4
	run timeout 10 "$ANTTD" -c "$conf"
	[ "$RC" -ne 124 ] || fail "$what: anttd did not refuse to start (still running after 10 s)"
	if [ "$want" = nonzero ]; then
		[ "$RC" -ne 0 ] || fail "$what: anttd exited 0, expected a failure"
	else
		assert_rc "$want" "$what"
	fi
	assert_err_has "$kw" "$what"
	local dout=$OUT derr=$ERR drc=$RC
	run "$ANTT" -c "$conf" status
	assert_rc 69 "$what: antt status afterwards"
	OUT=$dout ERR=$derr RC=$drc # later checks are about anttd's words
}

log_step "bad key files"
node_init k-corrupt 12346
printf 'this is not a key\n' >"$NODE/node.key"
assert_mode "$NODE/node.key" 600 "corrupt key keeps mode 0600"
anttd_refuses "$CONF" 78 "not an antt key file" "corrupt key file"
assert_err_has "$NODE/node.key" "corrupt key file is named"

node_init k-garbage 12346
head -c 300 /dev/urandom >"$NODE/node.key"
anttd_refuses "$CONF" 78 "$NODE/node.key" "random bytes as key file"

node_init k-mismatch 12346
sed -i "s/^public = .*/public = $(printf '%064d' 0)/" "$NODE/node.key"
anttd_refuses "$CONF" 78 "damaged" "key file whose public key does not match its seed"

node_init k-mode 12346
chmod 0644 "$NODE/node.key"
anttd_refuses "$CONF" 78 "chmod 600" "key file mode 0644"
assert_err_has "$NODE/node.key" "key file mode 0644 is named"
assert_mode "$NODE/node.key" 644 "anttd does not silently change the key mode"
[ ! -e "$NODE/store.db" ] || fail "anttd created a store although its key was refused"

node_init k-missing 12346
rm "$NODE/node.key"
anttd_refuses "$CONF" 78 "cannot read key file" "missing key file"

log_step "store files that are not ours"
node_init s-sqlite 12346
sql "$NODE/store.db" "CREATE TABLE invoices(id INTEGER PRIMARY KEY, amount INTEGER); INSERT INTO invoices(amount) VALUES (100), (250);" >/dev/null
chmod 0644 "$NODE/store.db"
sum=$(sha256sum <"$NODE/store.db")
anttd_refuses "$CONF" 65 "not an antt store" "store that is another SQLite database"
assert_err_has "$NODE/store.db" "foreign SQLite store is named"
assert_eq "$sum" "$(sha256sum <"$NODE/store.db")" "a refused foreign SQLite database is left byte-identical"
assert_mode "$NODE/store.db" 644 "a refused foreign SQLite database keeps its mode"
assert_eq 2 "$(sql "$NODE/store.db" "SELECT count(*) FROM invoices")" "foreign database rows"
assert_eq delete "$(sql "$NODE/store.db" "PRAGMA journal_mode")" "foreign database journal mode"

node_init s-text 12346
printf 'Danh sách hộ gia đình\nnot a database at all\n' >"$NODE/store.db"
sum=$(sha256sum <"$NODE/store.db")
anttd_refuses "$CONF" 65 "not an antt store" "store that is a text file"
assert_eq "$sum" "$(sha256sum <"$NODE/store.db")" "a refused text file is left byte-identical"

node_init s-other 12346
cp "$MAIN_NODE/store.db" "$NODE/store.db"
anttd_refuses "$CONF" 65 "another node identity" "store of another node"
