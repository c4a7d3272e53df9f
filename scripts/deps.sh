#!/usr/bin/env bash
# Install the Debian 12 packages antt needs to build, test and run, if any is
# missing.  Uses sudo when not root.  Safe to run again.
set -euo pipefail

PACKAGES=(
	build-essential cmake pkg-config
	libzmq3-dev libsqlite3-dev libsodium-dev libuv1-dev
	libprotobuf-c-dev protobuf-c-compiler libinih-dev libzstd-dev
	libsystemd-dev libjansson-dev libcmocka-dev
	sqlite3 jq python3 python3-nacl clang-format libfaketime iproute2 nftables dpkg-dev systemd
	mosquitto libmosquitto-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}" >&2
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
