#!/usr/bin/env bash
# Build the Debian package and prove it on this machine (CI runs it as
# root on a fresh Debian 12): it installs with apt-get, makes the antt
# account and /var/lib/antt, its unit passes systemd-analyze verify and is
# rated OK or better by systemd-analyze security, a node made the
# documented way starts as the antt user with the unit's command and
# answers antt, and the package purges cleanly, leaving the node's store.
# Under a running systemd the node is started with systemctl; elsewhere
# (a container) with the unit's own ExecStartPre and ExecStart, as antt.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "package-test: run it as root (it installs the package)" >&2; exit 1; }
fail() { echo "package-test: FAIL: $*" >&2; exit 1; }
step() { echo "--- $*"; }

deb=$("$top/scripts/package.sh" | tail -n 1)
[ -f "$deb" ] || fail "scripts/package.sh made no package"
NAME=pkgtest$$
cleanup() {
	if [ -d /run/systemd/system ]; then
		systemctl stop "anttd@$NAME" 2>/dev/null || true
	fi
	[ -n "${APID:-}" ] && kill -9 "$APID" 2>/dev/null
	[ -n "${NPID:-}" ] && kill "$NPID" 2>/dev/null
	rm -rf "/var/lib/antt/$NAME" "/run/antt/$NAME" "/tmp/$NAME.notify"
}
trap cleanup EXIT

step "install $deb"
dpkg -s antt >/dev/null 2>&1 && apt-get purge -y -qq antt >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >/dev/null
for f in /usr/sbin/anttd /usr/bin/antt /usr/lib/systemd/system/anttd@.service \
	/usr/lib/sysusers.d/antt.conf /usr/share/antt/forms/bvanttq-monthly.json \
	/usr/share/man/man8/anttd.8 /usr/share/man/man1/antt.1 /usr/share/man/man5/anttd.conf.5 \
	/usr/share/doc/antt/examples/commune.conf /usr/share/doc/antt/examples/province.conf \
	/usr/share/antt/units-vn-2025-03.csv \
	/usr/share/antt/units-vn-2025-07.csv /usr/share/antt/units-vn-2025-03-to-2025-07.csv; do
	[ -e "$f" ] || fail "$f not installed"
done
getent passwd antt >/dev/null || fail "no antt account after the install"
[ "$(stat -c '%U:%G %a' /var/lib/antt)" = "antt:antt 750" ] ||
	fail "/var/lib/antt is $(stat -c '%U:%G %a' /var/lib/antt), expected antt:antt 750"

step "systemd-analyze verify and security"
unit=/usr/lib/systemd/system/anttd@.service
man_opt=()
command -v man >/dev/null || man_opt=(--man=no)
out=$(systemd-analyze verify "${man_opt[@]}" "$unit" 2>&1) || fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify warns: $out"
sec=$(systemd-analyze security --offline=true "$unit" 2>&1 | grep 'Overall exposure level') ||
	fail "systemd-analyze security gave no rating"
echo "    $sec"
[[ "$sec" =~ (SAFE|OK) ]] || fail "the unit is rated worse than OK: $sec"

step "a node made the documented way starts as antt"
antt init --unit 12337 --dir "/var/lib/antt/$NAME" --socket "/run/antt/$NAME/anttd.sock" >/dev/null
grep -q '^forms = /usr/share/antt/forms$' "/var/lib/antt/$NAME/anttd.conf" ||
	fail "antt init did not write the installed forms folder"
conf=/var/lib/antt/$NAME/anttd.conf
if [ -d /run/systemd/system ]; then
	systemctl start "anttd@$NAME" || { journalctl -u "anttd@$NAME" --no-pager | tail -n 20; fail "systemctl start anttd@$NAME"; }
	systemctl is-active -q "anttd@$NAME" || fail "anttd@$NAME is not active"
	systemctl status "anttd@$NAME" --no-pager | grep -q 'Status: "' || fail "no STATUS line in systemctl status"
else
	# what systemd does for the unit: StateDirectory and RuntimeDirectory
	# owned by antt, mode 0750; ExecStartPre, then ExecStart as antt with a
	# notify socket
	chown -R antt:antt "/var/lib/antt/$NAME"
	chmod 0750 "/var/lib/antt/$NAME"
	install -d -m 0750 -o antt -g antt /run/antt "/run/antt/$NAME"
	pre=$(sed -n 's/^ExecStartPre=//p' "$unit" | sed "s/%i/$NAME/g")
	start=$(sed -n 's/^ExecStart=//p' "$unit" | sed "s/%i/$NAME/g")
	# shellcheck disable=SC2086 # the unit's command line, split as systemd does
	setpriv --reuid=antt --regid=antt --init-groups -- $pre >/dev/null || fail "ExecStartPre ($pre) failed"
	python3 -u -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1])
while True: print(s.recv(4096).decode().replace("\n", "|"), flush=True)' "/tmp/$NAME.notify" >"/tmp/$NAME.msgs" &
	NPID=$!
	# the listener binds when python has started: on a busy machine that
	# may take more than a moment
	for ((i = 0; i < 100; i++)); do [ -S "/tmp/$NAME.notify" ] && break; sleep 0.1; done
	[ -S "/tmp/$NAME.notify" ] || fail "the notify listener did not start"
	chmod 666 "/tmp/$NAME.notify"
	# shellcheck disable=SC2086
	NOTIFY_SOCKET=/tmp/$NAME.notify setpriv --reuid=antt --regid=antt --init-groups -- $start 2>"/tmp/$NAME.log" &
	APID=$!
	for ((i = 0; i < 100; i++)); do grep -q READY=1 "/tmp/$NAME.msgs" && break; sleep 0.1; done
	grep -q READY=1 "/tmp/$NAME.msgs" || fail "anttd sent no READY=1: $(cat "/tmp/$NAME.log")"
fi
antt -c "$conf" submit --form bvanttq-monthly --period 2025-08 hop_dan=3 >/dev/null || fail "antt submit"
antt -c "$conf" status | grep -q '^records     1 ' || fail "antt status after a submit"
for f in node.key store.db; do
	[ "$(stat -c '%U %a' "/var/lib/antt/$NAME/$f")" = "antt 600" ] ||
		fail "$f is $(stat -c '%U %a' "/var/lib/antt/$NAME/$f"), expected antt 600"
done
[ "$(stat -c '%a' "/run/antt/$NAME/anttd.sock")" = 660 ] || fail "the control socket is not mode 0660"
if [ -d /run/systemd/system ]; then
	systemctl stop "anttd@$NAME"
else
	kill -TERM "$APID"
	rc=0
	wait "$APID" || rc=$?
	APID=
	[ "$rc" -eq 0 ] || fail "anttd exited $rc after SIGTERM"
	grep -q STOPPING=1 "/tmp/$NAME.msgs" || fail "anttd sent no STOPPING=1"
	rm -f "/tmp/$NAME.msgs" "/tmp/$NAME.log"
fi

step "purge: the package goes, the node's store stays"
apt-get purge -y -qq antt >/dev/null
[ ! -e /usr/sbin/anttd ] || fail "/usr/sbin/anttd left after the purge"
[ -f "/var/lib/antt/$NAME/store.db" ] || fail "the purge deleted a node's store"
echo "package-test: $deb installs, runs and purges cleanly"
