#!/bin/sh
# xk-hotplug-default (share/hotplug/xk-hotplug-default) on dom0, a
# Debian host: enable diverts Xen's scripts with dpkg-divert (each kept,
# unchanged, as NAME.xen) and puts xenkit's wrappers in their place;
# a guest whose disk names no script= then gets it attached by
# xenkit's block (its log says so) and writes and verifies its pattern
# through it; enable again changes nothing; disable brings Xen's
# scripts back byte for byte and leaves no diversion.  The lab's dom0
# boots with xenkit's scripts enabled (share/lab/dom0-init): the test
# disables them first (Xen's back as they were kept) and enables them
# again when it ends, as the lab's other tests expect.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
HP=/usr/lib/xenkit/hotplug
X=/etc/xen/scripts
W=/var/tmp/t8550
g=xk-t8550
names="block block-nbd block-iscsi vif-bridge vif-route vif-nat vif-openvswitch"
export XK_HOTPLUG_LOG=$W/hotplug.log
# shellcheck disable=SC2317 # called by the trap below
cleanup() {
	rc=$?
	[ "$rc" -eq 0 ] || { echo "--- the scripts' log"; tail -n 30 "$XK_HOTPLUG_LOG"; }
	exists "$g" && timeout 60 xl destroy "$g" >/dev/null 2>&1
	"$HP/xk-hotplug-default" enable >/dev/null 2>&1
	rm -rf "$W" "/tmp/$g.cfg" "/var/log/xen/xl-$g.log"*
}
trap cleanup EXIT
rm -rf "$W"
mkdir -p "$W" || fail mkdir
[ -x "$HP/xk-hotplug-default" ] || fail "no $HP/xk-hotplug-default"
log "the lab's default: xenkit's, disabled"
"$HP/xk-hotplug-default" status | grep -q "^block: xenkit's" ||
    fail "the lab did not boot with xenkit's scripts: $("$HP/xk-hotplug-default" status)"
for n in $names; do
	if [ -e "$X/$n.xen" ]; then md5sum <"$X/$n.xen"; else echo none; fi
done >"$W/kept0"
"$HP/xk-hotplug-default" disable >/dev/null || fail "disable the lab's default"
for n in $names; do
	if [ -e "$X/$n" ]; then md5sum <"$X/$n"; else echo none; fi
done >"$W/before"
diff "$W/kept0" "$W/before" || fail "Xen's scripts are not back as they were kept"
dpkg-divert --list | grep -q xenkit && fail "diversions left: $(dpkg-divert --list | grep xenkit)"

log "enable"
"$HP/xk-hotplug-default" enable || fail "enable"
for n in $names; do
	[ "$(dpkg-divert --listpackage "$X/$n")" = xenkit ] ||
	    fail "$X/$n is not diverted by xenkit: $(dpkg-divert --list "$X/$n")"
	grep -q "exec $HP/$n " "$X/$n" || fail "$X/$n is not xenkit's wrapper"
	[ -x "$X/$n" ] || fail "$X/$n is not executable"
done
for n in $names; do
	if [ -e "$X/$n.xen" ]; then md5sum <"$X/$n.xen"; else echo none; fi
done >"$W/kept"
diff "$W/before" "$W/kept" || fail "Xen's scripts were not kept as NAME.xen"
"$HP/xk-hotplug-default" status | tee "$W/status"
# shellcheck disable=SC2086 # the names, one word each
set -- $names
[ "$(grep -c "xenkit's" "$W/status")" -eq $# ] || fail "status"
"$HP/xk-hotplug-default" enable >/dev/null || fail "enable again"
[ "$(dpkg-divert --list | grep -c 'by xenkit')" -eq $# ] ||
    fail "diversions after enabling twice: $(dpkg-divert --list | grep xenkit)"

log "a disk without script= goes through xenkit's block"
truncate -s 16M "$W/disk.img" || fail truncate
disk_guest_cfg $g pv write:xvda+verify:xvda+poweroff \
    "disk = [ \"format=raw, vdev=xvda, access=rw, backendtype=phy, target=$W/disk.img\" ]"
timeout 120 xl create "/tmp/$g.cfg" || fail "xl create"
wait_marker $g 120
wait_gone $g 120
said "verify ok" || fail "the guest: $(grep xk-guest "$CONSOLE/guest-$g.log")"
grep -q "block\[[0-9]*\] info backend/vbd/[0-9]*/51712: add: " "$XK_HOTPLUG_LOG" ||
    fail "xenkit's block did not attach it: $(cat "$XK_HOTPLUG_LOG" 2>&1)"

log "disable"
"$HP/xk-hotplug-default" disable || fail "disable"
for n in $names; do
	if [ -e "$X/$n" ]; then md5sum <"$X/$n"; else echo none; fi
	[ -e "$X/$n.xen" ] && fail "$X/$n.xen is left"
done >"$W/after"
diff "$W/before" "$W/after" || fail "Xen's scripts are not back as they were"
dpkg-divert --list | grep -q xenkit && fail "diversions left: $(dpkg-divert --list | grep xenkit)"
exit 0
