#!/bin/sh
# guest-disk-dom0.sh MIB - bench/guest-disk.sh's work, in dom0: for PV
# and PVH, xk-guest-disk writes and verifies MIB MiB on a fresh loop
# device, then the Linux test guest writes and reads MIB MiB there with
# dd (O_DIRECT); their console lines say how fast.
# shellcheck source=/dev/null
. /usr/lib/xk-lab/tests/lib.sh
# shellcheck source=/dev/null
. /usr/lib/xk-lab/tests/events-lib.sh
# shellcheck source=/dev/null
. /usr/lib/xk-lab/tests/guest-lib.sh
ug_setup bench-disk
T=/var/tmp/bench-disk
mib=$1
n=$(( mib * 2048 ))
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
# one_run TYPE GUEST: GUEST (disk: xk-guest-disk, linux: the Linux
# test guest) booted as TYPE on a fresh loop device, its lines printed
one_run() {
	truncate -s "$mib"M $T/disk.img
	loop=$(losetup -f --show $T/disk.img) || fail "losetup"
	g=ev-bench-$2-$1
	d="disk = [ \"format=raw, vdev=xvda, access=rw, backendtype=phy, script=$T/block, target=$loop\" ]"
	if [ "$2" = disk ]; then
		ug_cfg "$g" xk-guest-disk "$1" \
		    "write seed=7 sectors=$n timeout=300" "$d"
	else
		guest_cfg "$1" "$g" "dd:xvda:$mib+poweroff" "$d"
	fi
	create "$g"
	wait_for 900 reason "$g" 0 || fail "$g did not power off"
	grep "xk-guest: \(disk: wrote\|disk: pattern\|dd \)" \
	    "$CONSOLE/guest-$g.log" | tr -d '\r' | sed "s/^/$2 $1: /"
	wait_gone "$g" 120
	losetup -d "$loop"
	loop=
	rm -f $T/disk.img
}

echo "# $mib MiB ($n sectors), blkback on a loop device over a raw file"
echo "# xk-guest-disk: memory = 4; Linux test guest: the lab's pv.cfg and"
echo "# pvh.cfg (128 MiB), dd bs=1M with O_DIRECT, timed from /proc/uptime"
for t in pv pvh; do
	one_run $t disk
	one_run $t linux
done
