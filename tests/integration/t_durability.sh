#!/usr/bin/env bash
# t_durability: a record is on disk once `antt submit` has returned.  anttd
# is killed with SIGKILL right after each acknowledgement; after a restart
# every acknowledged record is there and the chain verifies.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ROUNDS=${ANTT_IT_ROUNDS:-20}
node_init n 12346
F="$IT_TMP/batch.json"
ACKED=() # ids of every acknowledged record, in order

log_step "$ROUNDS rounds: submit, kill -9 at once, restart, count"
for ((r = 1; r <= ROUNDS; r++)); do
	daemon_start "$CONF"
	if ((r % 4 == 0)); then
		# a batch of three from a file
		{
			printf '{"form":"bvanttq-event","period":"2024-06-%02d","values":{"tin_bao":%d}}\n' $((r % 28 + 1)) "$r"
			printf '{"form":"bvanttq-monthly","period":"%d-%02d","values":{"hop_dan":%d}}\n' \
				$((2020 + (r / 4 - 1) / 12)) $(((r / 4 - 1) % 12 + 1)) "$r"
			printf '{"form":"bvanttq-event","period":"2024-06-%02d","values":{"to_giac":%d}}\n' $((r % 28 + 1)) "$r"
		} >"$F"
		reply=$("$ANTT" -c "$CONF" submit --json --file "$F") || fail "round $r: submit --file failed"
	else
		reply=$("$ANTT" -c "$CONF" submit --json --form bvanttq-event --period 2024-06-15 \
			tin_bao="$r" --note "vòng $r") || fail "round $r: submit failed"
	fi
	kill -9 "$DPID" # right after the acknowledgement
	daemon_kill9 "$DPID"
	mapfile -t ids < <(jq -r '.records[].id' <<<"$reply")
	ACKED+=("${ids[@]}")
	assert_eq "${#ACKED[@]}" "$(jq -r '.records[-1].seq' <<<"$reply")" "round $r: acknowledged seq"

	daemon_start "$CONF"
	assert_count "$CONF" "${#ACKED[@]}" "round $r: after kill -9 and restart"
	for id in "${ids[@]}"; do
		antt_ok "$CONF" show "$id" --json
		assert_eq "$id" "$(jq -r .id <<<"$OUT")" "round $r: acknowledged record $id after restart"
	done
	antt_ok "$CONF" verify
	daemon_kill9 "$DPID"
done

log_step "kill -9 in the middle of a stream of submits"
for ((k = 1; k <= 3; k++)); do
	daemon_start "$CONF"
	acklog="$IT_TMP/acked.$k"
	writer_start "$CONF" "$acklog" 2024-07-01 400
	# let some records through, then pull the plug
	writer_wait_acks "$acklog" $((20 * k))
	kill -9 "$DPID"
	daemon_kill9 "$DPID"
	writer_finish "$acklog"
	mapfile -t ids <"$acklog"
	daemon_start "$CONF"
	stored=$(record_count "$CONF")
	want=$((${#ACKED[@]} + ${#ids[@]}))
	# every acknowledged record is stored; at most the one in flight more
	((stored == want || stored == want + 1)) ||
		fail "stream $k: expected $want (or $((want + 1)) with the one in flight) records, got $stored"
	assert_all_stored "$CONF" "$acklog" "stream $k, after kill -9"
	ACKED+=("${ids[@]}")
	if ((stored == want + 1)); then
		antt_ok "$CONF" log --json --limit 1
		ACKED+=("$(jq -r '.[0].id' <<<"$OUT")")
	fi
	antt_ok "$CONF" verify
	daemon_kill9 "$DPID"
done

log_step "final check"
daemon_start "$CONF"
antt_ok "$CONF" log --json
assert_eq "${ACKED[*]}" "$(jq -r '[.[].id] | join(" ")' <<<"$OUT")" "every acknowledged record, in order"
assert_eq "$(seq -s ' ' 1 ${#ACKED[@]})" "$(jq -r '[.[].seq | tostring] | join(" ")' <<<"$OUT")" "seqs without gaps"
antt_ok "$CONF" verify --json
assert_eq true "$(jq -r .valid <<<"$OUT")" "verify after all the kills"
daemon_stop "$DPID"
