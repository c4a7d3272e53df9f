#!/usr/bin/env bash
# t_sync_diskfull: the district's disk fills up while its communes send.
# The district's node folder is a small tmpfs of its own (mounted here:
# needs root; without it, or when the mount is refused, the scenario says
# what is missing and exits 77, skipped).  A filler file takes every free
# byte while two communes send a few thousand records: the district stops
# acknowledging (the communes' "received by parent" stops short of their
# head), logs a clear error naming the full disk, does not crash, and its
# store stays sound; the communes go on taking reports at once and keep them
# pending; `antt enroll` and `antt submit` at the district fail with a clear
# message.  The filler removed, sync resumes by itself: the province ends
# with every record exactly once, and the district's store verifies.
#
#   ANTT_DISKFULL_SIZE  size of the district's tmpfs (default 16m)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SIZE=${ANTT_DISKFULL_SIZE:-16m}
BULK=${ANTT_DISKFULL_BULK:-3000}
D_DIR="$IT_TMP/d"
D_LOG="$IT_TMP/d.log" # outside the full disk, so that the error can be read
MOUNTED=0

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: t_sync_diskfull mounts a tmpfs for the district's store: run it as root (uid 0; this is uid $(id -u))"
	exit 77
fi
command -v mount >/dev/null && command -v umount >/dev/null || {
	echo "SKIP: t_sync_diskfull needs mount and umount (util-linux)"
	exit 77
}

# The tmpfs must go before lib.sh removes the folder: stop the district
# (a busy mount cannot be unmounted), unmount, then lib.sh's own cleanup.
_df_cleanup() {
	local rc=$?
	if [ "$MOUNTED" = 1 ]; then
		[ -n "${D_PID:-}" ] && daemon_kill9 "$D_PID"
		umount "$D_DIR" 2>/dev/null || umount -l "$D_DIR" 2>/dev/null ||
			echo "warning: could not unmount $D_DIR" >&2
	fi
	(exit "$rc")
	_it_cleanup
}
trap _df_cleanup EXIT

mkdir "$D_DIR"
if ! out=$(mount -t tmpfs -o "size=$SIZE,mode=0700" tmpfs "$D_DIR" 2>&1); then
	echo "SKIP: t_sync_diskfull cannot mount a tmpfs on $D_DIR ($out): it needs the capability to mount (CAP_SYS_ADMIN; in a container, --privileged or --cap-add SYS_ADMIN)"
	exit 77
fi
MOUNTED=1

_not_acking() { # CONF: its parent's receipt stops short of its head
	local own l1
	own=$(own_seq "$1")
	l1=$(uplink_field "$1" "[.levels[] | select(.level == 1) | .seq][0] // 0")
	echo "own $own, received by parent $l1"
	((l1 < own))
}
level1() { uplink_field "$1" "[.levels[] | select(.level == 1) | .seq][0] // 0"; }

log_step "a tree of two communes; the district's folder on a $SIZE tmpfs"
sync_tree 2
# restarted with its log outside the tmpfs
daemon_stop "$D_PID"
daemon_start "$D_CONF" "$D_LOG"
D_PID=$DPID
for i in 1 2; do
	antt_ok "${C_CONF[$i]}" submit --form bvanttq-monthly --period 2024-01 hop_dan="$i"
	wait_held 30 "$P_CONF" "${C_KEY[$i]}" 1 "commune $i's first record at the province"
done

log_step "the disk fills up (a filler file) while the communes send $BULK records each"
dd if=/dev/zero of="$D_DIR/filler" bs=64k status=none 2>/dev/null || true
dd if=/dev/zero of="$D_DIR/filler2" bs=512 status=none 2>/dev/null || true
AVAIL=$(df --output=avail -B1 "$D_DIR" | tail -n 1 | tr -d ' ')
echo "    free on the district's disk: $AVAIL bytes"
for i in 1 2; do
	gen_events "$IT_TMP/bulk.$i.jsonl" "$BULK" 2024-02-0$i "đĩa đầy $i"
	antt_ok "${C_CONF[$i]}" submit --file "$IT_TMP/bulk.$i.jsonl"
done
# the district takes what fits in the space its files already have, then
# no more: wait until its holdings stop growing
_stalled() {
	local now
	now="$(author_held "$D_CONF" "${C_KEY[1]}") $(author_held "$D_CONF" "${C_KEY[2]}") $(level1 "${C_CONF[1]}") $(level1 "${C_CONF[2]}")"
	echo "held at the district, receipts at the communes: $now (before: ${_LAST:-})"
	if [ "$now" = "${_LAST:-}" ]; then
		_SAME=$((_SAME + 1))
	else
		_SAME=0 _LAST=$now
	fi
	((_SAME >= 10 * IT_SLOW)) # unchanged for ~2 s (scaled)
}
_SAME=0
wait_for 90 "the district stops taking records" _stalled
for i in 1 2; do
	N[i]=$(own_seq "${C_CONF[$i]}")
	h=$(author_held "$D_CONF" "${C_KEY[$i]}")
	echo "    commune $i: $h of ${N[$i]} at the district, received by parent $(level1 "${C_CONF[$i]}")"
done
((N[1] + N[2] > $(author_held "$D_CONF" "${C_KEY[1]}") + $(author_held "$D_CONF" "${C_KEY[2]}"))) ||
	fail "the district took every record although its disk is full (make ANTT_DISKFULL_BULK larger)"
_not_acking "${C_CONF[1]}" >/dev/null || _not_acking "${C_CONF[2]}" >/dev/null ||
	fail "the communes' records are all acknowledged although the district's disk is full"

log_step "the district is alive, says why, and its store is sound"
case $(_it_pstate "$D_PID") in
Z | gone) fail "the district's anttd died when its disk filled up: $(tail -n 20 "$D_LOG")" ;;
esac
antt_ok "$D_CONF" status --json
grep -E -i 'full|no space|ENOSPC' "$D_LOG" >/dev/null ||
	fail "the district's log does not say that its disk is full: $(tail -n 20 "$D_LOG" | tr '\n' '|')"
echo "    district log: $(grep -E -i 'full|no space' "$D_LOG" | sort | uniq -c | sort -rn | head -n 3 | tr '\n' '|')"
assert_eq ok "$(store_sql "$D_CONF" "PRAGMA quick_check")" "the district's store while its disk is full"
assert_no_duplicates_sql "$D_CONF" "district while full"

log_step "antt enroll and antt submit at the district fail clearly"
node_init spare 12349
SPARE_KEY=$PUBKEY
run timeout "$(slow 30)" "$ANTT" -c "$D_CONF" enroll --unit 12349 --key "$SPARE_KEY"
echo "    enroll: rc $RC: $ERR"
assert_ne 0 "$RC" "enroll at the district with a full disk"
assert_ne 124 "$RC" "enroll at the district with a full disk: an answer, not a hang"
assert_match "$ERR" '[Ff]ull|[Nn]o space|disk' "enroll: the message names the full disk"
run timeout "$(slow 30)" "$ANTT" -c "$D_CONF" submit --form bvanttq-monthly --period 2024-02 hop_dan=9
echo "    submit: rc $RC: $ERR"
assert_ne 0 "$RC" "submit at the district with a full disk"
assert_ne 124 "$RC" "submit at the district with a full disk: an answer, not a hang"
assert_match "$ERR" '[Ff]ull|[Nn]o space|disk' "submit: the message names the full disk"
D_OWN=$(own_seq "$D_CONF")

log_step "the communes go on taking reports at once; they stay pending"
for i in 1 2; do
	t0=$(date +%s%N)
	run timeout "$(slow 20)" "$ANTT" -c "${C_CONF[$i]}" submit --json --form bvanttq-monthly --period 2024-03 hop_dan=$((i + 30))
	ms=$((($(date +%s%N) - t0) / 1000000))
	assert_rc 0 "submit at commune $i while the district's disk is full"
	((ms < $(slow 5000))) || fail "submit at commune $i took $ms ms"
	N[i]=$(own_seq "${C_CONF[$i]}")
done
sleep 1
for i in 1 2; do
	wait_for 10 "commune $i: records pending" _not_acking "${C_CONF[$i]}"
done
# the district is still alive after the communes kept pushing
case $(_it_pstate "$D_PID") in
Z | gone) fail "the district's anttd died with its disk full: $(tail -n 20 "$D_LOG")" ;;
esac

log_step "the filler goes: sync resumes by itself"
rm -f "$D_DIR/filler" "$D_DIR/filler2"
for i in 1 2; do
	wait_held 120 "$P_CONF" "${C_KEY[$i]}" "${N[$i]}" "commune $i at the province after the disk was freed"
	assert_eq "${N[$i]}" "$(author_held "$D_CONF" "${C_KEY[$i]}")" "commune $i at the district"
	assert_same_chain_sql "${C_CONF[$i]}" "$P_CONF" "${C_KEY[$i]}" "commune $i's chain at the province"
	wait_receipts 60 "${C_CONF[$i]}" "${N[$i]}" "commune $i after the disk was freed"
done
assert_eq "$D_OWN" "$(own_seq "$D_CONF")" "the district signed nothing while its disk was full"
wait_held 30 "$P_CONF" "$D_KEY" "$D_OWN" "the district's own records at the province"
assert_count "$P_CONF" "$(($(own_seq "$P_CONF") + D_OWN + N[1] + N[2]))" "province"
assert_count "$D_CONF" "$((D_OWN + N[1] + N[2]))" "district"
assert_no_duplicates_sql "$P_CONF" "province"
assert_no_duplicates_sql "$D_CONF" "district"
echo "    province: $((N[1] + N[2])) commune records, exactly"

log_step "the district writes again (enroll), and every store verifies"
antt_ok "$D_CONF" enroll --unit 12349 --key "$SPARE_KEY"
D_OWN=$(own_seq "$D_CONF")
wait_held 30 "$P_CONF" "$D_KEY" "$D_OWN" "the district's enrollment at the province"
assert_eq ok "$(store_sql "$D_CONF" "PRAGMA integrity_check")" "the district's store after the disk was freed"
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
