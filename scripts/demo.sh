#!/usr/bin/env bash
# The quick-start demo: installs what is missing, builds, creates a commune
# node (Xã Nhật Tân, unit 12346) in a temporary folder, starts anttd, submits
# sample reports with antt, shows them, and stops.  --keep leaves the node's
# folder in place (its path is printed) instead of removing it.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
"$top/scripts/build.sh"
bin=${BUILD_DIR:-$top/build}

keep=0
[ "${1:-}" = "--keep" ] && keep=1
dir=$(mktemp -d /tmp/antt-demo.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	if [ $keep -eq 1 ]; then echo "node kept in $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT

bold= plain=
[ -t 1 ] && bold=$(printf '\033[1m') plain=$(printf '\033[0m')
step() { printf '\n%s$ %s%s\n' "$bold" "$*" "$plain"; "$@"; }
antt() { "$bin/antt" -c "$dir/node/anttd.conf" "$@"; }

step "$bin/antt" init --unit 12346 --dir "$dir/node"
echo "\$ anttd -c $dir/node/anttd.conf &"
"$bin/anttd" -c "$dir/node/anttd.conf" 2>"$dir/anttd.log" &
pid=$!
for _ in $(seq 50); do antt status >/dev/null 2>&1 && break; sleep 0.1; done

step antt forms
step antt submit --form bvanttq-monthly --period 2025-05 \
	hop_dan=12 hop_dan_nguoi=1340 tin_bao=9 to_giac=3 hoa_giai=7 \
	mo_hinh_tu_quan=4 camera_an_ninh=38 ho_cam_ket=2150 --note "Tháng 5: họp dân tại 6 thôn"
cat >"$dir/events.jsonl" <<'JSON'
{"form": "bvanttq-event", "period": "2025-06-02", "values": {"tin_bao": 1}, "note": "Tin báo trộm cắp tại thôn Đông"}
{"form": "bvanttq-event", "period": "2025-06-02", "values": {"vu_khi_tho_so": 2}, "note": "Người dân giao nộp 2 dao tự chế"}
{"form": "bvanttq-event", "period": "2025-06-03", "values": {"truy_na_dau_thu": 1}}
JSON
step antt submit --file "$dir/events.jsonl"
echo
echo "# a second monthly report for the same month is refused:"
step antt submit --form bvanttq-monthly --period 2025-05 hop_dan=13 || true
first=$(antt log --form bvanttq-monthly --json | sed -n 's/.*"id": "\([0-9a-f]*\)".*/\1/p' | head -1)
step antt correct "$first" hop_dan=13 --note "Bổ sung 1 cuộc họp dân"
step antt log
step antt show "${first:0:12}"
step antt status
step antt verify
