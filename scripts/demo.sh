#!/usr/bin/env bash
# The quick-start demo: installs what is missing, builds, and runs a small
# tree on loopback in a temporary folder: three communes of Huyện Tiên Lữ
# (332) -> the district -> the province of Hưng Yên (33).  Officers submit,
# correct and read reports at the communes; the records flow up by
# themselves; the province shows and verifies them, loads the official list
# of administrative units and reports on its subtree (totals, who has not
# reported, a report's versions); the communes show how far up their
# records are stored.  --keep leaves the folder in place.
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
# ports: a free-ish pair chosen from the process id
port=$((20000 + $$ % 20000))
prov="tcp://127.0.0.1:$port" dist="tcp://127.0.0.1:$((port + 1))"

say "the province (Tỉnh Hưng Yên, 33) and the district (Huyện Tiên Lữ, 332)"
step "$bin/antt" init --unit 33 --dir "$dir/province" --listen "$prov" >/dev/null
start province
P=$(key province)
step "$bin/antt" init --unit 332 --dir "$dir/district" --listen "$dist" --parent "$prov" --parent-key "$P" --root "$P" >/dev/null
start district
D=$(key district)
# the district is a hub: it may enroll the three communes, nothing else
step at province enroll --unit 332 --key "$D" --hub --units 12337,12340,12346

say "three communes, each enrolled at the district"
for c in 12337 12340 12346; do
	"$bin/antt" init --unit $c --dir "$dir/c$c" --parent "$dist" --parent-key "$D" --root "$P" >/dev/null
	start c$c
	step at district enroll --unit $c --key "$(key c$c)"
done

say "officers submit their monthly reports and incidents (offline or not: submit never waits for the network)"
step at c12346 submit --form bvanttq-monthly --period 2025-05 \
	hop_dan=12 hop_dan_nguoi=1340 tin_bao=9 to_giac=3 hoa_giai=7 ho_cam_ket=2150 \
	--note "Tháng 5: họp dân tại 6 thôn"
step at c12337 submit --form bvanttq-monthly --period 2025-05 hop_dan=8 hop_dan_nguoi=655 hoa_giai=2
step at c12340 submit --form bvanttq-event --period 2025-06-02 vu_khi_tho_so=2 --note "Người dân giao nộp 2 dao tự chế"
say "a second monthly report for the same month is refused; a correction is a new signed record"
step at c12346 submit --form bvanttq-monthly --period 2025-05 hop_dan=13 || true
first=$(at c12346 log --form bvanttq-monthly --json | sed -n 's/.*"id": "\([0-9a-f]*\)".*/\1/p' | head -1)
step at c12346 correct "$first" hop_dan=13 --note "Bổ sung 1 cuộc họp dân"

say "the records flow up by themselves"
# 8: the province's enrollment of the district, the district's 3 of the
# communes, their 4 reports (a correction among them; the refused one is none)
n=0
for _ in $(seq 100); do
	n=$(at province status --json | sed -n 's/.*"records": \([0-9]*\).*/\1/p' | head -1)
	[ "$n" -ge 8 ] && break
	sleep 0.2
done
[ "$n" -ge 8 ] || { echo "demo: the province holds $n records after 20 s, expected 8 (the nodes' logs follow)" >&2; exit 1; }
step at province log
step at province verify
step at district children

say "the province loads the official administrative units once, then reports on its subtree"
step at province units import "$top/data/units-vn-2025-03.csv"
step at province report --period 2025-05 --form bvanttq-monthly --by indicator
step at province report --period 2025-Q2 --unit 332 --form bvanttq-event
step at province missing --period 2025-05 --unit 332
step at province history --unit 12346 --period 2025-05

say "at the commune: how far up its records are stored"
sleep 1
step at c12346 status
