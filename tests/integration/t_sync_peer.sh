#!/usr/bin/env bash
# t_sync_peer: a hostile child.  sync_peer, holding an enrolled key, sends
# the district a Hello naming another unit, forged, altered, malformed,
# replayed, out-of-order, badly signed and forked records (1,000 forks in
# one batch among them), compressed batches (a bomb among them), malformed
# frames, then 10,000 garbage frames, and records that break the spec's
# rules: periods the calendar lacks (1999, 2025-13, 2025-Q5, 2025-02-30), a
# day for the monthly form, a system record with a month, a malformed body,
# and corrections of a random id, of the real commune's report, of another
# form or period and of a system record.  The Hello is refused (Error 2)
# and opens no session; each bad record is refused with its code
# (proto/README.md: 1 bad record, 2 bad signature, 3 unknown author, 4 gap,
# 5 fork, 8 bad correction) and named by its place in the batch, its id and
# (when its body decodes) its seq; the honest record of another author
# after it in its batch is taken.  None of it is stored at the district or
# reaches the province, the commune's report shows no correction, forks
# are kept as evidence up to a bound per author and counted beyond,
# replays are deduplicated silently, the district's log grows by a bounded
# number of lines whatever the peer sends (then says how many it
# suppressed), and the district stays up: a real commune's records flow
# during and after.  Last, a record an older anttd took (period 1999) in
# the commune's store is refused upward, and the commune names it (author,
# seq, id) from the refusal's index alone.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

: "${SYNC_PEER:?set SYNC_PEER to the sync_peer binary}"
[ -x "$SYNC_PEER" ] || fail "SYNC_PEER=$SYNC_PEER is not an executable"

log_step "a province, a district, a real commune and the peer's key"
it_port PORT_P
it_port PORT_D
sync_node_init p 33 "$PORT_P" "" ""
P_CONF=$CONF P_KEY=$PUBKEY
sync_node_init d 332 "$PORT_D" "$PORT_P" "$P_KEY"
D_CONF=$CONF D_KEY=$PUBKEY
sync_node_init c1 12346 "" "$PORT_D" "$D_KEY"
C1_CONF=$CONF C1_KEY=$PUBKEY
X_KEYFILE="$IT_TMP/peer.key"
run "$SYNC_PEER" keygen "$X_KEYFILE"
assert_rc 0 "sync_peer keygen"
X_KEY=$OUT
assert_hex64 "$X_KEY" "the peer's public key"

daemon_start "$P_CONF"
P_PID=$DPID
antt_ok "$P_CONF" enroll --unit 332 --key "$D_KEY" --units "$SCOPE_332"
daemon_start "$D_CONF"
D_PID=$DPID
antt_ok "$D_CONF" enroll --unit 12346 --key "$C1_KEY"
# the peer is a hub for its own unit only: it may enroll a second key of
# 12399 (as for a replaced machine), nothing else
antt_ok "$D_CONF" enroll --unit 12399 --key "$X_KEY" --units 12399
daemon_start "$C1_CONF"
C1_PID=$DPID

log_step "the commune's first records reach the province"
antt_ok "$C1_CONF" submit --json --form bvanttq-monthly --period 2024-05 hop_dan=2 hop_dan_nguoi=80
VICTIM=$(jq -r .id <<<"$OUT") # the commune's May report, which the peer tries to correct
antt_ok "$C1_CONF" submit --form bvanttq-event --period 2024-06-01 tin_bao=1
wait_held 30 "$P_CONF" "$C1_KEY" 2 "before the attack"
wait_held 30 "$P_CONF" "$D_KEY" 2 "the district's enrollments"
D_COUNT0=$(record_count "$D_CONF")

log_step "the peer attacks while the commune keeps submitting"
writer_start "$C1_CONF" "$IT_TMP/acks" 2024-06-02 40
IT_PIDS+=("$WRITER") # stopped with the daemons if an assertion fails first
PEER_OUT="$IT_TMP/peer.jsonl"
ATTACK_T0=$SECONDS
"$SYNC_PEER" attack --hub "tcp://127.0.0.1:$PORT_D" --hub-key "$D_KEY" \
	--key "$X_KEYFILE" --unit 12399 --victim "$VICTIM" --timeout "$(slow 10000)" \
	>"$PEER_OUT" 2>"$IT_TMP/peer.err" ||
	{
		OUT=$(cat "$PEER_OUT") ERR=$(cat "$IT_TMP/peer.err")
		fail "sync_peer attack: some case got no answer from the hub"
	}
OUT=$(cat "$PEER_OUT") ERR=""
ATTACK_S=$((SECONDS - ATTACK_T0))
D_LOG="$IT_TMP/d/anttd.log"
# What one peer can make the district log: at most 20 lines per 10 s
# window (ANTT_RATELOG_*), and one line per window with the count of the
# rest.  max_peer_lines SECONDS: the most lines naming the peer in that time.
max_peer_lines() { echo $((($1 / 10 + 2) * 21)); }

# peer_case NAME JQ: JQ applied to the line of case NAME
peer_case() {
	local line
	line=$(jq -c --arg c "$1" 'select(.case == $c)' "$PEER_OUT")
	[ -n "$line" ] || fail "sync_peer printed no line for case $1"
	jq -c "$2" <<<"$line"
}
# assert_refused NAME '[[code, seq], ...]': the Ack's refusals of case NAME
assert_refused() {
	assert_eq "$2" "$(peer_case "$1" '[.ack.refused[] | [.code, .seq]]')" "case $1: refusals [code, seq]"
}
# the peer's head at the district as the Ack of case NAME gives it
ack_head() { peer_case "$1" "[.ack.heads[] | select(.author == \"$X_KEY\") | .seq, .id]"; }

log_step "a Hello naming another unit than the key is enrolled for: Error 2, no session"
assert_eq 2 "$(peer_case hello_other_unit .error.code)" "Hello for unit 12337: Error code"
assert_eq '"Hello names unit 12337, but this key is enrolled for unit 12399"' \
	"$(peer_case hello_other_unit .error.reason)" "Hello for unit 12337: the reason names both units"
assert_eq 1 "$(peer_case ping_after_other_unit .error.code)" "a Ping after the refused Hello: Error 1 (no session was opened)"
assert_eq 1 "$(grep -c 'refused: Hello names unit 12337, but this key is enrolled for unit 12399' "$D_LOG")" \
	"the district logs the refused Hello once"
assert_eq 0 "$(grep -c 'child 12337' "$D_LOG" || true)" "no session of 'child 12337' in the district's log"

assert_eq 0 "$(peer_case hello .head)" "the district holds nothing of the peer at first"
STORED_IDS=() # what the district must hold of the peer, in seq order
REFUSED_IDS=() # what it must never hold

log_step "honest records are taken"
assert_refused honest '[]'
mapfile -t ids < <(peer_case honest '.sent[].id' | tr -d '"')
STORED_IDS+=("${ids[@]}")
assert_eq "[3,\"${ids[2]}\"]" "$(ack_head honest)" "case honest: head after"

log_step "(a) a forged record: unknown author (3)"
assert_refused forged '[[3,1]]'
assert_ne "$X_KEY" "$(peer_case forged '.ack.refused[0].author' | tr -d '"')" "the forged record's author"
FORGER=$(peer_case forged '.ack.refused[0].author' | tr -d '"')
REFUSED_IDS+=("$(peer_case forged '.sent[0].id' | tr -d '"')")

log_step "(b) an altered record: bad signature (2)"
assert_refused altered '[[2,4]]'
assert_contains "$(peer_case altered '.ack.refused[0].reason')" "signature" "case altered: reason"
REFUSED_IDS+=("$(peer_case altered '.sent[0].id' | tr -d '"')")
assert_eq "[3,\"${STORED_IDS[2]}\"]" "$(ack_head altered)" "case altered: head unchanged"

log_step "bad records: not an envelope, not canonical (1)"
assert_refused garbage_record '[[1,0]]'
assert_contains "$(peer_case garbage_record '.ack.refused[0].reason')" "bad record" "case garbage_record: reason"
assert_refused noncanonical '[[1,0]]'
assert_contains "$(peer_case noncanonical '.ack.refused[0].reason')" "canonical" "case noncanonical: reason"
REFUSED_IDS+=("$(peer_case noncanonical '.sent[0].id' | tr -d '"')")

log_step "(c) replayed records: deduplicated silently"
assert_refused replay '[]'
assert_eq "[3,\"${STORED_IDS[2]}\"]" "$(ack_head replay)" "case replay: head unchanged"

log_step "(d) out of order, seq head+2: gap (4)"
assert_refused gap '[[4,5]]'
REFUSED_IDS+=("$(peer_case gap '.sent[0].id' | tr -d '"')")

log_step "(e) a bad signature on the right chain (2)"
assert_refused badsig '[[2,4]]'
REFUSED_IDS+=("$(peer_case badsig '.sent[0].id' | tr -d '"')")
# followed in its batch by a successor whose signature fails too: the run's
# last signature fails, so each is checked: the first refused (2), and the
# successor no longer links onto what is held (4).  (A run whose last
# signature verifies is taken whole; the earlier signatures are audited in
# the background: proto/README.md.)
assert_refused badsig_chained '[[2,4],[4,5]]'
mapfile -t ids < <(peer_case badsig_chained '.sent[].id' | tr -d '"')
REFUSED_IDS+=("${ids[@]}")
assert_eq "[3,\"${STORED_IDS[2]}\"]" "$(ack_head badsig_chained)" "case badsig_chained: head unchanged"

log_step "(f) a fork: same seq, other content, validly signed (5)"
assert_refused fork '[[5,1]]'
FORK_ID=$(peer_case fork '.sent[0].id' | tr -d '"')
REFUSED_IDS+=("$FORK_ID")
log_step "1,000 distinct forks of that seq in one batch: each refused (5)"
assert_eq 1000 "$(peer_case forks_many '.ack.refused | length')" "case forks_many: refusals"
assert_eq '[5]' "$(peer_case forks_many '[.ack.refused[].code] | unique')" "case forks_many: refusal codes"
assert_eq 1000 "$(peer_case forks_many '[.ack.refused[].id] | unique | length')" "case forks_many: distinct forks refused"
assert_eq "[3,\"${STORED_IDS[2]}\"]" "$(ack_head forks_many)" "case forks_many: head unchanged"
mapfile -t ids < <(peer_case forks_many '.sent[].id' | tr -d '"')
REFUSED_IDS+=("${ids[@]}")

log_step "one bad record in a batch does not stop the good ones after it"
assert_refused mixed '[[2,5]]'
mapfile -t ids < <(peer_case mixed '.sent[].id' | tr -d '"')
STORED_IDS+=("${ids[0]}" "${ids[2]}")
REFUSED_IDS+=("${ids[1]}")
assert_eq "[5,\"${ids[2]}\"]" "$(ack_head mixed)" "case mixed: head after"
assert_refused honest_after '[]'
STORED_IDS+=("$(peer_case honest_after '.sent[0].id' | tr -d '"')")
assert_eq "[6,\"${STORED_IDS[5]}\"]" "$(ack_head honest_after)" "case honest_after: head after"

log_step "compressed batches: honest ones taken, a bomb and junk refused unopened"
assert_refused zhonest '[]'
mapfile -t ids < <(peer_case zhonest '.sent[].id' | tr -d '"')
STORED_IDS+=("${ids[@]}")
assert_eq "[8,\"${ids[1]}\"]" "$(ack_head zhonest)" "case zhonest: head after"
assert_eq 2 "$(peer_case zbomb .error.code)" "a batch that unpacks to 65 MiB: Error 2"
assert_eq true "$(peer_case hello_after_zbomb .heads)" "a Hello after the bomb starts a new session"
assert_eq 8 "$(peer_case hello_after_zbomb .head)" "the head after the bomb"
assert_eq 2 "$(peer_case zempty .error.code)" "32 million empty entries compressed: Error 2"
assert_eq true "$(peer_case hello_after_zempty .heads)" "a Hello after the empty entries starts a new session"
# read within a budget (proto/README.md, "Codes and limits"): unbudgeted,
# those entries took a reader 1.6 GB
HWM=$(awk '/^VmHWM:/ {print $2}' "/proc/$D_PID/status")
echo "    district's peak memory after the attack: $HWM kB"
((HWM < 1024 * 1024)) || fail "the district's peak memory reached $HWM kB: a batch was read past its budget"
assert_eq 2 "$(peer_case zjunk .error.code)" "compressed junk: Error 2"
assert_eq true "$(peer_case hello_after_zjunk .heads)" "a Hello after the junk starts a new session"

log_step "(g) malformed frames"
assert_eq '{"code":2,"reason":"unexpected message"}' "$(peer_case unexpected_kind .error)" "a Heads sent by a child"
assert_eq true "$(peer_case multipart .pong)" "a Ping queued behind a two-frame message is answered (the message alone is dropped)"
assert_refused multipart '[]'
mapfile -t ids < <(peer_case multipart '.sent[].id' | tr -d '"')
STORED_IDS+=("${ids[@]}")
N_X=${#STORED_IDS[@]} # the peer's records the district must hold: 1008
assert_eq "[$N_X,\"${ids[-1]}\"]" "$(ack_head multipart)" "case multipart: head after the batch before it"
assert_eq 2 "$(peer_case garbage_frame .error.code)" "garbage bytes as a frame: Error 2"
assert_eq 1 "$(peer_case ping_after_garbage .error.code)" "after garbage the session is closed: Error 1 'send Hello first'"
assert_eq true "$(peer_case hello_after_garbage .heads)" "a Hello after garbage starts a new session"
assert_eq 3 "$(peer_case version .error.code)" "Hello version 2: Error 3"
assert_eq 1 "$(peer_case batch_before_hello .error.code)" "a Batch before Hello: Error 1"
REFUSED_IDS+=("$(peer_case batch_before_hello '.sent[0].id' | tr -d '"')")
assert_eq true "$(peer_case oversize .hello)" "oversize: Hello first"
assert_eq true "$(peer_case oversize .disconnected)" "a frame over 16 MiB closes the connection"
assert_eq true "$(peer_case hello_after_oversize .heads)" "the district takes a new connection after an oversized frame"

log_step "every refusal names its place in the batch, and the record sent there by its id"
assert_eq '[0,null]' "$(peer_case garbage_record '[.ack.refused[0].index, .ack.refused[0].id]')" \
	"case garbage_record: index, and no id (not an envelope)"
assert_eq "[0,$(peer_case noncanonical '.sent[0].id')]" "$(peer_case noncanonical '[.ack.refused[0].index, .ack.refused[0].id]')" \
	"case noncanonical: index and id (the envelope decodes)"
assert_eq '[[2,0],[4,1]]' "$(peer_case badsig_chained '[.ack.refused[] | [.code, .index]]')" "case badsig_chained: [code, index]"
assert_eq 0 "$(jq -s '[.[] | select(.ack) | . as $c | .ack.refused[]
	| select(.index == null or (.id != null and ($c.sent[.index].id // null) != .id))] | length' "$PEER_OUT")" \
	"refusals whose index does not point at the record they name"

log_step "(h) the spec's rules: each bad record refused and named, the other author's record after it taken"
# the peer's second key, enrolled by the peer for its unit, sends an honest
# record after each of the peer's in the same batch
assert_refused rules_setup '[]'
Y_KEY=$(peer_case rules_setup '.sent[1].author' | tr -d '"')
assert_hex64 "$Y_KEY" "the peer's second key"
STORED_IDS+=("$(peer_case rules_setup '.sent[0].id' | tr -d '"')")
Y_IDS=("$(peer_case rules_setup '.sent[1].id' | tr -d '"')")
# head_of CASE AUTHOR: [seq, id] of AUTHOR in the Ack of CASE
head_of() { peer_case "$1" "[.ack.heads[] | select(.author == \"$2\") | .seq, .id]"; }
# taken CASE: the case's batch is taken whole; its ids are added to what
# the district must hold, by author
taken() {
	local i n author id x=0 y=0
	assert_refused "$1" '[]'
	n=$(peer_case "$1" '.sent | length')
	for ((i = 0; i < n; i++)); do
		author=$(peer_case "$1" ".sent[$i].author" | tr -d '"')
		id=$(peer_case "$1" ".sent[$i].id" | tr -d '"')
		if [ "$author" = "$X_KEY" ]; then STORED_IDS+=("$id") x=1; else Y_IDS+=("$id") y=1; fi
	done
	((x == 0)) || assert_eq "[${#STORED_IDS[@]},\"${STORED_IDS[-1]}\"]" "$(head_of "$1" "$X_KEY")" "case $1: the peer's head after"
	((y == 0)) || assert_eq "[${#Y_IDS[@]},\"${Y_IDS[-1]}\"]" "$(head_of "$1" "$Y_KEY")" "case $1: the second key's head after"
}
# refused_rule CASE CODE DECODES REASON: the peer's record (index 0) is
# refused with CODE, named by index and id, and by author and seq when its
# body DECODES (1) or not (0); the reason says REASON; the second key's
# record after it is taken and the peer's head stays
refused_rule() {
	local c=$1 id seq
	id=$(peer_case "$c" '.sent[0].id')
	seq=$(peer_case "$c" '.sent[0].seq')
	assert_eq 1 "$(peer_case "$c" '.ack.refused | length')" "case $c: one refusal"
	assert_eq "$2" "$(peer_case "$c" '.ack.refused[0].code')" "case $c: refusal code"
	assert_eq 0 "$(peer_case "$c" '.ack.refused[0].index')" "case $c: the refusal's index"
	assert_eq "$id" "$(peer_case "$c" '.ack.refused[0].id')" "case $c: the refusal's id"
	if [ "$3" = 1 ]; then
		assert_eq "$seq $X_KEY" "$(peer_case "$c" '.ack.refused[0] | "\(.seq) \(.author)"' | tr -d '"')" \
			"case $c: the refusal's seq and author"
	else
		assert_eq "0 null" "$(peer_case "$c" '.ack.refused[0] | "\(.seq) \(.author)"' | tr -d '"')" \
			"case $c: no seq or author (the body does not decode)"
	fi
	assert_contains "$(peer_case "$c" '.ack.refused[0].reason')" "$4" "case $c: reason"
	REFUSED_IDS+=("$(tr -d '"' <<<"$id")")
	Y_IDS+=("$(peer_case "$c" '.sent[1].id' | tr -d '"')")
	# (the Ack names the heads of the authors whose records decoded)
	if [ "$3" = 1 ]; then
		assert_eq "[${#STORED_IDS[@]},\"${STORED_IDS[-1]}\"]" "$(head_of "$c" "$X_KEY")" "case $c: the peer's head unchanged"
	fi
	assert_eq "[${#Y_IDS[@]},\"${Y_IDS[-1]}\"]" "$(head_of "$c" "$Y_KEY")" "case $c: the second key's record after it taken"
}
refused_rule period_1999 1 0 "bad period '1999'"
refused_rule period_2025_13 1 0 "bad period '2025-13'"
refused_rule period_2025_Q5 1 0 "bad period '2025-Q5'"
refused_rule period_2025_02_30 1 0 "bad period '2025-02-30'"
refused_rule period_wrong_kind 1 1 "form bvanttq-monthly: '2024-06-20' is a day, but this form takes a month"
taken period_unknown_form # a form the district lacks: it cannot tell the kind, so it keeps it
refused_rule system_month 1 0 "a system record"
refused_rule malformed_body 1 0 "bad record"
taken own_report
taken corrects_own
refused_rule corrects_random 8 1 "bad correction: it corrects"
assert_contains "$(peer_case corrects_random '.ack.refused[0].reason')" "does not hold" "case corrects_random: reason"
refused_rule corrects_other_unit 8 1 "a record of unit 12346, not of its own unit 12399"
refused_rule corrects_other_period 8 1 "bad correction: it corrects a report of bvanttq-monthly 2024-05"
refused_rule corrects_other_form 8 1 "bad correction: it corrects a report of bvanttq-monthly 2024-05"
refused_rule corrects_other_kind 8 1 "bad correction: it corrects a report of bvanttq-monthly 2024-05"
refused_rule corrects_system 8 1 "bad correction: it corrects a system record"
# another key of the same unit corrects the peer's report (a replaced
# machine's key does so), also when the report comes after it in the batch
taken corrects_other_key
taken corrects_in_batch
N_Y=${#Y_IDS[@]}
N_X=${#STORED_IDS[@]} # the peer's records the district must hold
antt_ok "$D_CONF" history --unit 12399 --period 2024-05 --form bvanttq-monthly --json
assert_eq "null ${STORED_IDS[-3]} ${STORED_IDS[-2]}" "$(jq -r '[.versions[] | .corrects // "null"] | join(" ")' <<<"$OUT")" \
	"history of the peer's May: each version corrects the one before"
assert_eq "superseded superseded counts" "$(jq -r '[.versions[].state] | join(" ")' <<<"$OUT")" \
	"history of the peer's May: the second key's correction counts"

log_step "the district holds exactly the peer's honest records"
case $(_it_pstate "$D_PID") in Z | gone) fail "the district's anttd died during the attack" ;; esac
antt_ok "$D_CONF" log --json --author "$X_KEY"
assert_eq "${STORED_IDS[*]}" "$(jq -r '[.[].id] | join(" ")' <<<"$OUT")" "the peer's records at the district"
assert_eq "$(seq -s ' ' 1 "$N_X")" "$(jq -r '[.[].seq | tostring] | join(" ")' <<<"$OUT")" "their seqs"
# no refused record anywhere in the store, under any author
in_list=$(printf "x'%s'," "${REFUSED_IDS[@]}")
in_list=${in_list%,}
assert_eq 0 "$(store_sql "$D_CONF" "SELECT count(*) FROM records WHERE id IN ($in_list)")" \
	"refused records in the district's store"
assert_eq 0 "$(author_held "$D_CONF" "$FORGER")" "records of the forger at the district"
antt_ok "$D_CONF" log --json --author "$Y_KEY"
assert_eq "${Y_IDS[*]}" "$(jq -r '[.[].id] | join(" ")' <<<"$OUT")" "the second key's records at the district"
log_step "forks: 16 kept as evidence, all 1,001 counted, shown, the log bounded"
assert_eq 16 "$(store_sql "$D_CONF" 'SELECT count(*) FROM forks')" "forks kept as evidence at the district (the bound)"
assert_eq 1 "$(store_sql "$D_CONF" "SELECT count(*) FROM forks WHERE id = x'$FORK_ID'")" "the first fork sent is kept"
assert_eq 1001 "$(store_sql "$D_CONF" "SELECT n FROM fork_counts WHERE author = x'$X_KEY'")" "forks counted for the peer's key"
antt_ok "$D_CONF" children --json
assert_eq 1001 "$(jq --arg k "$X_KEY" '.[] | select(.key == $k) | .forks' <<<"$OUT")" "antt children: the peer's forks"
assert_eq 0 "$(jq --arg k "$C1_KEY" '.[] | select(.key == $k) | .forks' <<<"$OUT")" "antt children: the commune's forks"
antt_ok "$D_CONF" status --json
assert_eq '[1001,16]' "$(jq -c '[.hub.forks, .hub.forks_kept]' <<<"$OUT")" "antt status: hub.forks, hub.forks_kept"
antt_ok "$D_CONF" status
assert_contains "$OUT" "forks       1001 record(s) signed with a seq already held (16 kept" "antt status: the forks line"
assert_contains "$(cat "$D_LOG")" "FORK from child 12399" "the district logs the fork"
n_fork_lines=$(grep -c "FORK from child 12399" "$D_LOG" || true)
n_peer_lines=$(grep -c "child 12399" "$D_LOG" || true)
echo "    attack: ${ATTACK_S} s; the district logged $n_fork_lines FORK line(s), $n_peer_lines line(s) naming the peer"
((n_fork_lines < 1001)) || fail "every one of the 1,001 forks was logged ($n_fork_lines lines)"
((n_peer_lines <= $(max_peer_lines "$ATTACK_S"))) ||
	fail "the district logged $n_peer_lines lines naming the peer in ${ATTACK_S} s (at most $(max_peer_lines "$ATTACK_S"))"
assert_verify "$D_CONF" "district after the attack"
assert_no_duplicates "$D_CONF" "district after the attack"

log_step "10,000 garbage frames: the log grows by a bounded number of lines; the peer is served after"
FLOOD_L0=$(wc -l <"$D_LOG")
FLOOD_T0=$SECONDS
run "$SYNC_PEER" flood --hub "tcp://127.0.0.1:$PORT_D" --hub-key "$D_KEY" \
	--key "$X_KEYFILE" --unit 12399 --frames 10000 --timeout "$(slow 10000)"
assert_rc 0 "sync_peer flood"
FLOOD_S=$((SECONDS - FLOOD_T0))
flood_lines=$(($(wc -l <"$D_LOG") - FLOOD_L0))
echo "    $(head -n 1 <<<"$OUT")"
echo "    flood: ${FLOOD_S} s; the district's log grew by $flood_lines line(s)"
# the peer's lines, and a few of the commune's and the uplink's meanwhile
((flood_lines <= $(max_peer_lines "$FLOOD_S") + 20)) ||
	fail "10,000 garbage frames grew the district's log by $flood_lines lines in ${FLOOD_S} s"
flood_case() { jq -c --arg c "$1" "select(.case == \$c) | $2" <<<"$OUT"; }
assert_eq true "$(flood_case flood .hello_after)" "a Hello after the flood is answered"
(($(flood_case flood .error2) >= 1)) || fail "no Error 2 came back for the garbage"
assert_eq '[]' "$(flood_case honest_after_flood '[.ack.refused[]]')" "an honest record after the flood: no refusal"
STORED_IDS+=("$(flood_case honest_after_flood '.sent[0].id' | tr -d '"')")
N_X=${#STORED_IDS[@]}
assert_eq "[$N_X,\"${STORED_IDS[-1]}\"]" \
	"$(flood_case honest_after_flood "[.ack.heads[] | select(.author == \"$X_KEY\") | .seq, .id]")" \
	"the honest record after the flood is taken"

log_step "the province gets the honest ones only"
wait_held 30 "$P_CONF" "$X_KEY" "$N_X" "the peer's honest records"
antt_ok "$P_CONF" log --json --author "$X_KEY"
assert_eq "${STORED_IDS[*]}" "$(jq -r '[.[].id] | join(" ")' <<<"$OUT")" "the peer's records at the province"
assert_eq 0 "$(store_sql "$P_CONF" "SELECT count(*) FROM records WHERE id IN ($in_list)")" \
	"refused records in the province's store"
assert_eq 0 "$(author_held "$P_CONF" "$FORGER")" "records of the forger at the province"
wait_held 30 "$P_CONF" "$Y_KEY" "$N_Y" "the second key's records"
# victim_untouched CONF WHERE: the commune's May report has one version,
# corrected by nobody
victim_untouched() {
	antt_ok "$1" history --unit 12346 --period 2024-05 --form bvanttq-monthly --json
	assert_eq "$VICTIM null counts" "$(jq -r '[.versions[] | "\(.id) \(.corrected_by) \(.state)"] | join("|")' <<<"$OUT")" \
		"history of the commune's May at the $2: [id corrected_by state]"
	antt_ok "$1" history --unit 12346 --period 2024-05 --form bvanttq-monthly
	assert_not_contains "$OUT" "corrected" "history of the commune's May at the $2 (text)"
}
victim_untouched "$D_CONF" district
victim_untouched "$P_CONF" province
assert_eq 0 "$(store_sql "$P_CONF" 'SELECT count(*) FROM forks')" "a fork is never forwarded"

log_step "the commune's records flowed during the attack and flow after it"
wait "$WRITER" || fail "the commune's writer failed"
assert_eq 40 "$(wc -l <"$IT_TMP/acks")" "submits acknowledged at the commune during the attack"
antt_ok "$C1_CONF" submit --json --form bvanttq-monthly --period 2024-06 hop_dan=5 hop_dan_nguoi=210
antt_ok "$C1_CONF" correct "$(jq -r .id <<<"$OUT")" hop_dan=6
C_N=$(own_seq "$C1_CONF")
assert_eq 44 "$C_N" "the commune's own records"
wait_held 45 "$P_CONF" "$C1_KEY" "$C_N" "the commune's records after the attack"
assert_eq "$C_N" "$(author_count "$P_CONF" "$C1_KEY")" "antt log --author at the province"
wait_receipts 30 "$C1_CONF" "$C_N" "the commune after the attack"
assert_all_stored "$P_CONF" "$IT_TMP/acks" "the commune's records submitted during the attack, at the province"
assert_verify "$D_CONF" "district at the end"
assert_verify "$P_CONF" "province at the end"
assert_no_duplicates "$P_CONF" "province at the end"
assert_eq "$((D_COUNT0 + N_X + N_Y + 42))" "$(record_count "$D_CONF")" \
	"district: records before + the peer's + its second key's + the commune's 42"

log_step "a record an older anttd took (period 1999) is refused upward; the commune names it by the index"
daemon_stop "$C1_PID"
C1_DIR=$(dirname "$C1_CONF")
C1_HEAD=$(store_sql "$C1_CONF" "SELECT lower(hex(id)) FROM records WHERE author = x'$C1_KEY' AND seq = $C_N")
run "$SYNC_PEER" sign "$C1_DIR/node.key" 12346 $((C_N + 1)) "$C1_HEAD" bvanttq-monthly 1999
assert_rc 0 "sync_peer sign"
STALE=$(jq -r .id <<<"$OUT")
now=$(date +%s)
sqlite3 -batch -bail "$C1_DIR/store.db" \
	"INSERT INTO records(id, author, seq, prev, unit, form, period, clock, body, sig, received)
	 VALUES(x'$STALE', x'$C1_KEY', $((C_N + 1)), x'$C1_HEAD', '12346', 'bvanttq-monthly', '1999',
	        $now, x'$(jq -r .body <<<"$OUT")', x'$(jq -r .sig <<<"$OUT")', $now);
	 UPDATE heads SET seq = $((C_N + 1)), id = x'$STALE' WHERE author = x'$C1_KEY';" ||
	fail "cannot put the old record into the commune's store"
daemon_start "$C1_CONF"
C1_PID=$DPID
_stale_refused() {
	store_sql "$C1_CONF" "SELECT seq, lower(hex(id)), code FROM refusals WHERE author = x'$C1_KEY'"
	[ -n "$(store_sql "$C1_CONF" "SELECT 1 FROM refusals WHERE author = x'$C1_KEY' AND seq = $((C_N + 1))")" ]
}
wait_for 30 "the commune records the district's refusal of its seq $((C_N + 1))" _stale_refused
assert_eq "$((C_N + 1))|$STALE|1" \
	"$(store_sql "$C1_CONF" "SELECT seq, lower(hex(id)), code FROM refusals WHERE author = x'$C1_KEY'")" \
	"the commune's refusals: [seq, id, code] of the old record, named by the index"
assert_eq 0 "$(store_sql "$C1_CONF" "SELECT count(*) FROM refusals WHERE author = zeroblob(32)")" \
	"refusals the commune could not name"
assert_contains "$(uplink_field "$C1_CONF" .last_refusal)" "seq $((C_N + 1)): bad record: bad period '1999'" \
	"the commune's antt status: the last refusal"
assert_eq 0 "$(store_sql "$D_CONF" "SELECT count(*) FROM records WHERE id = x'$STALE'")" "the old record at the district"

log_step "what the flood's lines did not say, a line says: how many were suppressed"
# _suppressed: the peer's lines after the flood began, logged or counted in
# the 'N more line(s) suppressed' lines, make up the 10,000 frames at least
_suppressed() {
	local logged counted
	logged=$(tail -n +"$((FLOOD_L0 + 1))" "$D_LOG" | grep "child 12399" | grep -vc "more line(s) suppressed") || true
	counted=$(tail -n +"$((FLOOD_L0 + 1))" "$D_LOG" | grep -o "child 12399: [0-9]* more line(s) suppressed" |
		awk '{ n += $3 } END { print n + 0 }') || true
	echo "logged $logged, counted $counted"
	((logged + counted >= 10000))
}
wait_for 25 "the district says how many of the peer's lines it suppressed" _suppressed

daemon_stop "$C1_PID"
daemon_stop "$D_PID"
daemon_stop "$P_PID"
assert_no_sanitizer_reports
