#!/usr/bin/env bash
# t_sync_restore: a commune whose store is restored from an old backup
# does not fork its own chain.  It signs 2 records, is backed up live
# (antt backup), signs 3 more that reach the district, and loses its store;
# the old backup comes back, by a plain copy, while the district is down.
# The copy knows it is one: the commune signs nothing while it cannot ask
# its parent.  Connected again, it learns from the district that its chain
# goes further, takes those records back (checked link by link, its own
# signatures), and then signs seq 6: the district and the province hold one
# chain, no fork.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

log_step "a tree with one commune; 2 records, then a backup of its store"
sync_tree 1
C=${C_CONF[1]} K=${C_KEY[1]}
C_DIR=$(dirname "$C")
antt_ok "$C" submit --form bvanttq-monthly --period 2024-01 hop_dan=1
antt_ok "$C" submit --form bvanttq-monthly --period 2024-02 hop_dan=2
wait_held 30 "$D_CONF" "$K" 2 "the first two at the district"
mkdir "$IT_TMP/backup"
antt_ok "$C" backup --out "$IT_TMP/backup/store.db" --json
assert_eq 2 "$(jq -r .records <<<"$OUT")" "records in the backup"
assert_eq 2 "$(jq -r .head <<<"$OUT")" "the commune's own head in the backup"
assert_eq 600 "$(stat -c %a "$IT_TMP/backup/store.db")" "the backup file's mode"
run "$ANTT" -c "$C" backup --out "$IT_TMP/backup/store.db"
assert_rc 65 "a backup over an existing file"
assert_contains "$ERR" "never overwrites" "why it was refused"

log_step "3 more records reach the district and the province"
for m in 03 04 05; do
	antt_ok "$C" submit --form bvanttq-monthly --period "2024-$m" hop_dan=$((10#$m))
done
wait_held 30 "$P_CONF" "$K" 5 "all five at the province"

log_step "the store is lost; the old backup (seq 2) is restored while the district is down"
daemon_stop "${C_PID[1]}"
daemon_stop "$D_PID"
rm -f "$C_DIR"/store.db "$C_DIR"/store.db-wal "$C_DIR"/store.db-shm
cp -p "$IT_TMP/backup/store.db" "$C_DIR/"
assert_eq 2 "$(store_sql "$C" "SELECT max(seq) FROM records")" "the restored store's head"
daemon_start "$C"
C_PID[1]=$DPID
antt_ok "$C" status --json
assert_eq true "$(jq -r .from_backup <<<"$OUT")" "status: started on a backup copy"
run "$ANTT" -c "$C" submit --form bvanttq-monthly --period 2024-07 hop_dan=7
assert_rc 65 "a submission before the parent confirmed the head"
assert_contains "$ERR" "restored from a backup" "why nothing is signed"
assert_eq 2 "$(store_sql "$C" "SELECT max(seq) FROM records")" "nothing signed meanwhile"
daemon_start "$D_CONF"
D_PID=$DPID

log_step "it takes its own records back from the district before signing"
_recovered() { [ "$(own_seq "$C")" = 5 ]; }
wait_for 30 "the commune's head back at seq 5" _recovered
assert_same_chain "$C" "$D_CONF" "$K" "the commune's chain and the district's copy"
antt_ok "$C" status --json
assert_eq null "$(jq -r .recovering_to <<<"$OUT")" "status: no longer recovering"
assert_eq null "$(jq -r .from_backup <<<"$OUT")" "status: the head is confirmed"

log_step "then it signs seq 6, which the district and the province take: no fork"
antt_ok "$C" submit --form bvanttq-monthly --period 2024-06 hop_dan=6 --json
assert_eq 6 "$(jq -r .seq <<<"$OUT")" "the next record's seq"
# a second report for a month already filed before the loss is refused too:
# the recovered records count as this node's own
run "$ANTT" -c "$C" submit --form bvanttq-monthly --period 2024-04 hop_dan=40
assert_rc 65 "2024-04 again after the recovery"
wait_held 30 "$P_CONF" "$K" 6 "six records at the province"
assert_same_chain "$C" "$P_CONF" "$K" "the commune's chain at the province"
assert_eq 0 "$(store_sql "$D_CONF" "SELECT count(*) FROM forks")" "district: no fork"
assert_eq 0 "$(store_sql "$P_CONF" "SELECT count(*) FROM forks")" "province: no fork"
antt_ok "$C" verify --json
assert_eq true "$(jq -r .valid <<<"$OUT")" "the commune's store verifies"
grep -q "taking them back before signing anything new" "$C_DIR/anttd.log" ||
	fail "the commune's log does not say it is taking its records back"

log_step "a backup made before the node signed anything: restored, it still waits for its parent"
sync_node_init c9 12349 "" "$PORT_D" "$D_KEY" "$P_KEY"
C9=$CONF K9=$PUBKEY
antt_ok "$D_CONF" enroll --unit 12349 --key "$K9"
daemon_start "$C9"
C9_PID=$DPID
antt_ok "$C9" backup --out "$IT_TMP/backup/empty.db"
antt_ok "$C9" submit --form bvanttq-monthly --period 2024-01 hop_dan=1
antt_ok "$C9" submit --form bvanttq-monthly --period 2024-02 hop_dan=2
wait_held 30 "$D_CONF" "$K9" 2 "the new commune's two at the district"
daemon_stop "$C9_PID"
rm -f "$(dirname "$C9")"/store.db*
cp -p "$IT_TMP/backup/empty.db" "$(dirname "$C9")/store.db"
daemon_start "$C9"
C9_PID=$DPID
_c9_back() { [ "$(own_seq "$C9")" = 2 ]; }
wait_for 30 "the new commune's two records taken back" _c9_back
antt_ok "$C9" submit --form bvanttq-monthly --period 2024-03 hop_dan=3 --json
assert_eq 3 "$(jq -r .seq <<<"$OUT")" "its next seq after the restore"
wait_held 30 "$D_CONF" "$K9" 3 "all three at the district"
assert_eq 0 "$(store_sql "$D_CONF" "SELECT count(*) FROM forks")" "district: no fork"
daemon_stop "$C9_PID"
assert_no_sanitizer_reports
