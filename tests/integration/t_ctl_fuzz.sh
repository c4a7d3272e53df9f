#!/usr/bin/env bash
# t_ctl_fuzz: thousands of malformed, ill-typed and mutated requests on the
# control socket (ctl_fuzz.c, over DEALER and REQ sockets) leave anttd
# running and answering, the store valid, and exactly the records that were
# acknowledged stored.  Under the sanitizers (ANTT_IT_SANITIZE=1) anttd runs
# with leak detection, must log no sanitizer report and must exit 0 on
# SIGTERM.
#
#   CTL_FUZZ=build/tests/integration/ctl_fuzz ANTT=build/antt ANTTD=build/anttd \
#     bash tests/integration/t_ctl_fuzz.sh
#
# ANTT_FUZZ_SEED (default 1) and ANTT_FUZZ_MUTATIONS (default 4000) change
# the run; ANTT_FUZZ_STRICT=1 also expects the fixes of the bugs reported
# with this test (see --strict in ctl_fuzz.c).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

: "${CTL_FUZZ:?set CTL_FUZZ to the ctl_fuzz binary}"
[ -x "$CTL_FUZZ" ] || fail "CTL_FUZZ=$CTL_FUZZ is not an executable"
SANITIZE=${ANTT_IT_SANITIZE:-0}
if [ "$SANITIZE" = 1 ]; then
	# leaks are reported when anttd exits; any report makes the exit code
	# non-zero and is looked for in the log below
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1"
	export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1"
fi

node_init n 12346
LOG="$NODE/anttd.log"
daemon_start "$CONF" "$LOG"
PID=$DPID
BEFORE=$(record_count "$CONF")

log_step "ctl_fuzz against anttd (pid $PID)"
args=("ipc://$NODE/anttd.sock" --seed "${ANTT_FUZZ_SEED:-1}"
	--mutations "${ANTT_FUZZ_MUTATIONS:-4000}" --seconds 30)
[ "${ANTT_FUZZ_STRICT:-0}" = 1 ] && args+=(--strict)
run timeout 200 "$CTL_FUZZ" "${args[@]}"
printf '%s\n' "$OUT" | grep -v '^accepted ' | sed 's/^/    /'
[ "$RC" -eq 0 ] || fail "ctl_fuzz exited $RC"
ACCEPTED=$(printf '%s\n' "$OUT" | sed -n 's/^accepted \([0-9][0-9]*\)$/\1/p')
assert_match "$ACCEPTED" '^[0-9]+$' "ctl_fuzz's count of accepted records"

log_step "anttd is still running and answering"
case $(_it_pstate "$PID") in
Z | gone) fail "anttd (pid $PID) died during the fuzzing; log: $(tail -n 5 "$LOG")" ;;
esac
antt_ok "$CONF" status --json
assert_eq "$PID" "$(jq -r .pid <<<"$OUT")" "status answered by the same anttd"

log_step "the store verifies and holds exactly what was acknowledged"
antt_ok "$CONF" verify
assert_count "$CONF" $((BEFORE + ACCEPTED)) "after $ACCEPTED acknowledged record(s)"

log_step "clean stop, clean log"
daemon_stop "$PID"
if grep -nE 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:|^SUMMARY: ' "$LOG" >&2; then
	fail "sanitizer report in $LOG (lines above)"
fi
# a bad request is refused, never a store failure (those are logged as errors)
if grep -n 'anttd: error:' "$LOG" >&2; then
	fail "anttd logged errors while refusing bad requests (lines above)"
fi
assert_contains "$(tail -n 1 "$LOG")" "stopped" "last line of the log"
