# shellcheck shell=sh disable=SC2034 # HP, PING: for the tests that source this
# hotplug-lib.sh - what the vif hotplug scripts' lab tests share (t8530,
# t8540), sourced after lib.sh: ping, the guests they make, and the
# clean-up of their exit trap.
HP=/usr/lib/xenkit/hotplug
# iputils' ping where the image has it, else busybox's
PING=ping
command -v ping >/dev/null 2>&1 || PING="busybox ping"
names=

# net_guest NAME IP VIF: /tmp/NAME.cfg, an xk-guest-net guest (PV, 4 MiB)
# answering ping at IP, with the vif spec VIF; NAME is remembered for
# hp_guests_cleanup
net_guest() {
	names="$names $1"
	disk_guest_cfg "$1" pv sleep
	sed -i -e "s|^kernel = .*|kernel = \"$UKDIR/xk-guest-net\"|" \
	    -e "s|^extra = .*|extra = \"ip=$2\"|" "/tmp/$1.cfg"
	echo "vif = [ \"$3\" ]" >>"/tmp/$1.cfg"
}

# net_ready NAME: the guest says it answers
net_ready() {
	wait_for 120 grep -q "xk-guest: ready ip" "$CONSOLE/guest-$1.log" ||
	    fail "$1 is not ready: $(cat "$CONSOLE/guest-$1.log")"
}

# hp_guests_cleanup RC: the scripts' log when the test failed (RC not
# 0), then every guest net_guest made is destroyed and its files go
hp_guests_cleanup() {
	[ "$1" -eq 0 ] || { echo "--- the scripts' log"; tail -n 30 "$XK_HOTPLUG_LOG"; }
	for _d in $names; do
		exists "$_d" && timeout 60 xl destroy "$_d" >/dev/null 2>&1
		rm -f "/tmp/$_d.cfg" "/var/log/xen/xl-$_d.log"*
	done
}
