#!/usr/bin/env bash
# t_sync_many: a district with hundreds of children.  sync_peer plays 300
# enrolled communes in one process; in each of three rounds all of them
# connect at once, say Hello, send a few records and wait for the Ack, then
# hang up.  Every record arrives, every session is let go once its child
# is gone, and the hub's memory stays bounded and does not keep growing
# from round to round.
#
# The bounds.  One connected child costs the hub about 55 KB at the peak of
# a round (CURVE state, libzmq pipes and 8 KB I/O buffers, the session),
# measured: 300 children take the hub from ~9 MB to ~25 MB.  So:
#  * peak (VmHWM) < 100 MB: room for allocator overhead, but per-connection
#    buffers of ~300 KB (a queue that grew, a batch kept) would break it;
#  * VmRSS from the end of round 2 to the end of round 3 grows < 10 MB:
#    keeping what each connection held (>= 15 MB a round for 300) would
#    break it.  Some growth is expected and is no leak:
#    glibc keeps freed heap, and its high-water mark creeps up over the
#    first rounds (~4 MB, then ~3 MB, then less); heaptrack on the hub shows
#    the live heap back at ~2 MB after every round, and 3 KB left at exit;
#  * sessions: `antt status` hub.connected falls back to 0 after each round
#    (the hub drops a session silent for [sync] timeout), so no per-child
#    state outlives its child; and no child that kept talking was dropped
#    meanwhile (no Error "send Hello first" while 300 connect at once).
#
# Then idle sessions, as an attacker holding enrolled keys leaves them:
# all children say Hello and stay connected, 20 of them Ping as anttd
# does, the others say nothing at all (libzmq still answers the hub's
# ZeroMQ heartbeats, so their connections stay up).  Every silent session
# is dropped once silent for [sync] timeout, with a line each, and its
# child's next message gets Error 1 "send Hello first"; the pinging ones
# keep theirs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

: "${SYNC_PEER:?set SYNC_PEER to the sync_peer binary}"
[ -x "$SYNC_PEER" ] || fail "SYNC_PEER=$SYNC_PEER is not an executable"

# Under the sanitizers (ANTT_IT_SANITIZE=1) memory is the sanitizers' own:
# the bounds are not checked, everything else is.
MEM_CHECKS=1
[ "${ANTT_IT_SANITIZE:-0}" = 1 ] && MEM_CHECKS=0
CHILDREN=${ANTT_IT_CHILDREN:-300}
RECORDS=5 # per child and round
ROUNDS=3
PEAK_MAX_KB=$((100 * 1024))
GROWTH_MAX_KB=$((10 * 1024))

log_step "a district and $CHILDREN enrolled children"
it_port PORT_D
sync_node_init d 332 "$PORT_D" "" ""
D_CONF=$CONF D_KEY=$PUBKEY
daemon_start "$D_CONF"
D_PID=$DPID
KEYS="$IT_TMP/keys"
mkdir "$KEYS"
run "$SYNC_PEER" keygen-many "$KEYS" "$CHILDREN" 70000
assert_rc 0 "sync_peer keygen-many"
printf '%s\n' "$OUT" >"$IT_TMP/children.txt"
assert_eq "$CHILDREN" "$(wc -l <"$IT_TMP/children.txt")" "keys made"
# four antt at a time (anttd takes them one after the other)
# shellcheck disable=SC2016 # expanded by sh -c, from its arguments
xargs -P 4 -L 1 sh -c '"$0" -c "$1" enroll --unit "$2" --key "$3" >/dev/null' \
	"$ANTT" "$D_CONF" <"$IT_TMP/children.txt" || fail "an antt enroll failed"
antt_ok "$D_CONF" children --json
assert_eq "$CHILDREN" "$(jq length <<<"$OUT")" "children enrolled"
RSS0=$(awk '/^VmRSS:/ {print $2}' "/proc/$D_PID/status")
echo "    hub VmRSS with no child connected: $RSS0 kB"

_idle() {
	local out
	out=$("$ANTT" -c "$D_CONF" status --json) || return 1
	jq -e '.hub.connected == 0' <<<"$out" >/dev/null
}

RSS=() # the hub's VmRSS at the end of each round, all children connected
for ((r = 1; r <= ROUNDS; r++)); do
	log_step "round $r: $CHILDREN children at once, $RECORDS records each"
	run "$SYNC_PEER" many --hub "tcp://127.0.0.1:$PORT_D" --hub-key "$D_KEY" --keys "$KEYS" \
		--records "$RECORDS" --rounds 1 --watch-pid "$D_PID" --timeout "$(slow 30000)"
	[ "$RC" -eq 0 ] || fail "round $r: sync_peer many exited $RC (not every batch acknowledged)"
	line=$OUT
	echo "    $line"
	assert_eq "$CHILDREN" "$(jq .acked <<<"$line")" "round $r: batches acknowledged"
	assert_eq 0 "$(jq .refused <<<"$line")" "round $r: records refused"
	# a child that keeps talking is never told "send Hello first": its
	# session must not be dropped as silent while its message waits in the
	# hub's queue (sync_peer's stderr names each Error)
	assert_eq 0 "$(jq .errors <<<"$line")" "round $r: Error messages from the hub"
	assert_eq $((CHILDREN * RECORDS)) "$(jq .stored <<<"$line")" "round $r: records stored"
	hwm=$(jq .hub_vmhwm_kb <<<"$line")
	((hwm > 0)) || fail "round $r: no VmHWM read for the hub (pid $D_PID)"
	((MEM_CHECKS == 0 || hwm < PEAK_MAX_KB)) || fail "round $r: hub peak memory $hwm kB, bound $PEAK_MAX_KB kB"
	RSS+=("$(jq .hub_vmrss_kb <<<"$line")")
	case $(_it_pstate "$D_PID") in Z | gone) fail "round $r: the hub died" ;; esac
	# every session goes once its child is gone ([sync] timeout)
	wait_for 30 "round $r: the hub lets go of every session (hub.connected 0)" _idle
	assert_eq $((CHILDREN + CHILDREN * RECORDS * r)) "$(record_count "$D_CONF")" "round $r: records at the hub"
done

log_step "idle: $CHILDREN children say Hello, 20 Ping, the others stay silent past [sync] timeout"
ACTIVE=20
SILENT=$((CHILDREN - ACTIVE))
D_LOG="$IT_TMP/d/anttd.log"
silent0=$(grep -c "silent for [0-9]* ms; session dropped" "$D_LOG") || true
"$SYNC_PEER" idle --hub "tcp://127.0.0.1:$PORT_D" --hub-key "$D_KEY" --keys "$KEYS" \
	--active "$ACTIVE" --until "$IT_TMP/idle.go" --timeout "$(slow 20000)" \
	>"$IT_TMP/idle.jsonl" 2>"$IT_TMP/idle.err" &
IDLE_PID=$!
IT_PIDS+=("$IDLE_PID")
_opened() { [ "$(jq -s 'map(select(.case == "idle_open")) | length' "$IT_TMP/idle.jsonl")" = 1 ]; }
wait_for 30 "sync_peer idle: every child said Hello" _opened
assert_eq "$CHILDREN" "$(jq -s '.[0].opened' "$IT_TMP/idle.jsonl")" "idle: sessions opened"
T_OPEN=$SECONDS
_active_only() {
	local out
	out=$("$ANTT" -c "$D_CONF" status --json) || return 1
	jq -e --argjson a "$ACTIVE" '.hub.connected == $a' <<<"$out" >/dev/null
}
# [sync] timeout is 2 s here, the reaper runs every heartbeat (0.3 s)
wait_for 10 "idle: the hub drops the $SILENT silent sessions, keeps the $ACTIVE pinging (hub.connected $ACTIVE)" _active_only
echo "    silent sessions dropped within $((SECONDS - T_OPEN)) s of opening"
touch "$IT_TMP/idle.go"
wait "$IDLE_PID" || {
	OUT=$(cat "$IT_TMP/idle.jsonl") ERR=$(cat "$IT_TMP/idle.err")
	fail "sync_peer idle: not every child opened, or not every Ping was answered"
}
line=$(jq -c 'select(.case == "idle_after")' "$IT_TMP/idle.jsonl")
echo "    $line"
assert_eq true "$(jq .go <<<"$line")" "idle: the wait ended on the script's word"
assert_eq "$SILENT" "$(jq .silent_error1 <<<"$line")" "idle: silent children told Error 1 'send Hello first' when they speak"
assert_eq 0 "$(jq .silent_told_meanwhile <<<"$line")" "idle: nothing sent to silent children meanwhile"
assert_eq "$ACTIVE" "$(jq .active_pong <<<"$line")" "idle: pinging children still answered (Pong)"
assert_eq 0 "$(jq .active_errors_meanwhile <<<"$line")" "idle: no Error to a pinging child meanwhile"
(($(jq .active_pongs_meanwhile <<<"$line") >= ACTIVE)) || fail "idle: pinging children got no Pong meanwhile"
silent1=$(grep -c "silent for [0-9]* ms; session dropped" "$D_LOG") || true
assert_eq "$SILENT" "$((silent1 - silent0))" "idle: one line per session dropped as silent"
wait_for 30 "idle: the hub lets go of every session once the children are gone (hub.connected 0)" _idle

log_step "memory: bounded, and not growing round after round"
echo "    VmRSS at the end of rounds 1..$ROUNDS: ${RSS[*]} kB"
growth=$((RSS[2] - RSS[1]))
((MEM_CHECKS == 0)) && echo "    (sanitizer build: memory bounds not checked)"
((MEM_CHECKS == 0 || growth < GROWTH_MAX_KB)) ||
	fail "hub VmRSS grew by $growth kB from round 2 to round 3 (${RSS[*]} kB), bound $GROWTH_MAX_KB kB"

log_step "every child's records, in order, once"
antt_ok "$D_CONF" children --json
want=$((RECORDS * ROUNDS))
assert_eq "$CHILDREN" "$(jq --argjson w "$want" '[.[] | select(.records == $w and .head == $w)] | length' <<<"$OUT")" \
	"children holding $want records with head $want"
assert_no_duplicates_sql "$D_CONF" "hub"
assert_verify "$D_CONF" "hub"
daemon_stop "$D_PID"
assert_no_sanitizer_reports
