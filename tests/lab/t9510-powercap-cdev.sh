#!/bin/sh
# The xen_powerclamp cooling device (share/powercap) in dom0 drives
# xk powercap as intel_powerclamp's users (thermald, tmon) drive
# intel_powerclamp: cur_state written = the daemon's target (guests
# capped), 0 = off (caps given back), above max_state refused with
# EINVAL and nothing changed; compat=1 registers it under the type
# thermald looks for.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
# shellcheck source=powercap-lib.sh
. /usr/lib/xk-lab/tests/powercap-lib.sh
KO=/usr/lib/xk-lab/bin/xen_powerclamp.ko
D=/tmp/t9510
pid=

cleanup() {
	spin_cleanup pc-cd 1 2
	rmmod xen_powerclamp 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT
rm -rf "$D"
mkdir -p "$D"
[ -f "$KO" ] || fail "$KO: not built (linux-headers-amd64 missing?)"

cdev_of() {	# cdev_of TYPE: the cooling device's sysfs directory
	for c in /sys/class/thermal/cooling_device*; do
		[ "$(cat "$c/type")" = "$1" ] && { echo "$c"; return 0; }
	done
	return 1
}
daemon_target() { [ "$(st target)" = "$1" ]; }

log "load: type, max_state, cur_state"
insmod "$KO" || fail "insmod $KO"
c=$(cdev_of xen_powerclamp) || fail "no cooling device of type xen_powerclamp"
[ "$(cat "$c/max_state")" = 50 ] || fail "max_state $(cat "$c/max_state")"
[ "$(cat "$c/cur_state")" = 0 ] || fail "cur_state $(cat "$c/cur_state")"

log "above max_state: refused (EINVAL), nothing changed"
# coreutils' echo: dash's builtin calls every write error "I/O error"
if out=$(/bin/echo 51 2>&1 >"$c/cur_state"); then
	fail "cur_state 51 accepted"
fi
echo "writing 51: $out"
echo "$out" | grep -q "Invalid argument" || fail "not EINVAL: $out"
[ "$(cat "$c/cur_state")" = 0 ] || fail "cur_state changed to $(cat "$c/cur_state")"

for n in 1 2; do
	spin_cfg "pc-cd$n"
	create "pc-cd$n"
done
xk powercap run --dir "$D" >"$D/daemon.log" 2>&1 &
pid=$!
wait_for 60 daemon_target 0 || fail "the daemon did not start: $(cat "$D/daemon.log")"

log "cur_state 30: the daemon's target, guests capped"
echo 30 >"$c/cur_state" || fail "cur_state 30 refused"
[ "$(cat "$c/cur_state")" = 30 ] || fail "cur_state reads $(cat "$c/cur_state")"
wait_for 60 daemon_target 30 || fail "the daemon's target is $(st target)"
grep -q "^target 30$" "$D/powercap.conf" || fail "settings: $(cat "$D/powercap.conf")"
wait_for 60 capped pc-cd1 || fail "pc-cd1 not capped"

log "xk powercap set wins until the device is written again"
xk powercap set --dir "$D" 20 2>/dev/null || fail "set 20"
wait_for 60 daemon_target 20 || fail "set 20: the daemon's target is $(st target)"

log "cur_state 0: off, caps given back"
echo 0 >"$c/cur_state" || fail "cur_state 0 refused"
wait_for 60 daemon_target 0 || fail "the daemon's target is $(st target)"
wait_for 60 uncapped pc-cd1 || fail "pc-cd1 still capped"
wait_for 60 uncapped pc-cd2 || fail "pc-cd2 still capped"
kill "$pid"
wait "$pid" || fail "the daemon exited $?"
pid=

log "compat=1: the type thermald looks for"
rmmod xen_powerclamp || fail "rmmod"
insmod "$KO" compat=1 max_idle=75 || fail "insmod compat=1"
c=$(cdev_of intel_powerclamp) || fail "no cooling device of type intel_powerclamp"
[ "$(cat "$c/max_state")" = 75 ] || fail "max_state $(cat "$c/max_state")"
rmmod xen_powerclamp || fail "rmmod"
