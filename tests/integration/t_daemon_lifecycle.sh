#!/usr/bin/env bash
# t_daemon_lifecycle: one anttd per store; SIGTERM and SIGINT stop it
# cleanly and promptly; a kill -9 leaves nothing that blocks a restart.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

node_init n 12346
LOG="$NODE/anttd.log"

log_step "anttd -n, -V and a bad argument"
run "$ANTTD" -n -c "$CONF"
assert_rc 0 "anttd -n"
assert_contains "$OUT" "configuration OK" "anttd -n"
run "$ANTTD" -V
assert_rc 0 "anttd -V"
assert_match "$OUT" '^anttd [0-9]+\.[0-9]+' "anttd -V"
run "$ANTTD" -c "$CONF" extra
assert_rc 64 "anttd with an unexpected argument"

log_step "start; the log says so"
daemon_start "$CONF" "$LOG"
FIRST=$DPID
assert_contains "$(cat "$LOG")" "started: unit 12346, key $PUBKEY" "start-up log line"
antt_ok "$CONF" submit --form bvanttq-event --period 2024-06-01 tin_bao=1

log_step "a second anttd on the same config refuses"
run timeout 10 "$ANTTD" -c "$CONF"
assert_rc 75 "second anttd on the same config"
assert_err_has "already running" "second anttd"
assert_err_has "pid $FIRST" "second anttd names the running one"

log_step "a second anttd on another config but the same store refuses"
sed 's/^socket = .*/socket = other.sock/' "$CONF" >"$NODE/other.conf"
run timeout 10 "$ANTTD" -c "$NODE/other.conf"
assert_rc 75 "second anttd on the same store through another config"
assert_err_has "already running" "second anttd through another config"
[ ! -S "$NODE/other.sock" ] || fail "the refused anttd left a control socket $NODE/other.sock"

log_step "the first anttd still serves"
antt_ok "$CONF" status --json
assert_eq "$FIRST" "$(jq -r .pid <<<"$OUT")" "status answered by the first anttd"
assert_eq 1 "$(jq -r .records <<<"$OUT")" "records"

# stop_with SIGNAL: the daemon exits 0 within 5 s, logs that it stopped,
# and antt then reports it is not running.
stop_with() {
	local sig=$1 lines
	lines=$(wc -l <"$LOG")
	kill -s "$sig" "$DPID"
	daemon_wait_exit "$DPID" 5
	assert_eq 0 "$DRC" "anttd exit code after SIG$sig"
	local tail
	tail=$(tail -n +$((lines + 1)) "$LOG")
	assert_contains "$tail" "stopping" "log after SIG$sig"
	assert_contains "$tail" "stopped" "log after SIG$sig"
	assert_not_contains "$tail" "error" "log after SIG$sig"
	run "$ANTT" -c "$CONF" status
	assert_rc 69 "antt status after SIG$sig"
	assert_err_has "anttd -c $CONF" "antt status after SIG$sig"
}

log_step "SIGTERM"
stop_with TERM

log_step "SIGINT"
daemon_start "$CONF" "$LOG"
assert_count "$CONF" 1 "records after a restart"
stop_with INT

log_step "SIGTERM while clients are writing"
daemon_start "$CONF" "$LOG"
acks="$IT_TMP/acks"
writer_start "$CONF" "$acks" 2024-06-02 300
writer_wait_acks "$acks" 30
stop_with TERM
writer_finish "$acks"
daemon_start "$CONF" "$LOG"
assert_all_stored "$CONF" "$acks" "after SIGTERM"
antt_ok "$CONF" verify
COUNT=$(record_count "$CONF")

log_step "kill -9 leaves a stale socket and lock file; a restart is not blocked"
OLD=$DPID
daemon_kill9 "$DPID"
[ -S "$NODE/anttd.sock" ] || echo "    note: no socket file left after kill -9"
[ -e "$NODE/store.db.lock" ] || fail "lock file missing after kill -9"
run "$ANTT" -c "$CONF" status
assert_rc 69 "antt status after kill -9"
daemon_start "$CONF" "$LOG"
antt_ok "$CONF" status --json
assert_eq "$DPID" "$(jq -r .pid <<<"$OUT")" "status answered by the new anttd"
assert_ne "$OLD" "$DPID" "a new anttd"
assert_eq "$COUNT" "$(jq -r .records <<<"$OUT")" "records after kill -9 and restart"
antt_ok "$CONF" submit --form bvanttq-event --period 2024-06-03 tin_bao=1
assert_count "$CONF" $((COUNT + 1)) "a submit after the restart"

log_step "twice in a row, then a clean stop"
daemon_kill9 "$DPID"
daemon_start "$CONF" "$LOG"
daemon_kill9 "$DPID"
daemon_start "$CONF" "$LOG"
antt_ok "$CONF" verify
stop_with TERM
