#!/usr/bin/env bash
# t_service: anttd as a systemd service speaks the notify protocol (a real
# datagram socket in NOTIFY_SOCKET, as systemd gives Type=notify units):
# READY=1 once it serves the control socket, a STATUS line that says how
# far its records are synced and how many children are connected, the
# watchdog fed from the loop twice per WATCHDOG_USEC, STOPPING=1 on
# SIGTERM; a stopped loop stops the feeding, long work on it (a bulk
# submit) feeds it as it goes.  antt status --prometheus
# gives the figures monitoring scrapes (queue depth while the hub is down,
# drained when it returns).  Without NOTIFY_SOCKET it sends nothing and
# logs to stderr.  No log line, at debug level, holds a node's secret.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# notify_listen SOCK OUT: receive datagrams on SOCK, one line per message
# (newlines inside a message shown as '|') with the ms since start, to OUT
notify_listen() {
	python3 -u - "$1" "$2" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
t0 = time.monotonic()
with open(sys.argv[2], "w", buffering=1) as out:
    while True:
        m = s.recv(4096).decode()
        out.write("%d %s\n" % ((time.monotonic() - t0) * 1000, m.replace("\n", "|")))
PY
	NPID=$!
	IT_PIDS+=("$NPID")
	for ((i = 0; i < 100; i++)); do [ -S "$1" ] && return 0; sleep 0.05; done
	fail "the notify listener did not bind $1"
}

log_step "a hub with a child, each under a notify socket with a 2 s watchdog"
it_port PORT_D
sync_node_init d 332 "$PORT_D" "" ""
D_CONF=$CONF D_KEY=$PUBKEY
sync_node_init c 12346 "" "$PORT_D" "$D_KEY"
C_CONF=$CONF C_KEY=$PUBKEY
# every log line there is, for the check that no secret is ever logged
sed -i 's/^level = info$/level = debug/' "$D_CONF" "$C_CONF"
notify_listen "$IT_TMP/d.notify" "$IT_TMP/d.msgs"
notify_listen "$IT_TMP/c.notify" "$IT_TMP/c.msgs"
NOTIFY_SOCKET=$IT_TMP/d.notify WATCHDOG_USEC=2000000 daemon_start "$D_CONF"
D_PID=$DPID
antt_ok "$D_CONF" enroll --unit 12346 --key "$C_KEY"
NOTIFY_SOCKET=$IT_TMP/c.notify WATCHDOG_USEC=2000000 daemon_start "$C_CONF"
C_PID=$DPID
antt_ok "$C_CONF" submit --form bvanttq-event --period 2024-05-01 tin_bao=1
antt_ok "$C_CONF" submit --form bvanttq-event --period 2024-05-01 tin_bao=2

log_step "READY, then the watchdog fed about every second"
wait_for 10 "commune: READY=1" grep -q 'READY=1' "$IT_TMP/c.msgs"
wait_for 10 "hub: READY=1" grep -q 'READY=1' "$IT_TMP/d.msgs"
sleep 4
n=$(grep -c 'WATCHDOG=1' "$IT_TMP/c.msgs" || true)
((n >= 4)) || fail "commune: $n watchdog messages in 4 s and more, expected one a second ($(cat "$IT_TMP/c.msgs"))"

log_step "STATUS says how far the records are synced and who is connected"
# the status line is refreshed every 10 s at most and whenever the watchdog
# is fed: wait for the one that has the receipt
_status_synced() { grep -qx '[0-9]* STATUS=synced: 2/2 up, link ready' "$IT_TMP/c.msgs"; }
wait_for 15 "commune: STATUS=synced: 2/2 up" _status_synced
_status_hub() { grep -qx '[0-9]* STATUS=children connected: 1' "$IT_TMP/d.msgs"; }
wait_for 15 "hub: STATUS=children connected: 1" _status_hub
assert_eq 1 "$(grep -c 'READY=1' "$IT_TMP/c.msgs")" "commune: READY=1 sent once"

log_step "antt status --prometheus: the figures a province's monitoring scrapes"
antt_ok "$C_CONF" status --prometheus
assert_contains "$OUT" '# TYPE antt_records gauge' "commune metrics"
assert_contains "$OUT" 'antt_records{unit="12346"} 2' "commune metrics: records"
assert_contains "$OUT" 'antt_uplink_connected{unit="12346"} 1' "commune metrics: link"
assert_contains "$OUT" 'antt_uplink_queued_records{unit="12346"} 0' "commune metrics: nothing queued"
assert_contains "$OUT" 'antt_queue_depth{unit="12346",level="1"} 0' "commune metrics: queue depth at the parent"
assert_contains "$OUT" 'antt_uplink_refused_records_total{unit="12346"} 0' "commune metrics: refused"
assert_match "$OUT" 'antt_uplink_last_sync_timestamp_seconds\{unit="12346"\} [1-9][0-9]{9}' "commune metrics: last sync"
# every line a comment or 'name{labels} integer'
assert_eq "" "$(grep -vE '^(# (HELP|TYPE) .*|antt_[a-z_]+\{[a-z]+="[^"]*"(,[a-z]+="[^"]*")*\} [0-9]+)$' <<<"$OUT" || true)" \
	"commune metrics: lines not in the text format"
antt_ok "$D_CONF" status --prometheus
assert_contains "$OUT" 'antt_hub_children_connected{unit="332"} 1' "hub metrics: children"
assert_not_contains "$OUT" 'antt_uplink' "hub without a parent: no uplink metrics"
daemon_kill9 "$D_PID"
antt_ok "$C_CONF" submit --form bvanttq-event --period 2024-05-01 tin_bao=3
_link_down() { "$ANTT" -c "$C_CONF" status --prometheus | grep -q 'antt_uplink_connected{unit="12346"} 0'; }
wait_for 30 "commune metrics: the link down once the hub is gone" _link_down
antt_ok "$C_CONF" status --prometheus
assert_contains "$OUT" 'antt_uplink_queued_records{unit="12346"} 1' "commune metrics: one record queued"
assert_contains "$OUT" 'antt_queue_depth{unit="12346",level="1"} 1' "commune metrics: one not at the parent"
NOTIFY_SOCKET=$IT_TMP/d.notify WATCHDOG_USEC=2000000 daemon_start "$D_CONF"
D_PID=$DPID
_drained() { "$ANTT" -c "$C_CONF" status --prometheus | grep -q 'antt_queue_depth{unit="12346",level="1"} 0'; }
wait_for 30 "commune metrics: the queue drained once the hub is back" _drained

log_step "a loop that stops turning stops feeding the watchdog"
kill -STOP "$C_PID"
before=$(grep -c 'WATCHDOG=1' "$IT_TMP/c.msgs")
sleep 3
assert_eq "$before" "$(grep -c 'WATCHDOG=1' "$IT_TMP/c.msgs")" "watchdog messages while the loop is stopped"
kill -CONT "$C_PID"
wait_for 5 "commune: the watchdog fed again" bash -c "[ \$(grep -c WATCHDOG=1 '$IT_TMP/c.msgs') -gt $before ]"

log_step "long work on the loop (a bulk submit) still feeds the watchdog as it goes"
gen_events "$IT_TMP/bulk.jsonl" 100000 2024-05-02 "bulk"
from=$(wc -l <"$IT_TMP/c.msgs")
t0=$(date +%s%N)
antt_ok "$C_CONF" submit --file "$IT_TMP/bulk.jsonl"
ms=$((($(date +%s%N) - t0) / 1000000))
# the largest gap between two WATCHDOG=1 from just before the submit to
# just after it: without feeding from the work, it would be the whole submit
gap=$(tail -n +"$from" "$IT_TMP/c.msgs" | awk '/WATCHDOG=1/ { if (last != "" && $1 - last > g) g = $1 - last; last = $1 } END { print g + 0 }')
echo "    the submit held the loop for about $ms ms; longest silence of the watchdog: $gap ms"
((ms >= 2000)) || fail "the bulk submit took only $ms ms, less than the 2 s watchdog period: it proved nothing (more records?)"
((gap < 1500)) || fail "the watchdog went $gap ms unfed during a $ms ms submit (period 2000 ms)"

log_step "SIGTERM: STOPPING=1, then a clean exit"
daemon_stop "$C_PID"
assert_match "$(tail -n 1 "$IT_TMP/c.msgs")" 'STOPPING=1' "commune: last message"
daemon_stop "$D_PID"

log_step "without NOTIFY_SOCKET: nothing sent, logs on stderr"
: >"$IT_TMP/c.msgs"
daemon_start "$C_CONF" "$IT_TMP/c-plain.log"
C_PID=$DPID
sleep 1
daemon_stop "$C_PID"
assert_eq "" "$(cat "$IT_TMP/c.msgs")" "messages without NOTIFY_SOCKET"
assert_contains "$(cat "$IT_TMP/c-plain.log")" "anttd: info: started: unit 12346" "stderr log"

log_step "a commune that never reached its parent: all its records wait, the queue unknown"
sync_node_init c2 12347 "" "$PORT_D" "$D_KEY"
C2_CONF=$CONF
daemon_start "$C2_CONF"
C2_PID=$DPID
antt_ok "$C2_CONF" submit --form bvanttq-event --period 2024-05-01 tin_bao=1
antt_ok "$C2_CONF" submit --form bvanttq-event --period 2024-05-01 tin_bao=2
antt_ok "$C2_CONF" status --prometheus
assert_contains "$OUT" 'antt_queue_depth{unit="12347",level="1"} 2' "never synced: both records wait at level 1"
assert_contains "$OUT" 'antt_received_seq{unit="12347",level="1"} 0' "never synced: nothing stored above"
assert_contains "$OUT" 'antt_uplink_connected{unit="12347"} 0' "never synced: link down"
assert_not_contains "$OUT" 'antt_uplink_queued_records' "never synced: the queue of every author unknown"
daemon_stop "$C2_PID"

log_step "no secret in any log, at debug level, through enrollment, sync, outages and stops"
for conf in "$D_CONF" "$C_CONF"; do
	seed=$(sed -n 's/^seed = //p' "$(dirname "$conf")/node.key")
	assert_hex64 "$seed" "the seed in $(dirname "$conf")/node.key"
	for l in "${IT_LOGS[@]}" "$IT_TMP/c.msgs" "$IT_TMP/d.msgs"; do
		[ -f "$l" ] || continue
		if grep -qi "${seed:0:16}" "$l"; then
			fail "$l holds (part of) the secret seed of $(dirname "$conf")/node.key"
		fi
	done
done
n=$(cat "${IT_LOGS[@]}" | grep -c 'debug:' || true)
((n > 10)) || fail "only $n debug lines logged: the secret check saw too little"
