#!/usr/bin/env bash
# t_sync_crash: random kill -9 of any node while communes take reports.
# A tree of three communes under a district under the province; at every
# commune a writer submits reports one after the other and notes the id of
# each acknowledged one.  Meanwhile, round after round, a node picked at
# random (a commune, the district or the province) is killed with SIGKILL
# at a random moment and started again.  At the end: every acknowledged
# record is at the province exactly once, the province holds nothing of a
# commune that the commune does not hold itself (no extra record, same
# chain), the counts add up exactly, every store verifies and no hub saw a
# fork.
#
#   ANTT_CRASH_ROUNDS  number of kill rounds (default 12)
#   ANTT_CRASH_SEED    the seed of the random choices (printed; replays a run's
#                      choices of victim and moments; the interleaving with
#                      the daemons is of course not replayed)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ROUNDS=${ANTT_CRASH_ROUNDS:-12}
SEED=${ANTT_CRASH_SEED:-$(($(date +%s%N) % 2147483647))}
[[ "$ROUNDS" =~ ^[0-9]+$ ]] || fail "ANTT_CRASH_ROUNDS=$ROUNDS is not a number"
[[ "$SEED" =~ ^[0-9]+$ ]] || fail "ANTT_CRASH_SEED=$SEED is not a number"
echo "seed $SEED (replay with ANTT_CRASH_SEED=$SEED), $ROUNDS rounds"
RANDOM=$SEED
NC=3

# rnd N: a number in 0..N-1 from the seeded generator (not in a subshell:
# $(...) would not advance the sequence)
rnd() { R=$((RANDOM % $1)); }

# crash_writer CONF ACKS STOP TAG: submit reports until the file STOP
# exists; the id of each acknowledged one is appended to ACKS.  A submit
# that fails (its node is down or was killed while answering) is not
# acknowledged: retried with the next report after a short pause.  Every
# antt call has a time limit, so that a request cut off by a kill -9 never
# holds the writer up.
crash_writer() {
	local conf=$1 acks=$2 stop=$3 tag=$4 i=0 tmo
	tmo=$(slow 15)
	: >"$acks"
	(
		set +e
		trap - ERR
		while [ ! -e "$stop" ]; do
			i=$((i + 1))
			if timeout -s KILL "$tmo" "$ANTT" -c "$conf" submit --json --form bvanttq-event \
				--period 2024-05-01 tin_bao="$i" --note "$tag $i" >"$acks.out" 2>"$acks.err"; then
				id=$(jq -r .id "$acks.out")
				[ -n "$id" ] && [ "$id" != null ] && echo "$id" >>"$acks"
			else
				echo "$i rc=$? $(head -c 200 "$acks.err")" >>"$acks.failed"
				sleep 0.1
			fi
		done
	) &
	WPID[$5]=$!
}

restart() { # WHICH(p|d|1..NC)
	case $1 in
	p)
		daemon_start "$P_CONF"
		P_PID=$DPID
		;;
	d)
		daemon_start "$D_CONF"
		D_PID=$DPID
		;;
	*)
		daemon_start "${C_CONF[$1]}"
		C_PID[$1]=$DPID
		;;
	esac
}

victim_pid() {
	case $1 in
	p) echo "$P_PID" ;;
	d) echo "$D_PID" ;;
	*) echo "${C_PID[$1]}" ;;
	esac
}

log_step "a tree with $NC communes; writers start at every commune"
sync_tree $NC
STOP="$IT_TMP/writers.stop"
WPID=()
for ((i = 1; i <= NC; i++)); do
	crash_writer "${C_CONF[$i]}" "$IT_TMP/acks.$i" "$STOP" "c$i" "$i"
done
for ((i = 1; i <= NC; i++)); do
	writer_wait_acks "$IT_TMP/acks.$i" 3
done

log_step "$ROUNDS rounds: kill -9 a random node at a random moment, start it again"
T0=$SECONDS
declare -A KILLS=()
for ((r = 1; r <= ROUNDS; r++)); do
	rnd 5
	case $R in
	0) v=p ;;
	1) v=d ;;
	*)
		rnd $NC
		v=$((R + 1))
		;;
	esac
	rnd 1500
	wait_ms=$((R + 100))
	rnd 600
	down_ms=$R
	sleep "$(printf '0.%03d' $((wait_ms % 1000)))"
	((wait_ms >= 1000)) && sleep $((wait_ms / 1000))
	pid=$(victim_pid "$v")
	case $(_it_pstate "$pid") in
	Z | gone) fail "round $r: node $v (pid $pid) died by itself before it was killed" ;;
	esac
	kill -9 "$pid"
	daemon_kill9 "$pid"
	sleep "$(printf '0.%03d' "$down_ms")"
	restart "$v"
	KILLS[$v]=$((${KILLS[$v]:-0} + 1))
	acked=""
	for ((i = 1; i <= NC; i++)); do acked+="$(wc -l <"$IT_TMP/acks.$i") "; done
	echo "    round $r: killed $v after ${wait_ms} ms, down ${down_ms} ms; acknowledged so far: $acked"
done
echo "    kills: $(for k in "${!KILLS[@]}"; do printf '%s=%s ' "$k" "${KILLS[$k]}"; done)"

log_step "the writers stop; everything settles"
touch "$STOP"
for ((i = 1; i <= NC; i++)); do
	wait "${WPID[$i]}" || fail "writer $i failed"
done
# every node must still be the one we started last: none died by itself
for v in p d $(seq 1 $NC); do
	pid=$(victim_pid "$v")
	case $(_it_pstate "$pid") in
	Z | gone) fail "node $v (pid $pid) died by itself" ;;
	esac
done

TOTAL_ACK=0
for ((i = 1; i <= NC; i++)); do
	n=$(wc -l <"$IT_TMP/acks.$i")
	nf=$(wc -l <"$IT_TMP/acks.$i.failed" 2>/dev/null || echo 0)
	echo "    commune $i: $n acknowledged, $nf submits failed (node down)"
	((n >= 5)) || fail "commune $i: only $n submits acknowledged: the scenario proved little"
	TOTAL_ACK=$((TOTAL_ACK + n))
	assert_eq "$n" "$(sort -u "$IT_TMP/acks.$i" | wc -l)" "commune $i: acknowledged ids distinct"
done

SUM=0
for ((i = 1; i <= NC; i++)); do
	N[i]=$(own_seq "${C_CONF[$i]}")
	SUM=$((SUM + N[i]))
	# the commune's own store holds every id it acknowledged
	store_sql "${C_CONF[$i]}" "SELECT lower(hex(id)) FROM records WHERE author = x'${C_KEY[$i]}'" |
		sort >"$IT_TMP/c$i.ids"
	missing=$(sort -u "$IT_TMP/acks.$i" | comm -23 - "$IT_TMP/c$i.ids" | head -n 5 | tr '\n' ' ')
	assert_eq "" "$missing" "commune $i: acknowledged records missing at the commune itself"
	wait_held 90 "$P_CONF" "${C_KEY[$i]}" "${N[$i]}" "commune $i at the province"
	assert_eq "${N[$i]}" "$(author_held "$D_CONF" "${C_KEY[$i]}")" "commune $i at the district"
done
wait_held 60 "$P_CONF" "$D_KEY" "$(own_seq "$D_CONF")" "the district's own records at the province"

log_step "every acknowledged record at the province exactly once, nothing extra"
for ((i = 1; i <= NC; i++)); do
	store_sql "$P_CONF" "SELECT lower(hex(id)) FROM records WHERE author = x'${C_KEY[$i]}'" |
		sort >"$IT_TMP/p$i.ids"
	missing=$(sort -u "$IT_TMP/acks.$i" | comm -23 - "$IT_TMP/p$i.ids" | head -n 5 | tr '\n' ' ')
	assert_eq "" "$missing" "commune $i: acknowledged records missing at the province"
	# each acknowledged id exactly once among the province's records
	assert_eq "$(sort -u "$IT_TMP/acks.$i" | wc -l)" \
		"$(sort -u "$IT_TMP/acks.$i" | join - "$IT_TMP/p$i.ids" | wc -l)" \
		"commune $i: acknowledged ids found once each at the province"
	# no extra: the province holds exactly the commune's chain, seq 1..N
	assert_same_chain_sql "${C_CONF[$i]}" "$P_CONF" "${C_KEY[$i]}" "commune $i at the province"
	assert_same_chain_sql "${C_CONF[$i]}" "$D_CONF" "${C_KEY[$i]}" "commune $i at the district"
	assert_eq "${N[$i]}|1|${N[$i]}" \
		"$(store_sql "$P_CONF" "SELECT count(*), min(seq), max(seq) FROM records WHERE author = x'${C_KEY[$i]}'")" \
		"commune $i at the province: count, first and last seq"
done
assert_count "$P_CONF" "$(($(own_seq "$P_CONF") + $(own_seq "$D_CONF") + SUM))" "province"
assert_count "$D_CONF" "$(($(own_seq "$D_CONF") + SUM))" "district (its own and the communes' records)"
assert_eq "$(($(own_seq "$D_CONF") + SUM))" \
	"$(store_sql "$P_CONF" "SELECT count(*) FROM records WHERE author <> x'$P_KEY'")" \
	"province: records of other authors"
assert_no_duplicates_sql "$P_CONF" "province"
assert_no_duplicates_sql "$D_CONF" "district"
echo "    $TOTAL_ACK acknowledged, $SUM signed at the communes, all at the province once"

log_step "no fork anywhere; every store verifies; receipts reach the communes"
assert_eq 0 "$(store_sql "$D_CONF" "SELECT count(*) FROM forks")" "district: forks"
assert_eq 0 "$(store_sql "$P_CONF" "SELECT count(*) FROM forks")" "province: forks"
for ((i = 1; i <= NC; i++)); do
	wait_receipts 60 "${C_CONF[$i]}" "${N[$i]}" "commune $i at the end"
done
verify_bg "$P_CONF"
verify_bg "$D_CONF"
for ((i = 1; i <= NC; i++)); do verify_bg "${C_CONF[$i]}"; done
verify_wait "$P_CONF" "province"
verify_wait "$D_CONF" "district"
for ((i = 1; i <= NC; i++)); do verify_wait "${C_CONF[$i]}" "commune $i"; done
for ((i = 1; i <= NC; i++)); do
	if grep -n -i 'fork' "$IT_TMP/c$i/anttd.log" >/dev/null; then
		OUT=$(grep -n -i 'fork' "$IT_TMP/c$i/anttd.log" | head -n 5) ERR=""
		fail "commune $i logged a fork"
	fi
done

log_step "clean stops"
for ((i = 1; i <= NC; i++)); do daemon_stop "${C_PID[$i]}"; done
daemon_stop "$D_PID"
daemon_stop "$P_PID"
assert_no_sanitizer_reports
echo "    seed $SEED, $ROUNDS rounds, $((SECONDS - T0)) s after the tree was up"
