#!/usr/bin/env bash
# The quick-start demo: installs what is missing, builds, and runs a small
# tree on loopback in a temporary folder, two levels as since 1 July 2025:
# three communes of today -> the province of Hưng Yên (33).  Officers
# submit, correct and read reports at the communes; the records flow up by
# themselves; the province shows and verifies them, loads the official unit
# lists (before and since July 2025, and the links between them) and
# reports on its communes (totals, who has not reported, a report's
# versions); the communes show how far up their records are stored.
# --keep leaves the folder in place.  BUILD_DIR: where to build (build/).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
"$top/scripts/build.sh"
bin=${BUILD_DIR:-$top/build}

keep=0
[ "${1:-}" = "--keep" ] && keep=1
dir=$(mktemp -d /tmp/antt-demo.XXXXXX)
pids=()
cleanup() {
	local rc=$? l
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	# a failed demo shows its nodes' logs before their folder goes
	if [ "$rc" -ne 0 ]; then
		for l in "$dir"/*.log; do
			[ -f "$l" ] && { echo "--- $l" && tail -n 15 "$l"; } >&2
		done
	fi
	if [ $keep -eq 1 ]; then echo "nodes kept in $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT

bold= plain=
[ -t 1 ] && bold=$(printf '\033[1m') plain=$(printf '\033[0m')
say() { printf '\n%s# %s%s\n' "$bold" "$*" "$plain"; }
step() { printf '%s$ %s%s\n' "$bold" "$*" "$plain"; "$@"; }
# step, without the answer
quiet() { printf '%s$ %s%s\n' "$bold" "$*" "$plain"; "$@" >/dev/null; }
# step, showing the first N lines of a long answer
step_head() {
	local n=$1 out more
	shift
	printf '%s$ %s%s\n' "$bold" "$*" "$plain"
	out=$("$@")
	head -n "$n" <<<"$out"
	more=$(($(wc -l <<<"$out") - n))
	[ "$more" -le 0 ] || echo "... ($more more lines)"
}
at() { local n=$1; shift; "$bin/antt" -c "$dir/$n/anttd.conf" "$@"; }
key() { "$bin/antt" -c "$dir/$1/anttd.conf" status --json | sed -n 's/.*"public_key": "\([0-9a-f]*\)".*/\1/p'; }
start() {
	# quick heartbeats so that the demo is brisk
	sed -i 's/^\[sync\]$/[sync]\nheartbeat = 500\ntimeout = 5000/' "$dir/$1/anttd.conf"
	"$bin/anttd" -c "$dir/$1/anttd.conf" 2>"$dir/$1.log" &
	pids+=($!)
	for _ in $(seq 50); do at "$1" status >/dev/null 2>&1 && return; sleep 0.1; done
	echo "anttd for $1 did not start (its log follows)" >&2
	exit 1
}
# ports: one chosen from the process id
port=$((20000 + $$ % 20000))
prov="tcp://127.0.0.1:$port"
links=$top/data/units-vn-2025-03-to-2025-07.csv
# "Xã Hoàng Hoa Thám (12337)": a unit's name and code in the list of 2025-07
unit() { awk -F, -v c="$1" '$1 == c { printf "%s (%s)", $4, $1 }' "$top/data/units-vn-2025-07.csv"; }
# the old units a unit of 2025-07 took, from the links file (full: the whole
# old unit; partial: a part of it)
took() {
	awk -F, -v c="$1" '$2 == c { printf "%s%s (%s, %s)", n++ ? ", " : "", $4, $1, $3 }' "$links"
}

say "the province, Tỉnh Hưng Yên (33): the root of trust"
quiet "$bin/antt" init --unit 33 --dir "$dir/province" --listen "$prov"
start province
P=$(key province)

say "three of its communes of today, each enrolled at the province"
for c in 12337 12361 12364; do
	echo "$(unit $c), since 1 July 2025, took the old $(took $c)"
done
for c in 12337 12361 12364; do
	quiet "$bin/antt" init --unit $c --dir "$dir/c$c" --parent "$prov" --parent-key "$P" --root "$P"
	start c$c
	step at province enroll --unit $c --key "$(key c$c)"
done

say "officers submit their monthly reports and incidents (offline or not: submit never waits for the network)"
step at c12337 submit --form bvanttq-monthly --period 2025-08 \
	hop_dan=12 hop_dan_nguoi=1340 tin_bao=9 to_giac=3 hoa_giai=7 ho_cam_ket=2150 \
	--note "Tháng 8: họp dân tại 6 thôn"
step at c12361 submit --form bvanttq-monthly --period 2025-08 hop_dan=8 hop_dan_nguoi=655 hoa_giai=2
step at c12364 submit --form bvanttq-event --period 2025-09-02 vu_khi_tho_so=2 --note "Người dân giao nộp 2 dao tự chế"
say "a second monthly report for the same month is refused; a correction is a new signed record"
step at c12337 submit --form bvanttq-monthly --period 2025-08 hop_dan=13 || true
first=$(at c12337 log --form bvanttq-monthly --json | sed -n 's/.*"id": "\([0-9a-f]*\)".*/\1/p' | head -1)
step at c12337 correct "$first" hop_dan=13 --note "Bổ sung 1 cuộc họp dân"

say "the records flow up by themselves"
# 7: the province's 3 enrollments of the communes, their 4 reports (a
# correction among them; the refused one is none)
n=0
for _ in $(seq 100); do
	n=$(at province status --json | sed -n 's/.*"records": \([0-9]*\).*/\1/p' | head -1)
	[ "$n" -ge 7 ] && break
	sleep 0.2
done
[ "$n" -ge 7 ] || { echo "demo: the province holds $n records after 20 s, expected 7 (the nodes' logs follow)" >&2; exit 1; }
step at province log
step at province verify
step at province children

say "the province loads the official unit lists once (before and since July 2025, and their links), then reports on its communes"
step at province units import
step at province units
step at province report --period 2025-08 --form bvanttq-monthly --by indicator
step at province report --period 2025-Q3 --form bvanttq-event
# every commune of the province is expected: the first lines, not all 104
step_head 16 at province missing --period 2025-08 --form bvanttq-monthly
step at province history --unit 12337 --period 2025-08

say "at the commune: how far up its records are stored"
sleep 1
step at c12337 status
