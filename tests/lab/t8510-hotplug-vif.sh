#!/bin/sh
# xenkit's vif-bridge (share/hotplug/vif-bridge) under xl with script=:
# the interface joins the bridge before the online hooks run; the hooks
# get Ganeti's NIC environment from xenstore, and from a Ganeti NIC
# file when there is one; a domain named NAME--incoming (libxl's name
# for a migration's receiving end) is INSTANCE=NAME; the offline hooks
# run with the same environment; a failing hook fails xl
# create with its message, and nothing is left.  vif-route: the
# guest's address routed to its interface, which borrows the gateway
# device's address and answers ARP for it.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
HP=/usr/lib/xenkit/hotplug
TINYPV=/usr/lib/xk-lab/guests/xk-guest-tiny
W=/var/tmp/t8510
br=xkbr8510
mac=00:16:3e:00:85:10
export XK_HOTPLUG_LOG=$W/log XK_HOTPLUG_HOOKS=$W/hooks
export XK_HOTPLUG_GANETI_NIC_DIR=$W/nic
# the lab under load takes seconds per process: the hooks get 25 s
export XK_HOTPLUG_HOOK_TIMEOUT=25
cleanup() {
	rc=$?
	[ "$rc" -eq 0 ] || { echo "--- the scripts' log"; tail -n 30 "$W/log"; }
	for d in hpv hpv--incoming hpr; do
		xl destroy "$d" >/dev/null 2>&1
		rm -f "/var/log/xen/xl-$d.log"*
	done
	ip link del "$br" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
mkdir -p "$W/hooks/vif/online.d" "$W/hooks/vif/offline.d" || fail mkdir
ip link add "$br" type bridge && ip link set "$br" up || fail "bridge $br"

# cfg NAME: a paused xk-guest-tiny guest with one vif on $br
cfg() {
	cat >"$W/$1.cfg" <<EOC
name = "$1"
type = "pv"
kernel = "$TINYPV"
extra = "poweroff"
memory = 16
on_poweroff = "destroy"
vif = [ "mac=$mac, ip=10.85.10.2, bridge=$br, script=$HP/vif-bridge" ]
EOC
}
cfg_route() {
	cat >"$W/hpr.cfg" <<EOC
name = "hpr"
type = "pv"
kernel = "$TINYPV"
extra = "poweroff"
memory = 16
on_poweroff = "destroy"
vif = [ "mac=$mac, ip=10.85.20.2, gatewaydev=$br, script=$HP/vif-route" ]
EOC
}
# the hook: its environment, and the interface's master when it runs
cat >"$W/hooks/vif/online.d/10-env" <<'EOH'
#!/bin/sh
m=$(readlink "/sys/class/net/$INTERFACE/master")
{
	env | grep -E '^(INSTANCE|MAC|IP|MODE|LINK|BRIDGE|VLAN|INTERFACE|INTERFACE_INDEX|INTERFACE_NAME|INTERFACE_UUID|TAGS|NETWORK_[A-Z0-9_]*|DOMID|ACTION)=' | sort
	echo "master=${m##*/} arg=$1"
} >"${XK_HOTPLUG_LOG%/*}/env.$ACTION"
EOH
cp "$W/hooks/vif/online.d/10-env" "$W/hooks/vif/offline.d/10-env"
# offline: on xl destroy, netback has removed the interface before
# libxl runs the script; the hook gets its name all the same
sed -i 's|^m=.*|m=|' "$W/hooks/vif/offline.d/10-env"
chmod +x "$W/hooks/vif/online.d/10-env" "$W/hooks/vif/offline.d/10-env"

# want FILE LINE...: FILE holds exactly these lines
want() {
	_f=$1
	shift
	printf '%s\n' "$@" >"$W/want"
	diff -u "$W/want" "$_f" || fail "$_f is not as it should be"
}

log "online: the vif on $br, the hooks' environment from xenstore"
cfg hpv
timeout 120 xl create -p "$W/hpv.cfg" || fail "xl create hpv"
id=$(xl domid hpv) || fail "no hpv"
vif=vif$id.0
[ "$(xenstore-read "/local/domain/0/backend/vif/$id/0/hotplug-status")" = \
    connected ] || fail "hotplug-status"
m=$(readlink "/sys/class/net/$vif/master")
[ "${m##*/}" = "$br" ] || fail "$vif is not on $br (master ${m:-none})"
want "$W/env.online" "ACTION=online" "BRIDGE=$br" "DOMID=$id" \
    "INSTANCE=hpv" "INTERFACE=$vif" "INTERFACE_INDEX=0" "INTERFACE_NAME=" \
    "INTERFACE_UUID=" "IP=10.85.10.2" "LINK=$br" "MAC=$mac" \
    "MODE=bridged" "TAGS=" "VLAN=" "master=$br arg=online"
echo "ok: $vif on $br; the hook saw it there"
log "offline: the hooks run, with the same environment"
xl destroy hpv || fail "xl destroy hpv"
want "$W/env.offline" "ACTION=offline" "BRIDGE=$br" "DOMID=$id" \
    "INSTANCE=hpv" "INTERFACE=$vif" "INTERFACE_INDEX=0" "INTERFACE_NAME=" \
    "INTERFACE_UUID=" "IP=10.85.10.2" "LINK=$br" "MAC=$mac" \
    "MODE=bridged" "TAGS=" "VLAN=" "master= arg=offline"
[ ! -e "/sys/class/net/$vif" ] || fail "$vif is left"

log "a Ganeti NIC file, under the name of a migration's receiving end"
mkdir -p "$W/nic/hpv"
cat >"$W/nic/hpv/0" <<'EON'
TAGS="web prod"
NETWORK_NAME="net85"
NETWORK_UUID="6f1c0000-0000-4000-8000-000000008510"
NETWORK_TAGS=""
NETWORK_SUBNET="10.85.10.0/24"
NETWORK_GATEWAY="10.85.10.1"
MAC=00:16:3e:00:85:10
IP=10.85.10.3
INTERFACE_INDEX=0
INTERFACE_NAME=web0
INTERFACE_UUID=0c9e0000-0000-4000-8000-000000008510
MODE=bridged
LINK=xkbr8510
VLAN=
EON
cfg hpv--incoming
timeout 120 xl create -p "$W/hpv--incoming.cfg" || fail "xl create hpv--incoming"
id=$(xl domid hpv--incoming) || fail "no hpv--incoming"
want "$W/env.online" "ACTION=online" "BRIDGE=$br" "DOMID=$id" \
    "INSTANCE=hpv" "INTERFACE=vif$id.0" "INTERFACE_INDEX=0" \
    "INTERFACE_NAME=web0" "INTERFACE_UUID=0c9e0000-0000-4000-8000-000000008510" \
    "IP=10.85.10.3" "LINK=$br" "MAC=$mac" "MODE=bridged" \
    "NETWORK_GATEWAY=10.85.10.1" "NETWORK_NAME=net85" \
    "NETWORK_SUBNET=10.85.10.0/24" "NETWORK_TAGS=" \
    "NETWORK_UUID=6f1c0000-0000-4000-8000-000000008510" \
    "TAGS=web prod" "VLAN=" "master=$br arg=online"
xl destroy hpv--incoming || fail "xl destroy hpv--incoming"
echo "ok: the NIC file's values, INSTANCE without --incoming"

log "a failing hook fails xl create with its message"
printf '#!/bin/sh\necho "MAC $MAC is not allowed on $LINK" >&2\nexit 3\n' \
    >"$W/hooks/vif/online.d/20-deny"
chmod +x "$W/hooks/vif/online.d/20-deny"
if timeout 120 xl create -p "$W/hpv.cfg" >"$W/out" 2>&1; then
	fail "hpv was created though a hook failed"
fi
cat "$W/out"
grep -q "20-deny: exit 3: MAC $mac is not allowed on $br" "$W/out" ||
    fail "xl create did not say why"
xl domid hpv >/dev/null 2>&1 && fail "hpv is left"
ip -o link show master "$br" | grep -q . && fail "a port is left on $br"
echo "ok: refused, nothing left"
rm "$W/hooks/vif/online.d/20-deny"

log "vif-route: 10.85.20.2 routed to the guest's interface"
ip addr add 10.85.10.1/24 dev "$br" || fail "address on $br"
cfg_route
timeout 120 xl create -p "$W/hpr.cfg" || fail "xl create hpr"
id=$(xl domid hpr) || fail "no hpr"
vif=vif$id.0
ip route get 10.85.20.2 | grep -q "dev $vif src 10.85.10.1" ||
    { ip route get 10.85.20.2; fail "10.85.20.2 is not routed to $vif"; }
[ "$(cat "/proc/sys/net/ipv4/conf/$vif/proxy_arp")" = 1 ] ||
    fail "no proxy ARP on $vif"
ip -4 -o addr show dev "$vif" | grep -q 'inet 10.85.10.1/32' ||
    fail "$vif has not 10.85.10.1/32"
grep -qx "MODE=routed" "$W/env.online" && grep -qx "LINK=$br" "$W/env.online" ||
    { cat "$W/env.online"; fail "vif-route's hook environment"; }
xl destroy hpr || fail "xl destroy hpr"
ip route get 10.85.20.2 2>/dev/null | grep -q "dev $vif" &&
    fail "the route to $vif is left"
echo "ok: routed, proxy ARP, hooks with MODE=routed; gone after destroy"
