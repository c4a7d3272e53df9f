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
#
# Time scale: ANTT_TEST_SLOW, a whole number >= 1, multiplies every time
# budget the scenarios wait within (wait_for and the waits built on it,
# daemon_start, daemon_wait_exit, the writer's waits, and the timeouts the
# scenarios hand to antt and sync_peer, through `slow`), for builds that
# run slower: scripts/test.sh --sanitize sets it to 3.  Unset, it is 3 when
# ANTT_IT_SANITIZE=1 (CMake sets that in an ANTT_SANITIZE build) and 1
# otherwise.  Only budgets change: what is waited for and checked is the
# same, and the daemons' own [sync] heartbeat and timeout are not scaled.

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

if [ -z "${ANTT_TEST_SLOW:-}" ]; then
	if [ "${ANTT_IT_SANITIZE:-0}" = 1 ]; then ANTT_TEST_SLOW=3; else ANTT_TEST_SLOW=1; fi
fi
[[ "$ANTT_TEST_SLOW" =~ ^[1-9][0-9]*$ ]] || {
	echo "FAIL: ANTT_TEST_SLOW=$ANTT_TEST_SLOW is not a whole number >= 1" >&2
	exit 1
}
IT_SLOW=$ANTT_TEST_SLOW

# slow N: N (seconds, milliseconds, a count of polls) times the time scale.
slow() { echo $(($1 * IT_SLOW)); }

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
	# ports reserved by it_port (sync scenarios)
	declare -F _it_release_ports >/dev/null && _it_release_ports
	# network namespaces made by netlib.sh (t_net_*.sh)
	declare -F _net_cleanup >/dev/null && _net_cleanup
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
# `antt status` answers (at most 15 s, scaled).  Sets DPID.  Fails if anttd
# exits or never answers.  A node placed in a network namespace
# (IT_NS[CONF], netlib.sh) starts in it; its control socket is a file, so
# antt reaches it from anywhere.
declare -A IT_NS=()
daemon_start() {
	local conf=$1 log=${2:-$(dirname "$1")/anttd.log} i pre=()
	case " ${IT_LOGS[*]} " in
	*" $log "*) ;;
	*) IT_LOGS+=("$log") ;;
	esac
	[ -n "${IT_NS[$conf]:-}" ] && pre=(ip netns exec "${IT_NS[$conf]}")
	"${pre[@]}" "$ANTTD" -c "$conf" 2>>"$log" &
	DPID=$!
	IT_PIDS+=("$DPID")
	for ((i = 0; i < 300 * IT_SLOW; i++)); do
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
	fail "anttd -c $conf did not answer 'antt status' within $(slow 15) s"
}

# daemon_wait_exit PID SECONDS: wait for PID (a child) to exit; sets DRC to
# its exit code.  Fails if it is still running after SECONDS (scaled).
daemon_wait_exit() {
	local pid=$1 secs=$(($2 * IT_SLOW)) i n
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

# daemon_stop PID: SIGTERM, wait (10 s at most, scaled), expect exit code 0.
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

# writer_wait_acks ACKS N: wait (10 s at most, scaled) until N submits were
# acknowledged.
writer_wait_acks() {
	local i
	for ((i = 0; i < 500 * IT_SLOW; i++)); do
		(($(wc -l <"$1") >= $2)) && return 0
		sleep 0.02
	done
	fail "fewer than $2 submits acknowledged within $(slow 10) s ($(wc -l <"$1"))"
}

# writer_finish ACKS: after anttd went away, let the writer notice.  A
# request cut off by the daemon's end gets no answer and its antt would sit
# out its reply timeout; it was never acknowledged, so it is stopped.
writer_finish() {
	local i
	for ((i = 0; i < 40 * IT_SLOW; i++)); do
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

# ---- sync: trees of nodes over loopback TCP ----
#
# The sync scenarios (t_sync_*.sh) run several anttd linked commune ->
# district -> province on 127.0.0.1.  Ports are taken from 20000-32767
# (below Linux's ephemeral range, so never an outgoing connection's port),
# starting at a place derived from the script's pid, skipping ports in use,
# and reserved under /tmp/antt-it-ports until the scenario ends so that
# scenarios running in parallel never pick the same one.

IT_PORT_DIR=/tmp/antt-it-ports
IT_PORTS=() # ports this scenario reserved

# Is a TCP port listened on (any address)?  From /proc, no tool needed.
_it_port_listened() {
	local hex
	hex=$(printf ':%04X ' "$1")
	# state 0A = LISTEN; column 2 is local address:port
	awk -v p="$hex" '$4 == "0A" && index($2 " ", p) { found = 1 } END { exit !found }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# it_port VAR: set VAR to a free TCP port, reserved for this scenario (not
# in a subshell: the reservation is released when the scenario ends).  A
# reservation whose owner is gone (a scenario killed by a timeout) is taken
# over.
it_port() {
	local i port dir owner
	mkdir -p "$IT_PORT_DIR" 2>/dev/null || true
	for ((i = 0; i < 4000; i++)); do
		port=$((20000 + (($$ * 131 + ${#IT_PORTS[@]} * 7 + i * 13) % 12768)))
		dir="$IT_PORT_DIR/$port"
		if ! mkdir "$dir" 2>/dev/null; then
			owner=$(cat "$dir/pid" 2>/dev/null || echo 0)
			# a reservation being made right now has no pid file yet
			if [ "$owner" = 0 ] || kill -0 "$owner" 2>/dev/null; then
				continue
			fi
		fi
		echo $$ >"$dir/pid"
		IT_PORTS+=("$port")
		if _it_port_listened "$port"; then
			continue # in use by something else: keep it reserved, skip it
		fi
		printf -v "$1" '%s' "$port"
		return 0
	done
	fail "no free TCP port found in 20000-32767"
}

_it_release_ports() {
	local p
	for p in "${IT_PORTS[@]}"; do
		[ "$(cat "$IT_PORT_DIR/$p/pid" 2>/dev/null)" = $$ ] && rm -rf "${IT_PORT_DIR:?}/$p"
	done
	return 0
}

# sync_node_init NAME UNIT LISTEN_PORT PARENT_PORT PARENT_KEY: a node in
# $IT_TMP/NAME, hub when LISTEN_PORT is given, child when PARENT_PORT and
# PARENT_KEY are ("" for none).  Heartbeat and timeout are short
# (SYNC_HEARTBEAT, SYNC_TIMEOUT ms) so that lost links are seen at once;
# SYNC_BATCH, when set, is the most records in one batch.  A hub listens on
# SYNC_LISTEN_HOST (127.0.0.1; netlib.sh's nodes listen on every address).
# Sets NODE, CONF, PUBKEY like node_init.
SYNC_HEARTBEAT=${SYNC_HEARTBEAT:-300}
SYNC_TIMEOUT=${SYNC_TIMEOUT:-2000}
SYNC_LISTEN_HOST=${SYNC_LISTEN_HOST:-127.0.0.1}
sync_node_init() {
	local name=$1 unit=$2 listen=$3 pport=$4 pkey=$5 root=${6:-${SYNC_ROOT:-}} args=()
	NODE="$IT_TMP/$name"
	CONF="$NODE/anttd.conf"
	[ -n "$listen" ] && args+=(--listen "tcp://$SYNC_LISTEN_HOST:$listen")
	[ -n "$pport" ] && args+=(--parent "tcp://127.0.0.1:$pport" --parent-key "$pkey")
	[ -n "$pport" ] && [ -n "$root" ] && args+=(--root "$root")
	run "$ANTT" init --unit "$unit" --dir "$NODE" --json "${args[@]}"
	[ "$RC" -eq 0 ] || fail "antt init --unit $unit --dir $NODE ${args[*]} exited $RC"
	PUBKEY=$(jq -r .public_key <<<"$OUT")
	assert_hex64 "$PUBKEY" "public key printed by antt init --json"
	# [sync] is the last section antt init writes
	[ "$(grep -c '^\[sync\]' "$CONF")" = 1 ] || fail "$CONF has no [sync] section"
	printf 'heartbeat = %s\ntimeout = %s\n' "$SYNC_HEARTBEAT" "$SYNC_TIMEOUT" >>"$CONF"
	if [ -n "${SYNC_BATCH:-}" ]; then
		printf 'batch = %s\n' "$SYNC_BATCH" >>"$CONF"
	fi
}

# wait_for SECONDS WHAT CMD [ARGS...]: run CMD every 0.2 s until it
# succeeds; fail naming WHAT if it still does not after SECONDS (scaled).
# CMD's output goes to $IT_TMP/.wait.out (the last try's is shown on
# failure).
wait_for() {
	local secs=$(($1 * IT_SLOW)) what=$2 deadline
	shift 2
	deadline=$((SECONDS + secs))
	while :; do
		if "$@" >"$IT_TMP/.wait.out" 2>&1; then
			return 0
		fi
		if ((SECONDS >= deadline)); then
			OUT=$(cat "$IT_TMP/.wait.out")
			ERR=""
			fail "$what: not so within $secs s"
		fi
		sleep 0.2
	done
}

# store_sql CONF SQL: a read-only query on the node's store while its anttd
# runs (WAL: readers never block the writer).  Prints the result.
store_sql() {
	local db out
	db="$(dirname "$1")/store.db"
	out=$(sqlite3 -batch -bail -readonly -cmd ".timeout $(slow 5000)" "$db" "$2" 2>&1) ||
		fail "sqlite3 $db '$2' failed: $out"
	printf '%s\n' "$out"
}

# author_held CONF KEY: how many records of author KEY the store holds
# (cheap enough to poll: one SQL count).
author_held() {
	store_sql "$1" "SELECT count(*) FROM records WHERE author = x'$2'"
}

# author_count CONF KEY: the same through antt: `antt log --author KEY`.
author_count() {
	local out
	out=$("$ANTT" -c "$1" log --json --author "$2") || fail "antt -c $1 log --author $2 failed"
	jq length <<<"$out"
}

# _held_is CONF KEY N: does the store hold exactly N records of KEY?
_held_is() {
	local n
	n=$(author_held "$1" "$2")
	echo "holds $n records of ${2:0:12}..."
	[ "$n" = "$3" ]
}

# wait_held SECONDS CONF KEY N WHAT: wait until the store holds N records of
# KEY (SECONDS scaled, as by wait_for).
wait_held() {
	wait_for "$1" "$5: $4 records of ${3:0:12}... at $(basename "$(dirname "$2")")" \
		_held_is "$2" "$3" "$4"
}

# own_seq CONF: the node's own head seq (antt status).
own_seq() {
	local out
	out=$("$ANTT" -c "$1" status --json) || fail "antt -c $1 status --json failed"
	jq -er .head.seq <<<"$out"
}

# uplink_field CONF JQ: a field of `antt status --json`'s .uplink.
uplink_field() {
	local out
	out=$("$ANTT" -c "$1" status --json) || fail "antt -c $1 status --json failed"
	jq -r ".uplink | $2" <<<"$out"
}

# _receipts_are CONF N: the node's own records are received up to seq N by
# its parent (level 1) and by its parent's parent (level 2), of N.
_receipts_are() {
	local out
	out=$("$ANTT" -c "$1" status --json) || return 1
	out=$(jq -c '[.uplink.levels[] | select(.level <= 2) | [.level, .seq, .of]]' <<<"$out")
	echo "uplink.levels [level, seq, of]: $out"
	[ "$out" = "[[1,$2,$2],[2,$2,$2]]" ]
}

# wait_receipts SECONDS CONF N WHAT: wait until _receipts_are CONF N (SECONDS
# scaled, as by wait_for).
wait_receipts() {
	wait_for "$1" "$4: receipts 'received by parent seq $3 / $3' and 'by parent's parent seq $3 / $3' at $2" \
		_receipts_are "$2" "$3"
}

# assert_no_duplicates CONF WHAT: no record id and no (author, seq) twice
# in the store, as `antt log` lists it.
assert_no_duplicates() {
	local f="$IT_TMP/.dups" n
	"$ANTT" -c "$1" log --json | jq -r '.[] | "\(.id) \(.author) \(.seq)"' >"$f" ||
		fail "antt -c $1 log --json failed"
	n=$(wc -l <"$f")
	assert_eq "$n" "$(cut -d' ' -f1 "$f" | sort -u | wc -l)" "$2: distinct ids in the log"
	assert_eq "$n" "$(cut -d' ' -f2,3 "$f" | sort -u | wc -l)" "$2: distinct (author, seq) in the log"
}

# assert_no_duplicates_sql CONF WHAT: the same, quicker, on the store itself.
assert_no_duplicates_sql() {
	assert_eq "0|0" "$(store_sql "$1" "SELECT count(*) - count(DISTINCT id), count(*) - (SELECT count(*) FROM (SELECT DISTINCT author, seq FROM records)) FROM records")" \
		"$2: ids and (author, seq) held twice"
}

# assert_verify CONF WHAT: antt verify passes and checked every record.
assert_verify() {
	verify_bg "$1"
	verify_wait "$1" "$2"
}

# verify_bg CONF: start `antt verify` on CONF in the background (several
# stores verify at once); verify_wait CONF WHAT checks it like assert_verify.
# Records must not arrive in between (the count is taken before).
declare -A _IT_VERIFY=()
verify_bg() {
	local f
	f="$IT_TMP/.verify.$(md5sum <<<"$1" | cut -c1-8)"
	record_count "$1" >"$f.n"
	("$ANTT" -c "$1" verify --json >"$f" 2>"$f.err") &
	_IT_VERIFY[$1]="$!:$f"
}
verify_wait() {
	local pid=${_IT_VERIFY[$1]%%:*} f=${_IT_VERIFY[$1]#*:} rc=0
	wait "$pid" || rc=$?
	OUT=$(cat "$f") ERR=$(cat "$f.err") RC=$rc
	[ "$rc" -eq 0 ] || fail "$2: 'antt verify' exited $rc, expected 0"
	assert_eq true "$(jq -r .valid <<<"$OUT")" "$2: verify valid"
	assert_eq "$(cat "$f.n")" "$(jq -r .checked <<<"$OUT")" "$2: verify checked every record"
}

# gen_events FILE N PERIOD [TAG]: N bvanttq-event reports as JSON lines.
gen_events() {
	local file=$1 n=$2 period=$3 tag=${4:-}
	awk -v n="$n" -v p="$period" -v t="$tag" 'BEGIN {
		for (i = 1; i <= n; i++)
			printf "{\"form\":\"bvanttq-event\",\"period\":\"%s\",\"values\":{\"tin_bao\":%d,\"to_giac\":%d},\"note\":\"%s %d\"}\n",
				p, i, i % 7, (t == "" ? "bulk" : t), i
	}' >"$file"
}

# The units the scenarios' district 332 may enroll: it is enrolled at the
# province as a hub with this scope (proto/README.md, "Authority"), its
# communes in data/units-vn-2025-03.csv and the made-up codes scenarios use.
SCOPE_332=$(seq -s, 12337 12399)

# shellcheck disable=SC2034 # the variables set are for the scenarios
# sync_tree N: a province (unit 33), a district (332) under it and N
# communes (12341..) under the district, each enrolled by its parent before
# it starts (so nothing is refused and no link waits out a backoff), and
# all running.  Sets P_CONF P_KEY P_PID PORT_P, D_CONF D_KEY D_PID PORT_D,
# and arrays C_CONF C_KEY C_UNIT C_PID (index 1..N).
sync_tree() {
	local n=$1 i
	it_port PORT_P
	it_port PORT_D
	sync_node_init p 33 "$PORT_P" "" ""
	P_CONF=$CONF P_KEY=$PUBKEY
	sync_node_init d 332 "$PORT_D" "$PORT_P" "$P_KEY" "$P_KEY"
	D_CONF=$CONF D_KEY=$PUBKEY
	C_CONF=("") C_KEY=("") C_UNIT=("")
	for ((i = 1; i <= n; i++)); do
		sync_node_init "c$i" "1234$i" "" "$PORT_D" "$D_KEY" "$P_KEY"
		C_CONF+=("$CONF") C_KEY+=("$PUBKEY") C_UNIT+=("1234$i")
	done
	sync_tree_start
}

# sync_tree_start: start a tree made as sync_tree makes it (P_CONF, D_CONF,
# C_CONF, C_KEY, C_UNIT), each node after its parent enrolled it.  Sets
# P_PID, D_PID and C_PID.
sync_tree_start() {
	local i
	daemon_start "$P_CONF"
	P_PID=$DPID
	antt_ok "$P_CONF" enroll --unit 332 --key "$D_KEY" --units "$SCOPE_332"
	daemon_start "$D_CONF"
	D_PID=$DPID
	C_PID=("")
	for ((i = 1; i < ${#C_CONF[@]}; i++)); do
		antt_ok "$D_CONF" enroll --unit "${C_UNIT[$i]}" --key "${C_KEY[$i]}"
		daemon_start "${C_CONF[$i]}"
		C_PID+=("$DPID")
	done
}

# assert_same_chain FROM_CONF TO_CONF KEY WHAT: TO holds exactly FROM's
# records of author KEY: the same ids in the same order (antt log).
assert_same_chain() {
	local a="$IT_TMP/.chain.a" b="$IT_TMP/.chain.b"
	"$ANTT" -c "$1" log --json --author "$3" | jq -r '.[].id' >"$a" || fail "antt -c $1 log failed"
	"$ANTT" -c "$2" log --json --author "$3" | jq -r '.[].id' >"$b" || fail "antt -c $2 log failed"
	cmp -s "$a" "$b" ||
		fail "$4: the records of ${3:0:12}... differ between $(dirname "$1") ($(wc -l <"$a")) and $(dirname "$2") ($(wc -l <"$b")): $(diff "$a" "$b" | head -n 5 | tr '\n' ' ')"
}

# assert_same_chain_sql FROM_CONF TO_CONF KEY WHAT: the same as
# assert_same_chain, read from the two stores (quick on large chains).
assert_same_chain_sql() {
	local a="$IT_TMP/.chain.a" b="$IT_TMP/.chain.b" q
	q="SELECT lower(hex(id)) FROM records WHERE author = x'$3' ORDER BY seq"
	store_sql "$1" "$q" >"$a"
	store_sql "$2" "$q" >"$b"
	cmp -s "$a" "$b" ||
		fail "$4: the records of ${3:0:12}... differ between $(dirname "$1") ($(wc -l <"$a")) and $(dirname "$2") ($(wc -l <"$b")): $(diff "$a" "$b" | head -n 5 | tr '\n' ' ')"
}

# assert_no_sanitizer_reports: no daemon log holds an AddressSanitizer,
# LeakSanitizer or UndefinedBehaviorSanitizer report (builds with
# ANTT_SANITIZE; run it after the daemons stopped, for leaks).
assert_no_sanitizer_reports() {
	local l
	for l in "${IT_LOGS[@]}"; do
		if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$l" 2>/dev/null; then
			OUT=$(grep -E -A 12 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$l" | head -n 40) ERR=""
			fail "sanitizer report in $l"
		fi
	done
}

# anttd_at "YYYY-MM-DD HH:MM:SS": ANTTD_AT, the path of an anttd whose
# wall clock starts at that time, UTC (libfaketime; CLOCK_MONOTONIC
# untouched: timers and heartbeats run as usual; exec keeps the pid
# daemon_start sees).  Start it as ANTTD=$ANTTD_AT daemon_start CONF.  The
# scenario fails without libfaketime (scripts/deps.sh installs it).
anttd_at() {
	local lib="" l
	for l in /usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1 \
		/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1 /usr/lib/faketime/libfaketimeMT.so.1 \
		/usr/local/lib/faketime/libfaketimeMT.so.1; do
		[ -r "$l" ] && lib=$l && break
	done
	[ -n "$lib" ] || fail "this scenario needs libfaketime (apt-get install libfaketime)"
	ANTTD_AT=$IT_TMP/anttd-at-${1//[^0-9]/}
	printf '%s\n' '#!/bin/sh' \
		"exec env TZ=UTC LD_PRELOAD=\"$lib\" FAKETIME=\"@$1\" FAKETIME_DONT_FAKE_MONOTONIC=1 \\" \
		"	ASAN_OPTIONS=\"\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}verify_asan_link_order=0\" \"$ANTTD\" \"\$@\"" >"$ANTTD_AT"
	chmod +x "$ANTTD_AT"
}
