#!/usr/bin/env bash
# t_journal: under systemd, stderr is a stream to the journal and
# JOURNAL_STREAM names it; anttd then logs to the journal with each line's
# priority (error 3, warning 4, info 6), so that journalctl -p warning
# shows what needs a look.  Played with a real systemd-journald: the
# daemon's stderr connected to the journal's stream socket (systemd-cat),
# JOURNAL_STREAM set to that socket's device and inode as systemd sets it.
# Without a running journald (one that accepts a stream on
# /run/systemd/journal/stdout) it says so and exits 77, a skip; .ci/run
# starts one.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# a socket file left by a journald that has gone is not a journal: the
# stream itself is tried
command -v systemd-cat >/dev/null && command -v journalctl >/dev/null &&
	echo probe | systemd-cat -t "anttd-it-probe" 2>/dev/null || {
	echo "SKIP $IT_NAME: no systemd-journald accepting streams here (/run/systemd/journal/stdout)" >&2
	exit 77
}

# a parent that never runs: its key is real, its port listened on by no one
node_init ghost 332
it_port PORT_D
sync_node_init c 12346 "" "$PORT_D" "$PUBKEY"
TAG="anttd-it$$"
SINCE=$(date '+%Y-%m-%d %H:%M:%S')

log_step "anttd under a journal stream, its parent out of reach (a warning), then stopped"
# shellcheck disable=SC2016 # expanded by the inner shell
systemd-cat -t "$TAG" bash -c 'export JOURNAL_STREAM=$(stat -L -c "%d:%i" /dev/stderr); exec "$0" -c "$1"' \
	"$ANTTD" "$CONF" &
JPID=$!
IT_PIDS+=("$JPID")
wait_for 15 "antt status answers" "$ANTT" -c "$CONF" status
# the parent never answers: a warning once the Hello times out (2 s)
sleep 3
# systemd-cat exec'd bash, which exec'd anttd: JPID is anttd
kill -TERM "$JPID"
daemon_wait_exit "$JPID" 10

_logged() {
	journalctl --no-pager -o json --since "$SINCE" SYSLOG_IDENTIFIER=anttd _PID="$JPID" >"$IT_TMP/j.json" 2>/dev/null
	grep -q '"MESSAGE":"stopped"' "$IT_TMP/j.json"
}
wait_for 10 "anttd's lines in the journal" _logged
J=$(jq -rs 'map("\(.PRIORITY) \(.MESSAGE)") | .[]' "$IT_TMP/j.json")
echo "$J" | sed 's/^/    /' | head -n 8
assert_match "$J" '(^|
)6 started: unit 12346' "the start, at priority info (6)"
assert_match "$J" '(^|
)6 SIGTERM|(^|
)6 Terminated: stopping' "the stop, at priority info (6)"
assert_match "$J" '(^|
)4 uplink ' "the unreachable parent, at priority warning (4)"
assert_not_contains "$J" "anttd: info:" "journal lines carry no stderr prefix"
# nothing of it went to the plain stream
assert_eq "" "$(journalctl --no-pager -o cat --since "$SINCE" -t "$TAG" 2>/dev/null)" "lines on the plain stream"
