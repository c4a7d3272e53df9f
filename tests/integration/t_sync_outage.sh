#!/usr/bin/env bash
# t_sync_outage: links and nodes go away and come back.  While the district
# or the province is down, communes still record at once; when it is back
# the backlog drains up by itself.  A district or the province killed with
# SIGKILL in the middle of a large transfer, and a commune killed right
# after a submit, lose nothing and duplicate nothing: the province ends with
# every record exactly once, and every store verifies.  A commune that was
# offline while its records climbed, or restored from a backup older than
# its last Acks, learns once back how far up they are.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

BIG=${ANTT_IT_BIG:-20000}
# batches of 1000 (the default is larger): a large transfer takes many
# steps, so that a kill can land in the middle of it
SYNC_BATCH=1000

# timed_submit CONF ARGS...: antt submit must succeed at once, whatever the
# links do (it answers when the record is on disk, never waits for a parent):
# within 5 s (scaled, lib.sh).
timed_submit() {
	local conf=$1 t0 ms
	shift
	t0=$(date +%s%N)
	run timeout "$(slow 20)" "$ANTT" -c "$conf" submit --json "$@"
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ "$RC" -eq 0 ] || fail "submit at $(dirname "$conf") exited $RC while a parent is down"
	((ms < $(slow 5000))) || fail "submit at $(dirname "$conf") took $ms ms while a parent is down (bound $(slow 5000) ms)"
}

_not_ready() { case $(uplink_field "$1" .state) in down | hello) return 0 ;; *) return 1 ;; esac; }

# level_seq CONF LEVEL: how far up (seq) LEVEL holds the node's own records.
level_seq() { uplink_field "$1" "[.levels[] | select(.level == $2) | .seq][0] // 0"; }
_lvl1_is() { [ "$(level_seq "$1" 1)" = "$2" ]; }

# kill_mid_transfer PID WATCH_CONF KEY TARGET: wait until WATCH_CONF holds
# some of the records of KEY being transferred (more than HELD0) but not
# all (fewer than TARGET), then kill -9 PID at once.  Sets KILLED_AT to the
# count seen, or to "" if the transfer finished before it could be caught.
# Fails if none arrives within 60 s (scaled).
kill_mid_transfer() {
	local pid=$1 conf=$2 key=$3 target=$4 deadline held
	deadline=$((SECONDS + $(slow 60)))
	KILLED_AT=""
	while ((SECONDS < deadline)); do
		held=$(author_held "$conf" "$key")
		if ((held >= target)); then
			return 0
		fi
		if ((held > HELD0)); then
			kill -9 "$pid"
			daemon_kill9 "$pid"
			KILLED_AT=$held
			return 0
		fi
		sleep 0.02
	done
	fail "no record of ${key:0:12}... reached $(dirname "$conf") within $(slow 60) s (holds $held, before $HELD0)"
}

# bulk_and_kill COMMUNE_CONF KEY VICTIM(d|p) WHAT: submit $BIG records at
# the commune and kill -9 the victim while the province holds some but not
# all of them; if the transfer outran the poll, once more (3 tries).
# Restarts the victim.
bulk_and_kill() {
	local conf=$1 key=$2 victim=$3 what=$4 try pid vconf
	for ((try = 1; try <= 3; try++)); do
		HELD0=$(author_held "$P_CONF" "$key")
		gen_events "$IT_TMP/big.$try.jsonl" "$BIG" "2024-07-0$try" "$what $try"
		antt_ok "$conf" submit --file "$IT_TMP/big.$try.jsonl"
		TARGET=$(own_seq "$conf")
		if [ "$victim" = d ]; then pid=$D_PID vconf=$D_CONF; else pid=$P_PID vconf=$P_CONF; fi
		kill_mid_transfer "$pid" "$P_CONF" "$key" "$TARGET"
		if [ -n "$KILLED_AT" ]; then
			echo "    killed with $((KILLED_AT - HELD0)) of $((TARGET - HELD0)) new records at the province"
			assert_eq 1 "$((KILLED_AT < TARGET))" "$what: killed in the middle"
			daemon_start "$vconf"
			if [ "$victim" = d ]; then D_PID=$DPID; else P_PID=$DPID; fi
			return 0
		fi
		echo "    the transfer finished before the kill; again"
	done
	fail "$what: three transfers of $BIG records finished before a kill -9 could land in the middle"
}

# all_home WHAT [full]: every commune's records, and the district's, reach
# the province, each exactly once (counts per author, ids and (author, seq)
# distinct).  With "full", also: the same chains as at the communes,
# `antt log --author` counts at the province, and both hubs verify.
all_home() {
	local i
	for i in 1 2; do
		N[i]=$(own_seq "${C_CONF[$i]}")
		wait_held 60 "$P_CONF" "${C_KEY[$i]}" "${N[$i]}" "$1: commune $i"
		assert_eq "${N[$i]}" "$(author_held "$D_CONF" "${C_KEY[$i]}")" "$1: commune $i at the district"
	done
	wait_held 30 "$P_CONF" "$D_KEY" "$(own_seq "$D_CONF")" "$1: the district's own records"
	assert_count "$P_CONF" "$((1 + $(own_seq "$D_CONF") + N[1] + N[2]))" "$1: province"
	assert_no_duplicates_sql "$P_CONF" "$1: province"
	assert_no_duplicates_sql "$D_CONF" "$1: district"
	[ "${2:-}" = full ] || return 0
	verify_bg "$P_CONF"
	verify_bg "$D_CONF"
	for i in 1 2; do
		assert_same_chain_sql "${C_CONF[$i]}" "$P_CONF" "${C_KEY[$i]}" "$1: commune $i at the province"
		assert_eq "${N[$i]}" "$(author_count "$P_CONF" "${C_KEY[$i]}")" "$1: antt log --author commune $i at the province"
	done
	verify_wait "$P_CONF" "$1: province"
	verify_wait "$D_CONF" "$1: district"
}

N=("" 0 0)

log_step "a tree with two communes; first records flow"
sync_tree 2
for i in 1 2; do
	antt_ok "${C_CONF[$i]}" submit --form bvanttq-monthly --period 2024-01 hop_dan="$i"
done
all_home "at the start"

log_step "the district stops (SIGTERM): communes still record at once"
daemon_stop "$D_PID"
for i in 1 2; do
	timed_submit "${C_CONF[$i]}" --form bvanttq-monthly --period 2024-02 hop_dan=$((i + 2))
	timed_submit "${C_CONF[$i]}" --form bvanttq-event --period 2024-02-10 tin_bao=1
done
gen_events "$IT_TMP/while-d-down.jsonl" 500 2024-02-11 "huyện mất kết nối"
timed_submit "${C_CONF[1]}" --file "$IT_TMP/while-d-down.jsonl"
for i in 1 2; do
	wait_for 30 "commune $i sees its parent gone" _not_ready "${C_CONF[$i]}"
done
assert_eq 503 "$(own_seq "${C_CONF[1]}")" "commune 1: records while the district is down"
assert_eq 1 "$(author_held "$P_CONF" "${C_KEY[1]}")" "province: commune 1 while the district is down"

log_step "the district is back: the backlog drains to the province by itself"
daemon_start "$D_CONF"
D_PID=$DPID
all_home "after the district's outage"
for i in 1 2; do
	wait_receipts 30 "${C_CONF[$i]}" "${N[$i]}" "commune $i after the district's outage"
done

log_step "the province stops (SIGTERM): the district still takes records"
daemon_stop "$P_PID"
for i in 1 2; do
	timed_submit "${C_CONF[$i]}" --form bvanttq-monthly --period 2024-03 hop_dan=$((i + 4))
done
gen_events "$IT_TMP/while-p-down.jsonl" 300 2024-03-05 "tỉnh mất kết nối"
timed_submit "${C_CONF[2]}" --file "$IT_TMP/while-p-down.jsonl"
wait_for 30 "the district sees its parent gone" _not_ready "$D_CONF"
for i in 1 2; do
	n=$(own_seq "${C_CONF[$i]}")
	wait_held 30 "$D_CONF" "${C_KEY[$i]}" "$n" "commune $i at the district while the province is down"
	wait_for 30 "commune $i: received by parent seq $n" _lvl1_is "${C_CONF[$i]}" "$n"
	assert_eq "${N[$i]}" "$(level_seq "${C_CONF[$i]}" 2)" "commune $i: received by parent's parent while the province is down"
done

log_step "the province is back: the backlog drains, receipts follow"
daemon_start "$P_CONF"
P_PID=$DPID
all_home "after the province's outage"
for i in 1 2; do
	wait_receipts 30 "${C_CONF[$i]}" "${N[$i]}" "commune $i after the province's outage"
done

log_step "kill -9 the district in the middle of $BIG records from commune 1"
bulk_and_kill "${C_CONF[1]}" "${C_KEY[1]}" d "district killed"
all_home "after the district's kill -9"

log_step "kill -9 the province in the middle of $BIG records from commune 2"
bulk_and_kill "${C_CONF[2]}" "${C_KEY[2]}" p "province killed"
all_home "after the province's kill -9"

log_step "kill -9 a commune right after a submit"
for k in 1 2 3; do
	antt_ok "${C_CONF[1]}" submit --json --form bvanttq-event --period 2024-08-0$k tin_bao="$k"
	ID=$(jq -r .id <<<"$OUT")
	kill -9 "${C_PID[1]}"
	daemon_kill9 "${C_PID[1]}"
	daemon_start "${C_CONF[1]}"
	C_PID[1]=$DPID
	antt_ok "${C_CONF[1]}" show "$ID" --json
	assert_eq "$ID" "$(jq -r .id <<<"$OUT")" "commune 1: the record acknowledged before kill -9 $k"
done
all_home "after the commune's kill -9" full
antt_ok "$P_CONF" show "$ID" --json
assert_eq "$ID" "$(jq -r .id <<<"$OUT")" "province: the last record acknowledged before a kill -9"
for i in 1 2; do
	wait_receipts 30 "${C_CONF[$i]}" "${N[$i]}" "commune $i at the end"
done

log_step "a commune offline while its records climb learns how far up they are once back"
daemon_stop "$P_PID"
antt_ok "${C_CONF[2]}" submit --form bvanttq-monthly --period 2024-09 hop_dan=1
N[2]=$(own_seq "${C_CONF[2]}")
wait_held 30 "$D_CONF" "${C_KEY[2]}" "${N[2]}" "commune 2's new record at the district"
wait_for 30 "commune 2: received by parent seq ${N[2]}" _lvl1_is "${C_CONF[2]}" "${N[2]}"
daemon_stop "${C_PID[2]}" # offline before the province has it
daemon_start "$P_CONF"
P_PID=$DPID
wait_held 30 "$P_CONF" "${C_KEY[2]}" "${N[2]}" "commune 2's new record at the province"
daemon_start "${C_CONF[2]}"
C_PID[2]=$DPID
wait_receipts 30 "${C_CONF[2]}" "${N[2]}" "commune 2 back online"

log_step "a commune restored from a backup older than its last Acks learns at Hello what its parent holds"
# (the same state as an Ack lost with the link: the parent holds records the
# commune has no receipt for; every connection starts from the heads)
daemon_stop "${C_PID[2]}"
sql "$IT_TMP/c2/store.db" "DELETE FROM receipts"
daemon_start "${C_CONF[2]}"
C_PID[2]=$DPID
wait_receipts 30 "${C_CONF[2]}" "${N[2]}" "commune 2 restored without its receipts"

log_step "clean stops"
for i in 1 2; do
	daemon_stop "${C_PID[$i]}"
done
daemon_stop "$D_PID"
daemon_stop "$P_PID"
assert_no_sanitizer_reports
