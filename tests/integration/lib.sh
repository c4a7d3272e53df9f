# lib.sh - helpers shared by the integration scenarios (t_*.sh).
#
# Each scenario is a bash script that sources this file.  It runs the real
# antt and anttd (paths in $ANTT and $ANTTD, set by CMake or by hand) on
# nodes created in a fresh temporary folder under /tmp, and exits 0 when
# every assertion held.  The first failing assertion prints what was
# expected and what was got, the tail of every daemon log, and exits 1.
#
#   ANTT=build/antt ANTTD=build/anttd bash tests/integration/t_basic.sh
#
# Set ANTT_IT_KEEP=1 to keep the temporary folder for inspection.

set -euo pipefail

: "${ANTT:?set ANTT to the antt binary}"
: "${ANTTD:?set ANTTD to the anttd binary}"
for _tool in jq sqlite3; do
	command -v "$_tool" >/dev/null || {
		echo "FAIL: the integration tests need '$_tool' (apt-get install $_tool)" >&2
		exit 1
	}
done
[ -x "$ANTT" ] || { echo "FAIL: ANTT=$ANTT is not an executable" >&2; exit 1; }
[ -x "$ANTTD" ] || { echo "FAIL: ANTTD=$ANTTD is not an executable" >&2; exit 1; }

# The scenarios must not pick up a node config from the environment.
unset ANTT_CONF

# Short on purpose: ipc socket paths must stay under ~100 bytes.
IT_TMP=$(mktemp -d /tmp/antt-it.XXXXXX)
IT_NAME=$(basename "$0" .sh)
IT_PIDS=()   # every anttd we started
IT_LOGS=()   # and their logs

# Results of the last `run`.
OUT=""
ERR=""
RC=0

_it_cleanup() {
	local rc=$? pid
	for pid in "${IT_PIDS[@]}"; do
		if kill -0 "$pid" 2>/dev/null; then
			kill -9 "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		fi
	done
	if [ "${ANTT_IT_KEEP:-0}" = 1 ]; then
		echo "kept $IT_TMP" >&2
	else
		rm -rf "$IT_TMP"
	fi
	if [ "$rc" -eq 0 ]; then
		echo "PASS $IT_NAME"
	fi
	exit "$rc"
}
trap _it_cleanup EXIT
# A command failing outside an assertion ends the script (set -e): say which.
set -E
trap 'echo "FAIL ($IT_NAME): unexpected failure (exit $?) of: $BASH_COMMAND (line $LINENO)" >&2' ERR
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- reporting ----

log_step() { echo "--- $*"; }

_it_dump_logs() {
	local l
	for l in "${IT_LOGS[@]}"; do
		if [ -s "$l" ]; then
			echo "---- tail of $l" >&2
			tail -n 20 "$l" >&2
		fi
	done
}

fail() {
	echo "FAIL ($IT_NAME): $*" >&2
	if [ -n "$OUT$ERR" ]; then
		echo "---- last command stdout:" >&2
		printf '%s\n' "$OUT" | sed -n 1,40p >&2
		echo "---- last command stderr:" >&2
		printf '%s\n' "$ERR" | sed -n 1,40p >&2
	fi
	_it_dump_logs
	exit 1
}

# ---- running commands ----

# run CMD ARGS...: run it, keep stdout in $OUT, stderr in $ERR and the exit
# code in $RC; never fails by itself.
run() {
	local o e
	o="$IT_TMP/.run.out"
	e="$IT_TMP/.run.err"
	RC=0
	"$@" >"$o" 2>"$e" || RC=$?
	OUT=$(cat "$o")
	ERR=$(cat "$e")
	return 0
}

# antt_ok CONF ARGS...: run antt -c CONF ARGS, fail unless it exits 0.
antt_ok() {
	local conf=$1
	shift
	run "$ANTT" -c "$conf" "$@"
	[ "$RC" -eq 0 ] || fail "'antt $*' exited $RC, expected 0"
}

# ---- assertions ----

assert_eq() { # EXPECTED GOT WHAT
	[ "$1" == "$2" ] || fail "$3: expected '$1', got '$2'"
}

assert_ne() { # UNEXPECTED GOT WHAT
	[ "$1" != "$2" ] || fail "$3: expected anything but '$1'"
}

assert_rc() { # EXPECTED WHAT  (checks $RC of the last run)
	[ "$RC" -eq "$1" ] || fail "$2: expected exit code $1, got $RC"
}

assert_contains() { # HAYSTACK NEEDLE WHAT
	case "$1" in
	*"$2"*) ;;
	*) fail "$3: expected text containing '$2', got: $1" ;;
	esac
}

assert_not_contains() { # HAYSTACK NEEDLE WHAT
	case "$1" in
	*"$2"*) fail "$3: expected text without '$2', got: $1" ;;
	*) ;;
	esac
}

assert_match() { # TEXT ERE WHAT
	[[ "$1" =~ $2 ]] || fail "$3: expected text matching /$2/, got: $1"
}

# assert_err_has NEEDLE WHAT: stderr of the last run contains NEEDLE.
assert_err_has() { assert_contains "$ERR" "$1" "$2 (stderr)"; }

assert_mode() { # FILE MODE(octal, e.g. 600) WHAT
	local m
	m=$(stat -c %a "$1") || fail "$3: cannot stat $1"
	assert_eq "$2" "$m" "$3: mode of $1"
}

assert_hex64() { # TEXT WHAT: 64 lower-case hex digits
	assert_match "$1" '^[0-9a-f]{64}$' "$2"
}

# ---- nodes ----

# shellcheck disable=SC2034 # NODE, CONF, PUBKEY are for the scenarios
# node_init NAME [UNIT]: create a node in $IT_TMP/NAME.  Sets NODE (folder),
# CONF (its config) and PUBKEY (from the text output).
node_init() {
	local name=$1 unit=${2:-12346}
	NODE="$IT_TMP/$name"
	CONF="$NODE/anttd.conf"
	run "$ANTT" init --unit "$unit" --dir "$NODE"
	[ "$RC" -eq 0 ] || fail "antt init --unit $unit --dir $NODE exited $RC"
	PUBKEY=$(printf '%s\n' "$OUT" | sed -n 's/^ *public key: *//p')
	assert_hex64 "$PUBKEY" "public key printed by antt init"
}

# Status of a process: its /proc state letter, or "gone".  A zombie (Z)
# has exited but is not reaped yet.
_it_pstate() {
	local s
	s=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) || { echo gone; return; }
	echo "${s:-gone}"
}

# daemon_start CONF [LOG]: start anttd in the background and wait until
# `antt status` answers (at most 15 s).  Sets DPID.  Fails if anttd exits
# or never answers.
daemon_start() {
	local conf=$1 log=${2:-$(dirname "$1")/anttd.log} i
	case " ${IT_LOGS[*]} " in
	*" $log "*) ;;
	*) IT_LOGS+=("$log") ;;
	esac
	"$ANTTD" -c "$conf" 2>>"$log" &
	DPID=$!
	IT_PIDS+=("$DPID")
	for ((i = 0; i < 300; i++)); do
		case $(_it_pstate "$DPID") in
		Z | gone)
			local rc=0
			wait "$DPID" || rc=$?
			fail "anttd -c $conf exited ($rc) instead of starting; log $log: $(tail -n 5 "$log")"
			;;
		esac
		if "$ANTT" -c "$conf" status >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.05
	done
	fail "anttd -c $conf did not answer 'antt status' within 15 s"
}

# daemon_wait_exit PID SECONDS: wait for PID (a child) to exit; sets DRC to
# its exit code.  Fails if it is still running after SECONDS.
daemon_wait_exit() {
	local pid=$1 secs=$2 i n
	n=$((secs * 20))
	for ((i = 0; i < n; i++)); do
		case $(_it_pstate "$pid") in
		Z | gone) break ;;
		esac
		sleep 0.05
	done
	case $(_it_pstate "$pid") in
	Z | gone) ;;
	*) fail "anttd (pid $pid) still running $secs s after it was told to stop" ;;
	esac
	DRC=0
	wait "$pid" || DRC=$?
}

# daemon_stop PID: SIGTERM, wait (10 s at most), expect exit code 0.
daemon_stop() {
	kill -TERM "$1"
	daemon_wait_exit "$1" 10
	[ "$DRC" -eq 0 ] || fail "anttd (pid $1) exited $DRC after SIGTERM, expected 0"
}

# daemon_kill9 PID: kill -9 and reap.
daemon_kill9() {
	kill -9 "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# record_count CONF: the store's record count per `antt status --json`.
record_count() {
	local out
	out=$("$ANTT" -c "$1" status --json) || fail "antt -c $1 status --json failed"
	printf '%s\n' "$out" | jq -er '.records' || fail "status --json has no records: $out"
}

# assert_count CONF N WHAT
assert_count() {
	local n
	n=$(record_count "$1")
	assert_eq "$2" "$n" "$3: record count"
}

# sql DB STATEMENT: run SQL with the sqlite3 CLI, fail on error.
sql() {
	local out
	out=$(sqlite3 -batch -bail "$1" "$2" 2>&1) || fail "sqlite3 $1 '$2' failed: $out"
	printf '%s\n' "$out"
}

# writer_start CONF ACKS PERIOD COUNT: in the background, submit COUNT
# bvanttq-event reports for PERIOD one after the other; the id of each
# acknowledged one is appended to ACKS.  Stops at the first failure.
# Sets WRITER (its pid).
writer_start() {
	local conf=$1 acks=$2 period=$3 count=$4
	: >"$acks"
	(
		set +e
		for ((i = 1; i <= count; i++)); do
			"$ANTT" -c "$conf" submit --json --form bvanttq-event \
				--period "$period" tin_bao="$i" >"$acks.out" 2>/dev/null &
			echo $! >"$acks.pid"
			wait $! || exit 0
			jq -r .id "$acks.out" >>"$acks"
		done
	) &
	WRITER=$!
}

# writer_wait_acks ACKS N: wait (10 s at most) until N submits were acknowledged.
writer_wait_acks() {
	local i
	for ((i = 0; i < 500; i++)); do
		(($(wc -l <"$1") >= $2)) && return 0
		sleep 0.02
	done
	fail "fewer than $2 submits acknowledged within 10 s ($(wc -l <"$1"))"
}

# writer_finish ACKS: after anttd went away, let the writer notice.  A
# request cut off by the daemon's end gets no answer and its antt would sit
# out its reply timeout; it was never acknowledged, so it is stopped.
writer_finish() {
	local i
	for ((i = 0; i < 40; i++)); do
		case $(_it_pstate "$WRITER") in Z | gone) break ;; esac
		sleep 0.05
	done
	case $(_it_pstate "$WRITER") in
	Z | gone) ;;
	*) kill -9 "$(cat "$1.pid")" 2>/dev/null || true ;;
	esac
	wait "$WRITER" || fail "the writer loop failed"
}

# assert_all_stored CONF ACKS WHAT: every id in ACKS is in the store.
assert_all_stored() {
	local missing
	antt_ok "$1" log --json
	missing=$(jq -r --rawfile acked "$2" \
		'($acked | split("\n") | map(select(. != ""))) - [.[].id] | join(" ")' <<<"$OUT")
	assert_eq "" "$missing" "$3: acknowledged records missing"
}
