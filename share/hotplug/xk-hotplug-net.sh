# shellcheck shell=sh disable=SC2154 # hp_* are xk-hotplug-lib.sh's
# xk-hotplug-net.sh - what xenkit's vif scripts share, after
# xk-hotplug-lib.sh (xk-hotplug(7)): the interface, its backend nodes,
# and the environment of the vif hooks (Ganeti's NIC hook variables).
#
#   XK_HOTPLUG_GANETI_NIC_DIR  Ganeti's per-NIC files (default
#                              /var/run/ganeti/xen-hypervisor/nic)

# net_init: $dev (the interface: vif<domid>.<devid>, or the emulated
# NIC's tap), the backend's nodes (bridge, vifname, mac, ip, mtu) and
# $type_if; an argument or variable bridge= wins over the node.
net_init() {
	type_if=${type_if:-vif}
	_arg_bridge=${bridge:-}
	hp_read bridge vifname mac ip mtu
	[ -z "$_arg_bridge" ] || bridge=$_arg_bridge
	case $type_if in
	vif)
		case $hp_cmd in online | offline) ;; *)
			hp_usage "$hp_cmd: a vif is brought online or offline" ;;
		esac
		dev=${vif:-vif$hp_domid.$hp_devid}
		want=${vifname:-}
		;;
	tap)
		case $hp_cmd in add | remove) ;; *)
			hp_usage "$hp_cmd: a tap is added or removed" ;;
		esac
		dev=${INTERFACE:-}
		[ -n "$dev" ] || hp_usage "type_if=tap without INTERFACE"
		want=${vifname:+$vifname-emu}
		;;
	*) hp_usage "type_if=$type_if: not vif or tap" ;;
	esac
}

# net_rename: the interface takes the name of the backend's vifname
# node, once (Xen's: fails if another interface has that name)
net_rename() {
	[ -n "${want:-}" ] && [ "$want" != "$dev" ] || return 0
	[ ! -e "/sys/class/net/$want" ] ||
	    hp_fatal "vifname $want: an interface of that name exists"
	_e=$(ip link set dev "$dev" name "$want" 2>&1) ||
	    hp_fatal "cannot rename $dev to $want: $_e"
	dev=$want
}

# net_up ARG...: one `ip -batch` (one fork) setting the port up:
# down, Xen's fe:ff:ff:ff:ff:ff address, no IPv4 address, the lines
# given, up
net_up() {
	_e=$({
		echo "link set dev $dev down"
		echo "link set dev $dev address fe:ff:ff:ff:ff:ff"
		echo "addr flush dev $dev"
		for _l in "$@"; do
			echo "$_l"
		done
		echo "link set dev $dev up"
	} | ip -batch - 2>&1) || hp_fatal "cannot set $dev up: $_e"
}

# net_mtu: the backend's mtu node, else the bridge's ($1) MTU, in $mtu;
# the frontend learns it from its mtu node, as with Xen's set_mtu
net_mtu() {
	if [ -z "${mtu:-}" ] && [ -n "${1:-}" ]; then
		read -r mtu <"/sys/class/net/$1/mtu" || mtu=
	fi
	[ -n "${mtu:-}" ] || return 0
	case $mtu in *[!0-9]*) hp_fatal "mtu $mtu: not a number" ;; esac
	[ "$type_if" = vif ] || return 0
	"$hp_helper" write "/local/domain/$hp_domid/device/vif/$hp_devid" \
	    "mtu=$mtu" 2>/dev/null || hp_log info "no frontend for the mtu"
}

# net_hook_env MODE LINK: export the hooks' environment, Ganeti's NIC
# hook variables: from xenstore, then from Ganeti's file of this NIC
# when there is one (its values win)
net_hook_env() {
	hp_read_at "/local/domain/$hp_domid" INSTANCE=name
	INSTANCE=${INSTANCE:-}
	# libxl's names for a domain being migrated
	INSTANCE=${INSTANCE%--incoming}
	INSTANCE=${INSTANCE%--migratedaway}
	MAC=${mac:-} IP=${ip:-} MODE=$1 LINK=$2 VLAN=''
	case $LINK in *.*) VLAN=${LINK#*.} ;; esac
	BRIDGE=
	[ "$MODE" != bridged ] || BRIDGE=$LINK
	INTERFACE=$dev INTERFACE_INDEX=$hp_devid INTERFACE_NAME=''
	INTERFACE_UUID='' TAGS=''
	_f=${XK_HOTPLUG_GANETI_NIC_DIR:-/var/run/ganeti/xen-hypervisor/nic}/$INSTANCE/$hp_devid
	[ -z "$INSTANCE" ] || [ ! -f "$_f" ] || net_nic_file "$_f"
	[ "$MODE" != bridged ] || BRIDGE=${BRIDGE:-$LINK}
	DOMID=$hp_domid ACTION=$hp_cmd
	export INSTANCE MAC IP MODE LINK BRIDGE VLAN INTERFACE \
	    INTERFACE_INDEX INTERFACE_NAME INTERFACE_UUID TAGS XENBUS_PATH \
	    DOMID ACTION
}

# net_nic_file FILE: Ganeti's KEY=VALUE lines (VALUE maybe in double
# quotes), read, not run: only Ganeti's keys are taken
net_nic_file() {
	while IFS= read -r _l || [ -n "$_l" ]; do
		_k=${_l%%=*}
		_v=${_l#*=}
		case $_v in \"*\") _v=${_v#\"}; _v=${_v%\"} ;; esac
		case $_k in
		MAC | IP | MODE | LINK | VLAN | TAGS | INTERFACE_INDEX | \
		INTERFACE_NAME | INTERFACE_UUID | BRIDGE) ;;
		NETWORK_*)
			case $_k in *[!A-Z0-9_]*) continue ;; esac
			export "$_k=$_v"
			continue ;;
		*) continue ;;
		esac
		eval "$_k=\$_v"
	done <"$1"
	hp_log info "hook environment from $1"
}
