# netlib.sh - shaped networks on one machine, for the t_net_*.sh scenarios.
# Source it after lib.sh.
#
# Every node runs in its own network namespace; a child and its parent are
# joined by a veth pair of their own, shaped the way a commune's link is:
#
#   bandwidth   tbf on both ends of the veth (the kernel's; no netem here)
#   loss        an nftables rule in each namespace, `numgen random mod 100
#               < LOSS drop`, on what arrives over the veth
#   latency     delay_proxy in the child's namespace: the child's anttd
#               connects to 127.0.0.1:NET_PROXY_PORT, the relay holds every
#               byte DELAY ms each way and forwards it over the veth
#   flaps       the child's end of the veth set down and up in a loop
#   partition   an nftables rule dropping everything on both ends
#
# Profiles (net_profile NAME sets NET_RATE, NET_DELAY_MS, NET_LOSS):
#
#   3g    384 kbit/s, 100 ms each way, 1 % loss each way
#   2g    64 kbit/s, 300 ms each way, 5 % loss each way
#
# Addresses: the link of child number K (1..250) is 10.77.K.0/30, the child
# .1, the parent .2.  Namespaces are named antt<PID>-<node> after the
# scenario's pid, so that scenarios never share one and a leftover of a
# killed scenario is recognised and removed (net_require).
#
# Needs root, ip (iproute2), tc and nft (nftables), and $DELAY_PROXY: where
# one is missing, net_require says which and exits 77 (ctest counts a skip,
# never a pass).

DELAY_PROXY=${DELAY_PROXY:-}
NET_PREFIX="antt$$"
NET_NS=()        # namespaces made, for the cleanup
NET_FLAPPERS=()  # pids of the flap loops
NET_PROXY_PORT=7401
NET_HUB_PORT=7400
declare -A NET_LINK=() # child node -> "K child_ns child_if parent_ns parent_if loss"

# net_require: skip (exit 77) unless this machine can make shaped networks.
net_require() {
	local why="" t ns pid
	[ "$(id -u)" -eq 0 ] || why="it is not run as root"
	for t in ip tc nft; do
		[ -n "$why" ] || command -v "$t" >/dev/null || why="'$t' is missing (apt-get install iproute2 nftables)"
	done
	[ -n "$why" ] || [ -x "$DELAY_PROXY" ] || why="DELAY_PROXY=$DELAY_PROXY is not an executable (set by CMake)"
	if [ -z "$why" ] && ! ip netns add "$NET_PREFIX-probe" 2>/dev/null; then
		why="network namespaces cannot be made here (ip netns add failed)"
	fi
	# what the kernel must have: veth, the tbf qdisc, nftables
	if [ -z "$why" ]; then
		local p="$NET_PREFIX-probe"
		if ! ip -n "$p" link add pa type veth peer name pb 2>/dev/null; then
			why="the kernel cannot make veth pairs"
		elif ! ip netns exec "$p" tc qdisc add dev pa root tbf rate 64kbit burst 4kb latency 100ms 2>/dev/null; then
			why="the kernel has no tbf qdisc (sch_tbf)"
		elif ! ip netns exec "$p" nft add table inet probe 2>/dev/null; then
			why="the kernel has no nftables (nf_tables)"
		fi
		[ -z "$why" ] || ip netns del "$p" 2>/dev/null || true
	fi
	if [ -n "$why" ]; then
		echo "SKIP $IT_NAME: shaped-network scenarios need root, network namespaces, ip, tc and nft: $why" >&2
		exit 77
	fi
	ip netns del "$NET_PREFIX-probe"
	# leftovers of scenarios that were killed before their cleanup ran:
	# their processes first (they would keep the namespace alive)
	for ns in $(ip netns list | awk '{print $1}' | grep -E '^antt[0-9]+-' || true); do
		pid=${ns#antt}
		pid=${pid%%-*}
		kill -0 "$pid" 2>/dev/null && continue
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
}

_net_cleanup() {
	local ns
	net_flap_stop
	for ns in "${NET_NS[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
}

# net_records SHORT LONG: set R, the reports per commune of a scenario:
# ANTT_NET_RECORDS if set, else LONG in the long form (ANTT_NET_LONG=1),
# else SHORT.
net_long() { [ "${ANTT_NET_LONG:-0}" = 1 ]; }
net_records() {
	if net_long; then R=${ANTT_NET_RECORDS:-$2}; else R=${ANTT_NET_RECORDS:-$1}; fi
}

# net_profile NAME: set NET_RATE, NET_DELAY_MS, NET_LOSS.
net_profile() {
	case $1 in
	3g) NET_RATE=384kbit NET_DELAY_MS=100 NET_LOSS=1 ;;
	2g) NET_RATE=64kbit NET_DELAY_MS=300 NET_LOSS=5 ;;
	*) fail "net_profile: no profile '$1' (3g, 2g)" ;;
	esac
}

# net_ns NAME: the namespace for node NAME (made once, loopback up); prints
# nothing, sets NS to its full name.
net_ns() {
	NS="$NET_PREFIX-$1"
	if ! ip netns list | awk '{print $1}' | grep -qx "$NS"; then
		ip netns add "$NS" || fail "ip netns add $NS failed"
		NET_NS+=("$NS")
		ip -n "$NS" link set lo up
		ip netns exec "$NS" nft add table inet antt
		ip netns exec "$NS" nft add chain inet antt in '{ type filter hook input priority 0; }'
	fi
}

# _net_rules NS IF LOSS PARTITIONED: what arrives over IF in NS is dropped
# with probability LOSS %, or all of it while PARTITIONED is 1.
_net_rules() {
	local ns=$1 ifc=$2 loss=$3 part=$4 h
	# this interface's rules only: the namespace of a hub holds several
	for h in $(ip netns exec "$ns" nft -a list chain inet antt in |
		sed -n "s/.*iifname \"$ifc\" .*# handle \([0-9]*\)$/\1/p"); do
		ip netns exec "$ns" nft delete rule inet antt in handle "$h"
	done
	if [ "$part" = 1 ]; then
		ip netns exec "$ns" nft add rule inet antt in iifname "$ifc" drop
	elif [ "$loss" -gt 0 ]; then
		ip netns exec "$ns" nft add rule inet antt in iifname "$ifc" numgen random mod 100 "<" "$loss" drop
	fi
}

# _net_tbf NS IF RATE: at most RATE out of IF; the queue holds up to 2 s of
# it (a 2G link's buffers are deep), beyond that the link drops.
_net_tbf() {
	ip netns exec "$1" tc qdisc replace dev "$2" root tbf rate "$3" burst 4kb latency 2000ms ||
		fail "tc tbf on $2 in $1 failed"
}

# net_link CHILD PARENT K PROFILE: a veth link between the namespaces of
# nodes CHILD and PARENT (made if need be), number K, shaped by PROFILE on
# both ends, and the delay relay in CHILD's namespace from
# 127.0.0.1:NET_PROXY_PORT to the parent's 10.77.K.2:NET_HUB_PORT.
net_link() {
	local child=$1 parent=$2 k=$3 cns pns cif="up$3" pif="dn$3"
	net_profile "$4"
	net_ns "$child"
	cns=$NS
	net_ns "$parent"
	pns=$NS
	ip link add "$cif" netns "$cns" type veth peer name "$pif" netns "$pns" ||
		fail "ip link add veth $cif/$pif failed"
	ip -n "$cns" addr add "10.77.$k.1/30" dev "$cif"
	ip -n "$pns" addr add "10.77.$k.2/30" dev "$pif"
	ip -n "$cns" link set "$cif" up
	ip -n "$pns" link set "$pif" up
	_net_tbf "$cns" "$cif" "$NET_RATE"
	_net_tbf "$pns" "$pif" "$NET_RATE"
	_net_rules "$cns" "$cif" "$NET_LOSS" 0
	_net_rules "$pns" "$pif" "$NET_LOSS" 0
	NET_LINK[$child]="$k $cns $cif $pns $pif $NET_LOSS"
	local log="$IT_TMP/proxy-$child.log"
	IT_LOGS+=("$log")
	ip netns exec "$cns" "$DELAY_PROXY" "127.0.0.1:$NET_PROXY_PORT" "10.77.$k.2:$NET_HUB_PORT" \
		"$NET_DELAY_MS" 2>>"$log" &
	IT_PIDS+=("$!")
}

# net_partition CHILD on|off: cut CHILD's link to its parent (both ways,
# every packet), or give it back as it was.
net_partition() {
	local k cns cif pns pif loss part=0
	read -r k cns cif pns pif loss <<<"${NET_LINK[$1]}"
	[ "$2" = on ] && part=1
	_net_rules "$cns" "$cif" "$loss" "$part"
	_net_rules "$pns" "$pif" "$loss" "$part"
}

# net_flap_start CHILD UP_S DOWN_S: in the background, CHILD's end of its
# link goes down for DOWN_S seconds every UP_S seconds, until
# net_flap_stop (which leaves it up).
net_flap_start() {
	local k cns cif pns pif loss
	read -r k cns cif pns pif loss <<<"${NET_LINK[$1]}"
	(
		trap 'ip -n "$cns" link set "$cif" up; exit 0' TERM
		while :; do
			sleep "$2" & wait $!
			ip -n "$cns" link set "$cif" down
			sleep "$3" & wait $!
			ip -n "$cns" link set "$cif" up
		done
	) &
	NET_FLAPPERS+=("$!")
}

net_flap_stop() {
	local pid
	for pid in "${NET_FLAPPERS[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	NET_FLAPPERS=()
}

# shellcheck disable=SC2034 # the variables set are for the scenarios
# net_tree N PROFILE: sync_tree's tree of real units (the province of Hưng
# Yên 33, its district Tiên Lữ 332, and N (at most 3) of its communes:
# NET_UNITS), every node in its own namespace and every link shaped by
# PROFILE; the province holds the official list of units.  Each child
# reaches its parent through its delay relay.  Sets the variables sync_tree
# sets.
NET_UNITS=("" 12337 12340 12346)
net_tree() {
	local n=$1 profile=$2 i
	SYNC_LISTEN_HOST=0.0.0.0
	net_link d p 250 "$profile"
	for ((i = 1; i <= n; i++)); do
		net_link "c$i" d "$i" "$profile"
	done
	PORT_P=$NET_HUB_PORT PORT_D=$NET_HUB_PORT
	sync_node_init p 33 "$NET_HUB_PORT" "" ""
	P_CONF=$CONF P_KEY=$PUBKEY
	IT_NS[$CONF]="$NET_PREFIX-p"
	sync_node_init d 332 "$NET_HUB_PORT" "$NET_PROXY_PORT" "$P_KEY" "$P_KEY"
	D_CONF=$CONF D_KEY=$PUBKEY
	IT_NS[$CONF]="$NET_PREFIX-d"
	C_CONF=("") C_KEY=("") C_UNIT=("")
	for ((i = 1; i <= n; i++)); do
		sync_node_init "c$i" "${NET_UNITS[$i]}" "" "$NET_PROXY_PORT" "$D_KEY" "$P_KEY"
		C_CONF+=("$CONF") C_KEY+=("$PUBKEY") C_UNIT+=("${NET_UNITS[$i]}")
		IT_NS[$CONF]="$NET_PREFIX-c$i"
	done
	sync_tree_start
	antt_ok "$P_CONF" units import "$(dirname "${BASH_SOURCE[0]}")/../../data/units-vn-2025-03.csv"
}

# net_load R: at every commune of net_tree, R reports: half from a file at
# once, the other half one by one in the background (officers at work while
# the link carries the backlog: net_load_wait waits for them), as
# bvanttq-event entries of NET_PERIOD whose tin_bao figures are 1, 2, ...
NET_PERIOD=2024-05-20
net_load() {
	local r=$1 i
	NET_BULK=$((r / 2)) NET_SINGLE=$((r - r / 2))
	for ((i = 1; i < ${#C_CONF[@]}; i++)); do
		gen_events "$IT_TMP/bulk$i.jsonl" "$NET_BULK" "$NET_PERIOD" "c$i"
		antt_ok "${C_CONF[$i]}" submit --file "$IT_TMP/bulk$i.jsonl" --json
		assert_eq "$NET_BULK" "$(jq '.records | length' <<<"$OUT")" "commune $i: bulk submit"
	done
	NET_WRITERS=()
	for ((i = 1; i < ${#C_CONF[@]}; i++)); do
		writer_start "${C_CONF[$i]}" "$IT_TMP/acks$i" "$NET_PERIOD" "$NET_SINGLE"
		NET_WRITERS+=("$WRITER")
	done
}

net_load_wait() {
	local i
	for ((i = 1; i < ${#C_CONF[@]}; i++)); do
		wait "${NET_WRITERS[$((i - 1))]}" || fail "commune $i: the writer failed"
		assert_eq "$NET_SINGLE" "$(wc -l <"$IT_TMP/acks$i")" "commune $i: single submits acknowledged"
	done
}

_net_trusted() {
	local t
	t=$(uplink_field "$1" .trust.verified)
	echo "trust verified: $t"
	[ "$t" = true ]
}

# net_settle SECONDS WHAT: within SECONDS (scaled) every commune's records
# are at the district and the province, exactly once and in the commune's
# chain; the counts add up exactly; both hubs verify; every commune's
# receipts say its records reached the province, and its chain of
# enrollments to the root; and the province's report totals are what the
# communes submitted (net_load).
net_settle() {
	local secs=$1 what=$2 i sum=0 n want
	for ((i = 1; i < ${#C_CONF[@]}; i++)); do
		n=$(own_seq "${C_CONF[$i]}")
		sum=$((sum + n))
		wait_held "$secs" "$P_CONF" "${C_KEY[$i]}" "$n" "$what: commune $i at the province"
		assert_same_chain_sql "${C_CONF[$i]}" "$P_CONF" "${C_KEY[$i]}" "$what: commune $i at the province"
		assert_same_chain_sql "${C_CONF[$i]}" "$D_CONF" "${C_KEY[$i]}" "$what: commune $i at the district"
	done
	wait_held "$secs" "$P_CONF" "$D_KEY" "$(own_seq "$D_CONF")" "$what: the district's records at the province"
	assert_count "$P_CONF" "$(($(own_seq "$P_CONF") + $(own_seq "$D_CONF") + sum))" "$what: province"
	assert_count "$D_CONF" "$(($(own_seq "$D_CONF") + sum))" "$what: district"
	assert_no_duplicates_sql "$P_CONF" "$what: province"
	assert_no_duplicates_sql "$D_CONF" "$what: district"
	assert_eq 0 "$(store_sql "$P_CONF" "SELECT count(*) FROM forks")" "$what: forks at the province"
	for ((i = 1; i < ${#C_CONF[@]}; i++)); do
		wait_receipts "$secs" "${C_CONF[$i]}" "$(own_seq "${C_CONF[$i]}")" "$what: commune $i"
		wait_for "$secs" "$what: commune $i holds its chain of enrollments to the root" \
			_net_trusted "${C_CONF[$i]}"
	done
	verify_bg "$P_CONF"
	verify_bg "$D_CONF"
	verify_wait "$P_CONF" "$what: province"
	verify_wait "$D_CONF" "$what: district"
	# what an officer at the province reads: every entry counted once
	antt_ok "$P_CONF" report --period "$NET_PERIOD" --unit 332 --form bvanttq-event --by indicator --json
	want=$(((${#C_CONF[@]} - 1) * (NET_BULK * (NET_BULK + 1) / 2 + NET_SINGLE * (NET_SINGLE + 1) / 2)))
	assert_eq "$want" "$(jq -r '.forms[0].totals.tin_bao' <<<"$OUT")" \
		"$what: the province's total of tin_bao over the district, $NET_PERIOD"
	echo "    $what: $sum commune records at the province, each once, verified"
}

# net_over PROFILE LABEL: the scenario of t_net_2g and t_net_3g: net_tree
# over PROFILE links, R reports at each commune (net_load), and all of it
# at the province within 300 s (net_settle).
net_over() {
	local t0
	log_step "a tree in namespaces, every link $2-like"
	net_tree 3 "$1"
	t0=$SECONDS
	log_step "each commune records $R reports: half at once, half one by one while it syncs"
	net_load "$R"
	net_load_wait
	log_step "all of it reaches the province over the $2 links"
	net_settle 300 "$2"
	echo "    $((SECONDS - t0)) s from the first report to the last receipt"
}
