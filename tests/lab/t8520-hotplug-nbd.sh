#!/bin/sh
# xenkit's block-nbd (share/hotplug/block-nbd) against nbd-server in
# dom0: a guest's disk nbd://127.0.0.1:PORT/EXPORT is the export (dom0
# reads the export's pattern through the device the script made);
# create/destroy rounds leave no nbd device connected; a server that is
# not there and a malformed target fail xl create with a clear message.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
HP=/usr/lib/xenkit/hotplug
TINYPV=/usr/lib/xk-lab/bin/xk-tinypv
W=/var/tmp/t8520
port=10809
export XK_HOTPLUG_LOG=$W/log
srv=
cleanup() {
	rc=$?
	[ "$rc" -eq 0 ] || { echo "--- the scripts' log"; tail -n 30 "$W/log"; }
	xl destroy hpn >/dev/null 2>&1
	rm -f /var/log/xen/xl-hpn.log*
	[ -z "$srv" ] || { kill "$srv"; wait "$srv"; } 2>/dev/null
	ip link del xknbd8520 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
mkdir -p "$W" || fail mkdir
# cfg TARGET: a paused tinypv guest with TARGET as xvda through block-nbd
cfg() {
	cat >"$W/hpn.cfg" <<EOC
name = "hpn"
type = "pv"
kernel = "$TINYPV"
extra = "poweroff"
memory = 16
on_poweroff = "destroy"
disk = [ "format=raw, vdev=xvda, access=rw, script=$HP/block-nbd, target=$1" ]
EOC
}
connected() { for p in /sys/block/nbd*/pid; do [ -e "$p" ] && echo "$p"; done; }

# nbd-client resolves with AI_ADDRCONFIG: without a non-loopback IPv4
# address on the host (the lab's dom0 has none) even 127.0.0.1 fails
ip link add xknbd8520 type dummy && ip addr add 10.85.20.1/24 dev xknbd8520 &&
    ip link set xknbd8520 up || fail "a dummy interface"
truncate -s 16M "$W/disk.img" || fail truncate
printf 'xenkit t8520 pattern\n' | dd of="$W/disk.img" bs=512 seek=100 \
    conv=notrunc 2>/dev/null || fail "write the pattern"
cat >"$W/nbd.conf" <<EOC
[generic]
[t8520]
	exportname = $W/disk.img
EOC
nbd-server -C "$W/nbd.conf" -d >"$W/server.log" 2>&1 &
srv=$!
ready() { ss -ltn 2>/dev/null | grep -q ":$port "; }
wait_for 60 ready || { cat "$W/server.log"; fail "nbd-server does not listen"; }

# nbd-server 3.24 did not start in the lab with port or listenaddr in
# [generic]: it serves the default port, on every address
log "a guest on nbd://127.0.0.1/t8520 (the default port, $port)"
cfg "nbd://127.0.0.1/t8520"
timeout 120 xl create -p "$W/hpn.cfg" || fail "xl create hpn"
id=$(xl domid hpn) || fail "no hpn"
node=$(xenstore-read "/local/domain/0/backend/vbd/$id/51712/node") ||
    fail "no node"
[ "$(xenstore-read "/local/domain/0/backend/vbd/$id/51712/physical-device")" = \
    "$(stat -L -c %t:%T "$node")" ] || fail "physical-device is not $node"
got=$(dd if="$node" bs=512 skip=100 count=1 2>/dev/null | head -n 1)
[ "$got" = "xenkit t8520 pattern" ] || fail "$node reads '$got'"
echo "ok: $node is the export"
xl destroy hpn || fail "xl destroy"
[ -z "$(connected)" ] || fail "connected after destroy: $(connected)"

rounds=${XK_T8520_ROUNDS:-20}
log "$rounds create/destroy rounds"
i=0
while [ $i -lt "$rounds" ]; do
	i=$((i + 1))
	timeout 120 xl create -q -p "$W/hpn.cfg" || fail "round $i: create"
	xl destroy hpn || fail "round $i: destroy"
done
[ -z "$(connected)" ] || fail "connected after the rounds: $(connected)"

log "no server on the port"
cfg "nbd://127.0.0.1:$((port + 41))/t8520"
timeout 120 xl create -p "$W/hpn.cfg" >"$W/out" 2>&1 && fail "created"
cat "$W/out"
grep -q "nbd://127.0.0.1:$((port + 41))/t8520: nbd-client: " "$W/out" ||
    fail "xl create did not say why"
xl domid hpn >/dev/null 2>&1 && fail "hpn is left"
[ -z "$(connected)" ] || fail "connected after the failure: $(connected)"
log "a malformed target"
cfg "nbd:127.0.0.1"
timeout 120 xl create -p "$W/hpn.cfg" >"$W/out" 2>&1 && fail "created"
grep -q "nbd:127.0.0.1: not nbd://HOST\[:PORT\]/EXPORT" "$W/out" ||
    { cat "$W/out"; fail "xl create did not say why"; }
[ -z "$(ls -A /run/xenkit-hotplug 2>/dev/null)" ] ||
    fail "lock files left: $(ls /run/xenkit-hotplug)"
echo "ok: nothing left"
