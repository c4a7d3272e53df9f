#!/usr/bin/env bash
# t_concurrent: two clients submitting at the same time.  Every submit is
# acknowledged with its own seq; the chain has seqs 1..N exactly once each.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PER=${ANTT_IT_PER_CLIENT:-500}
TOTAL=$((2 * PER))
THIRD=$((PER / 5))
node_init n 12346
daemon_start "$CONF"

# client NAME COUNT: COUNT submits in a row; the replies (JSON) go to
# $IT_TMP/NAME.replies, then one "seq id" line per reply to NAME.acks; each
# failure goes to NAME.fail.
client() {
	local name=$1 count=$2 i
	: >"$IT_TMP/$name.replies"
	: >"$IT_TMP/$name.fail"
	for ((i = 1; i <= count; i++)); do
		"$ANTT" -c "$CONF" submit --json --form bvanttq-event --period 2024-06-01 tin_bao=1 \
			>>"$IT_TMP/$name.replies" 2>>"$IT_TMP/$name.fail" ||
			echo "submit $i failed" >>"$IT_TMP/$name.fail"
	done
	jq -r '"\(.seq) \(.id)"' "$IT_TMP/$name.replies" >"$IT_TMP/$name.acks"
}

log_step "two clients, $PER submits each, at the same time"
start=$SECONDS
client a "$PER" &
pa=$!
client b "$PER" &
pb=$!
wait "$pa" || fail "client a failed"
wait "$pb" || fail "client b failed"
echo "    $TOTAL submits in $((SECONDS - start)) s"

for c in a b; do
	[ ! -s "$IT_TMP/$c.fail" ] || fail "client $c had refused submits: $(head -n 5 "$IT_TMP/$c.fail")"
	assert_eq "$PER" "$(wc -l <"$IT_TMP/$c.acks")" "client $c: acknowledged submits"
done

log_step "the acknowledgements"
sort -n "$IT_TMP/a.acks" "$IT_TMP/b.acks" >"$IT_TMP/acks"
assert_eq "$(seq 1 $TOTAL)" "$(cut -d' ' -f1 "$IT_TMP/acks")" "acknowledged seqs: 1..$TOTAL, each once"
assert_eq "$TOTAL" "$(cut -d' ' -f2 "$IT_TMP/acks" | sort -u | wc -l)" "distinct acknowledged ids"
# both clients really interleaved: neither got one solid block of seqs
a_span=$(awk 'NR == 1 || $1 < lo { lo = $1 } $1 > hi { hi = $1 } END { print hi - lo + 1 }' "$IT_TMP/a.acks")
((a_span > PER)) || echo "    note: the two clients did not interleave (client a got one block)"

log_step "the store"
assert_count "$CONF" "$TOTAL" "after $TOTAL concurrent submits"
antt_ok "$CONF" log --json
LOG=$OUT
assert_eq "$TOTAL" "$(jq length <<<"$LOG")" "records in the log"
assert_eq "$(seq 1 $TOTAL)" "$(jq -r '.[].seq' <<<"$LOG")" "seqs in the log: 1..$TOTAL in order, no gap, no duplicate"
assert_eq "$TOTAL" "$(jq -r '[.[].id] | unique | length' <<<"$LOG")" "distinct ids in the log"
assert_eq "$(cat "$IT_TMP/acks")" "$(jq -r '.[] | "\(.seq) \(.id)"' <<<"$LOG")" "each acknowledged (seq, id) is the stored one"
assert_eq 1 "$(jq -r '[.[].author] | unique | length' <<<"$LOG")" "one author"
antt_ok "$CONF" status --json
assert_eq "$TOTAL" "$(jq -r .head.seq <<<"$OUT")" "head seq"

log_step "verify"
antt_ok "$CONF" verify --json
assert_eq true "$(jq -r .valid <<<"$OUT")" "verify after concurrent submits"
assert_eq "$TOTAL" "$(jq -r .checked <<<"$OUT")" "records verified"

log_step "readers during writes"
# a verify and log running while a third client writes: all succeed
client c "$THIRD" &
pc=$!
for ((i = 0; i < 5; i++)); do
	antt_ok "$CONF" verify --json
	assert_eq true "$(jq -r .valid <<<"$OUT")" "verify while writing ($i)"
	antt_ok "$CONF" log --json --limit 5
done
wait "$pc" || fail "client c failed"
[ ! -s "$IT_TMP/c.fail" ] || fail "client c had refused submits: $(head -n 5 "$IT_TMP/c.fail")"
assert_count "$CONF" $((TOTAL + THIRD)) "after the third client"
antt_ok "$CONF" log --json
assert_eq "$(seq 1 $((TOTAL + THIRD)))" "$(jq -r '.[].seq' <<<"$OUT")" "seqs after the third client"
daemon_stop "$DPID"
