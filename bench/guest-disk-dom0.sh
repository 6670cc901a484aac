#!/bin/sh
# guest-disk-dom0.sh MIB - bench/guest-disk.sh's work, in dom0: for PV
# and PVH, xk-guest-disk writes and verifies MIB MiB on a fresh loop
# device; its console lines say how fast.
# shellcheck source=/dev/null
. /usr/lib/xk-lab/tests/lib.sh
# shellcheck source=/dev/null
. /usr/lib/xk-lab/tests/events-lib.sh
# shellcheck source=/dev/null
. /usr/lib/xk-lab/tests/guest-lib.sh
ug_setup bench-disk
T=/var/tmp/bench-disk
n=$(( $1 * 2048 ))
loop=
trap 'ev_cleanup; [ -z "$loop" ] || losetup -d "$loop"; rm -rf $T' EXIT
rm -rf $T
mkdir -p $T
cat >$T/block <<'EOS'
#!/bin/sh
[ "$1" = add ] || exit 0
dev=$(xenstore-read "$XENBUS_PATH/params") || exit 1
mm=$(stat -L -c %t:%T "$dev") || exit 1
xenstore-write "$XENBUS_PATH/physical-device" "$mm" \
    "$XENBUS_PATH/physical-device-path" "$dev" \
    "$XENBUS_PATH/hotplug-status" connected
EOS
chmod +x $T/block
echo "# xk-guest-disk, $1 MiB ($n sectors), memory = 4, blkback on a loop device"
for t in pv pvh; do
	truncate -s "$1M" $T/disk.img
	loop=$(losetup -f --show $T/disk.img) || fail "losetup"
	g=ev-bench-disk-$t
	ug_cfg "$g" xk-guest-disk $t "write seed=7 sectors=$n timeout=300" \
	    "disk = [ \"format=raw, vdev=xvda, access=rw, backendtype=phy, script=$T/block, target=$loop\" ]"
	create "$g"
	wait_for 900 reason "$g" 0 || fail "$g did not power off"
	grep "xk-guest: disk: \(wrote\|pattern\)" "$CONSOLE/guest-$g.log" |
	    tr -d '\r' | sed "s/^/$t: /"
	wait_gone "$g" 120
	losetup -d "$loop"
	loop=
	rm -f $T/disk.img
done
