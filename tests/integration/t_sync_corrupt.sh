#!/usr/bin/env bash
# t_sync_corrupt: the district's store damaged on disk while it is stopped.
# A tree of two communes; the district is backed up live (antt backup) after
# the first records, more records reach the province, then the district
# stops and its store is damaged:
#   1. truncated to half its size,
#   2. a page in the middle overwritten with garbage (page 1's header, the
#      schema and the meta table intact),
#   3. one leaf page of the records table overwritten, deep in the file,
#      where SQLite finds it only when it reads that page.
# For 1 and 2 anttd refuses to start: exit 65, a message naming the store
# file and saying to restore it from a backup, no crash.  For 3 anttd must
# not crash whatever it does (started or refused; what it did is printed).
# Meanwhile the communes go on taking reports.  The district's store is then
# restored from the backup (a copy marked as one: it signs nothing before
# its parent has confirmed its head): every record flows again and the
# province ends with each exactly once; the restored district verifies.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

D_DIR="$IT_TMP/d"
DB="$D_DIR/store.db"
GOOD="$IT_TMP/good.db"
BACKUP="$IT_TMP/backup/d.db"

level1() { uplink_field "$1" "[.levels[] | select(.level == 1) | .seq][0] // 0"; }

# try_start WHAT: run anttd on the district's config in the foreground (it
# must exit by itself within 30 s, scaled); sets SRC (exit code) and SERR
# (its stderr).  A daemon that does start is left running: SPID.
try_start() {
	local log="$IT_TMP/start.$1.log" i
	SPID=""
	"$ANTTD" -c "$D_CONF" 2>"$log" &
	local pid=$!
	for ((i = 0; i < 200 * IT_SLOW; i++)); do
		case $(_it_pstate "$pid") in Z | gone) break ;; esac
		if "$ANTT" -c "$D_CONF" status >/dev/null 2>&1; then
			SPID=$pid
			IT_PIDS+=("$pid")
			IT_LOGS+=("$log")
			SERR=$(cat "$log")
			SRC=running
			return 0
		fi
		sleep 0.05
	done
	case $(_it_pstate "$pid") in
	Z | gone) ;;
	*) kill -9 "$pid"; wait "$pid" 2>/dev/null || true; fail "$1: anttd neither started nor exited within $(slow 10) s: $(cat "$log")" ;;
	esac
	SRC=0
	wait "$pid" || SRC=$?
	SERR=$(cat "$log")
}

# assert_refused WHAT: the last try_start exited 65 with a message naming
# the store and what to do, and no crash (no signal, no sanitizer report).
assert_refused() {
	echo "    anttd: exit $SRC: $( (grep -v '^anttd: info' <<<"$SERR" || true) | head -n 3 | tr '\n' '|')"
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' <<<"$SERR"; then
		OUT=$SERR ERR="" fail "$1: sanitizer report"
	fi
	if [ "$SRC" = running ]; then
		# noted; the scenario goes on (so that the restore is tested too)
		# and fails at the end
		UNCLEAR+=("$1: anttd started on the damaged store instead of refusing it (exit 65); it then refuses every batch: $( (grep -v ': info:' "$IT_TMP/start.$2.log" || true) | sort | uniq -c | sort -rn | head -n 2 | tr '\n' '|')")
		kill -TERM "$SPID"
		daemon_wait_exit "$SPID" 10
		((DRC < 128)) || fail "$1: anttd crashed when stopped (exit $DRC)"
		return 0
	fi
	((SRC < 128)) || fail "$1: anttd crashed (exit $SRC, signal $((SRC - 128))): $SERR"
	assert_eq 65 "$SRC" "$1: anttd's exit code (65: a damaged store)"
	assert_contains "$SERR" "$DB" "$1: the message names the store file"
	# a message that misleads is noted, the scenario goes on, and fails at
	# the end naming every such message
	[[ "$SERR" =~ [Rr]estore|backup ]] ||
		UNCLEAR+=("$1: the message does not say to restore the store from a backup: $(grep -v ': info:' <<<"$SERR" | head -n 1)")
	case "$SERR" in
	*"check [node] store in the config"* | *"not an antt store"*)
		UNCLEAR+=("$1: the message calls a damaged antt store some other file and sends the admin to the config: $(grep -v ': info:' <<<"$SERR" | head -n 1)")
		;;
	esac
}
UNCLEAR=()

# a report at every commune while the district is down: answered at once
commune_reports() { # TAG
	local i t0 ms
	for i in 1 2; do
		t0=$(date +%s%N)
		run timeout "$(slow 20)" "$ANTT" -c "${C_CONF[$i]}" submit --json --form bvanttq-event \
			--period 2024-06-01 tin_bao=1 --note "$1 $i"
		ms=$((($(date +%s%N) - t0) / 1000000))
		assert_rc 0 "$1: submit at commune $i while the district is down"
		((ms < $(slow 5000))) || fail "$1: submit at commune $i took $ms ms"
	done
}

log_step "a tree of two communes; records, then a live backup of the district"
sync_tree 2
for i in 1 2; do
	antt_ok "${C_CONF[$i]}" submit --form bvanttq-monthly --period 2024-01 hop_dan="$i"
	wait_held 30 "$P_CONF" "${C_KEY[$i]}" 1 "commune $i's first record at the province"
done
mkdir "$IT_TMP/backup"
antt_ok "$D_CONF" backup --out "$BACKUP" --json
assert_eq "$((2 + 2))" "$(jq -r .records <<<"$OUT")" "records in the district's backup (2 enrollments, 2 reports)"

log_step "more records reach the province (the backup does not hold them)"
for i in 1 2; do
	gen_events "$IT_TMP/more.$i.jsonl" 1500 2024-05-0$i "sau sao lưu $i"
	antt_ok "${C_CONF[$i]}" submit --file "$IT_TMP/more.$i.jsonl"
	N[i]=$(own_seq "${C_CONF[$i]}")
	wait_held 60 "$P_CONF" "${C_KEY[$i]}" "${N[$i]}" "commune $i's records at the province"
done
daemon_stop "$D_PID"
D_PID=""
cp "$DB" "$GOOD"
[ ! -e "$DB-wal" ] || [ ! -s "$DB-wal" ] || cp "$DB-wal" "$GOOD-wal"
SIZE=$(stat -c %s "$DB")
PAGE=$(sqlite3 "$GOOD" "PRAGMA page_size")
PAGES=$((SIZE / PAGE))
echo "    the district's store: $SIZE bytes, $PAGES pages of $PAGE"

log_step "1. the store truncated to half: anttd refuses to start, clearly"
truncate -s $((PAGES / 2 * PAGE)) "$DB"
try_start truncated
assert_refused "truncated store" truncated
commune_reports "truncated"

log_step "2. a page in the middle overwritten: anttd refuses to start, clearly"
cp "$GOOD" "$DB"
# a page of the middle of the file that holds no schema and no meta
MID=$(sqlite3 "$GOOD" "SELECT pageno FROM dbstat WHERE name = 'records' ORDER BY pageno LIMIT 1 OFFSET (SELECT count(*) / 2 FROM dbstat WHERE name = 'records')")
echo "    overwriting page $MID of $PAGES (of the records table)"
head -c "$PAGE" /dev/urandom | dd of="$DB" bs="$PAGE" seek=$((MID - 1)) conv=notrunc status=none
try_start middle
if [ "$SRC" = running ]; then
	# not refused: show what it does before failing
	run "$ANTT" -c "$D_CONF" status --json
	echo "    status: rc $RC $(jq -c '{records,head}' <<<"$OUT" 2>/dev/null) $ERR"
	run timeout "$(slow 60)" "$ANTT" -c "$D_CONF" verify --json
	echo "    verify: rc $RC: $(head -c 300 <<<"$OUT") $ERR"
	sleep 2 # let the communes try to send into it
fi
assert_refused "a page overwritten in the middle" middle
commune_reports "middle"

log_step "3. a leaf page of the records table overwritten, deep in the file"
cp "$GOOD" "$DB"
DEEP=$(sqlite3 "$GOOD" "SELECT max(pageno) FROM dbstat WHERE name = 'records' AND pagetype = 'leaf'")
echo "    overwriting page $DEEP of $PAGES (the last leaf of the records table)"
head -c "$PAGE" /dev/urandom | dd of="$DB" bs="$PAGE" seek=$((DEEP - 1)) conv=notrunc status=none
try_start deep
if [ "$SRC" = running ]; then
	echo "    anttd started on it (pid $SPID); what the node does with it:"
	for cmd in "status --json" "log --json --limit 3" "verify --json"; do
		# shellcheck disable=SC2086
		run timeout "$(slow 60)" "$ANTT" -c "$D_CONF" $cmd
		echo "      antt $cmd: exit $RC; $(head -c 200 <<<"$OUT" | tr '\n' ' ') $(head -c 300 <<<"$ERR")"
		assert_ne 124 "$RC" "antt $cmd on the damaged store: an answer, not a hang"
	done
	commune_reports "deep"
	sleep 3
	for i in 1 2; do
		echo "      commune $i: own $(own_seq "${C_CONF[$i]}"), received by parent $(level1 "${C_CONF[$i]}"), link $(uplink_field "${C_CONF[$i]}" .state)"
	done
	case $(_it_pstate "$SPID") in
	Z | gone)
		rc=0
		wait "$SPID" || rc=$?
		((rc < 128)) || fail "anttd crashed on a page damaged deep in its store (exit $rc): $(tail -n 20 "$IT_TMP/start.deep.log")"
		echo "    anttd stopped by itself: exit $rc"
		;;
	*)
		echo "    anttd still running; its log: $(grep -v ': info:' "$IT_TMP/start.deep.log" | sort | uniq -c | sort -rn | head -n 4 | tr '\n' '|')"
		kill -TERM "$SPID"
		daemon_wait_exit "$SPID" 10
		((DRC < 128)) || fail "anttd crashed when stopped on a damaged store (exit $DRC)"
		echo "    stopped (SIGTERM): exit $DRC"
		;;
	esac
else
	echo "    anttd refused to start: exit $SRC: $(grep -v '^anttd: info' <<<"$SERR" | head -n 3 | tr '\n' '|')"
	((SRC < 128)) || fail "anttd crashed on a page damaged deep in its store (exit $SRC): $SERR"
	commune_reports "deep"
fi
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$IT_TMP/start.deep.log"; then
	OUT=$(grep -E -A 12 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$IT_TMP/start.deep.log" | head -n 30) ERR=""
	fail "sanitizer report from anttd on the deep-damaged store"
fi

log_step "the district's store restored from the backup: everything flows again"
rm -f "$DB" "$DB-wal" "$DB-shm"
cp -p "$BACKUP" "$DB"
daemon_start "$D_CONF"
D_PID=$DPID
for i in 1 2; do
	N[i]=$(own_seq "${C_CONF[$i]}")
	wait_held 90 "$D_CONF" "${C_KEY[$i]}" "${N[$i]}" "commune $i's records back at the restored district"
	wait_held 60 "$P_CONF" "${C_KEY[$i]}" "${N[$i]}" "commune $i's records at the province"
	assert_same_chain_sql "${C_CONF[$i]}" "$P_CONF" "${C_KEY[$i]}" "commune $i's chain at the province"
	assert_same_chain_sql "${C_CONF[$i]}" "$D_CONF" "${C_KEY[$i]}" "commune $i's chain at the district"
	wait_receipts 60 "${C_CONF[$i]}" "${N[$i]}" "commune $i after the restore"
done
_confirmed() { [ "$("$ANTT" -c "$D_CONF" status --json | jq -r .from_backup)" = null ]; }
wait_for 30 "the restored district's head confirmed by the province" _confirmed
D_OWN=$(own_seq "$D_CONF")
assert_eq 2 "$D_OWN" "the district's own chain (its two enrollments)"
assert_count "$P_CONF" "$(($(own_seq "$P_CONF") + D_OWN + N[1] + N[2]))" "province"
assert_count "$D_CONF" "$((D_OWN + N[1] + N[2]))" "district"
assert_no_duplicates_sql "$P_CONF" "province"
assert_no_duplicates_sql "$D_CONF" "district"
echo "    province: $((N[1] + N[2])) commune records, exactly"

log_step "the restored district signs again, and verifies"
node_init spare 12349
antt_ok "$D_CONF" enroll --unit 12349 --key "$PUBKEY"
antt_ok "$D_CONF" status --json
assert_eq 3 "$(jq -r .head.seq <<<"$OUT")" "the district's next own seq"
wait_held 30 "$P_CONF" "$D_KEY" 3 "the district's new enrollment at the province"
assert_eq ok "$(store_sql "$D_CONF" "PRAGMA integrity_check")" "the restored district's store"
verify_bg "$D_CONF"
verify_bg "$P_CONF"
verify_wait "$D_CONF" "district"
verify_wait "$P_CONF" "province"
assert_eq 0 "$(store_sql "$D_CONF" "SELECT count(*) FROM forks")" "district: forks"
assert_eq 0 "$(store_sql "$P_CONF" "SELECT count(*) FROM forks")" "province: forks"

log_step "clean stops"
for i in 1 2; do daemon_stop "${C_PID[$i]}"; done
daemon_stop "$D_PID"
daemon_stop "$P_PID"
assert_no_sanitizer_reports

if ((${#UNCLEAR[@]})); then
	printf 'PROBLEM: %s\n' "${UNCLEAR[@]}" >&2
	OUT="" ERR=""
	fail "anttd refused the damaged stores, ${#UNCLEAR[@]} problems with damaged stores (listed above)"
fi
