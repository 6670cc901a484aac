#!/bin/sh
# xk snapshot of a real Xen PV guest whose raw disk files live on XFS
# and blkback serves through loop devices (no device model): a live
# create pauses the domain through libxl around the reflink copies
# (FICLONE) and lets it go on; a create killed at its commit point is
# finished by repair, which unpauses the domain; the stopped domain's
# revert brings the snapshot's data back, and so does the running one's
# (the domain destroyed and booted again), checked by the guest itself;
# delete works with the domain running and removes the copies.
#
# The XFS file system is on a loop device over a file in /var/tmp,
# unmounted and removed on any exit.  The disks' hotplug script is a
# minimal one (Debian's block script overran libxl's 10 s hotplug
# timeout under TCG, see t4600): losetup on add, losetup -d on remove.
#
# The guest (xk-guest-disk: Linux is not what is tested) writes its
# pattern on xvda, holds until the test releases it, then writes the
# pattern on xvdb, and sleeps.  The snapshot is taken while it holds:
# it has the pattern on xvda, not on xvdb.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
g=xk-t4650
T=/var/tmp/$g
M=$T/mnt
export XK_CATALOG=/root/$g.db
floop=""

# shellcheck disable=SC2317 # called by the trap below
cleanup() {
	exists "$g" && timeout 60 xl destroy "$g" >/dev/null 2>&1
	wait_for 60 gone "$g"
	mountpoint -q "$M" 2>/dev/null && umount "$M"
	[ -n "$floop" ] && losetup -d "$floop"
	rm -rf "$T" "$XK_CATALOG"*
}
trap cleanup EXIT
trap 'exit 1' INT TERM

copies() { find $M -name '*.xk-c*' | wc -l; }

rm -rf "$T" "$XK_CATALOG"*
mkdir -p $M
modprobe -q loop 2>/dev/null
modprobe xfs || fail "no XFS module in dom0"
# XFS refuses file systems under 300 MiB
truncate -s 320M $T/xfs.img || fail "truncate"
mkfs.xfs -q -m reflink=1 $T/xfs.img || fail "mkfs.xfs"
floop=$(losetup -f --show $T/xfs.img) || fail "losetup"
mount -t xfs "$floop" $M || fail "mount XFS"
truncate -s 32M $M/a.img $M/b.img || fail "truncate disks"

cat >$T/block <<'EOF'
#!/bin/sh
# libxl runs this with add or remove, XENBUS_PATH set: blkback opens the
# loop device once physical-device (major:minor, in hex) is written.
case $1 in
add)
	f=$(xenstore-read "$XENBUS_PATH/params") || exit 1
	dev=$(losetup -f --show "$f") || exit 1
	mm=$(stat -L -c %t:%T "$dev") || exit 1
	xenstore-write "$XENBUS_PATH/physical-device" "$mm" \
	    "$XENBUS_PATH/physical-device-path" "$dev" \
	    "$XENBUS_PATH/hotplug-status" connected ;;
remove)
	dev=$(xenstore-read "$XENBUS_PATH/physical-device-path") &&
	    losetup -d "$dev" ;;
esac
EOF
chmod +x $T/block

# boot ACTIONS: start the guest on the two files, wait for its marker
boot() {
	disk_guest_cfg $g pv "$1" "disk = [ \
\"format=raw, vdev=xvda, access=rw, script=$T/block, target=$M/a.img\", \
\"format=raw, vdev=xvdb, access=rw, script=$T/block, target=$M/b.img\" ]"
	create_retry $g
	wait_marker $g 400
}

log "boot: write xvda, hold, write xvdb"
boot "write:xvda+hold+write:xvdb+sleep"
wait_for 300 said "write " || fail "guest: $(grep xk-guest "$CONSOLE/guest-$g.log")"
said "write ok" || fail "guest could not write: $(grep xk-guest \
    "$CONSOLE/guest-$g.log")"
id=$(timeout 20 xl domid $g)
[ -S "/var/run/xen/qmp-libxl-$id" ] && fail "the domain has a device model"

log "create s1 (live, every disk)"
XK_SNAPSHOT_TIMING=1 xk snapshot create $g s1 || fail "live create s1"
said "released" && fail "the guest went on before its release"
[ "$(timeout 20 xl domid $g)" = "$id" ] || fail "the domain changed"
running || fail "the domain should run after the snapshot: $(xl list)"
xk snapshot info --json $g s1
[ "$(xk snapshot info --json $g s1 | grep -c '"backend": "reflink"')" -eq 2 ] ||
    fail "s1 should hold both disks, with the reflink backend"
[ "$(copies)" -eq 2 ] || fail "s1 should be two copies: $(ls -l $M)"
# the copies share the disks' blocks: XFS reports shared extents
xfs_io -r -c 'fiemap -v' "$(find $M -name 'a.img.xk-c*')" | tee $T/fiemap
grep -q ' 0x2[0-9a-f][0-9a-f][0-9a-f]' $T/fiemap ||
    fail "the copy of xvda should share its extents (FIEMAP_EXTENT_SHARED)"

# killed while the domain is paused, after the copies (the commit
# point): repair finishes the create and unpauses the domain
create_killed_at_commit s2
[ "$(copies)" -eq 4 ] || fail "s2 should be two copies: $(ls -l $M)"

log "delete s2 (the domain runs)"
xk snapshot delete $g s2 || fail "delete s2 (domain running)"
[ "$(copies)" -eq 2 ] || fail "s2's copies should be gone: $(ls -l $M)"
running || fail "the domain should still run: $(xl list $g)"

# the guest writes xvdb after the snapshot
release "$g"
wrote_twice 300
destroy "$g"
# and xvda gets other data while the domain is down
dd if=/dev/urandom of=$M/a.img bs=64k count=16 conv=notrunc,fsync \
    2>/dev/null || fail "dd over xvda"

revert_verified s1 "ok FAILED"

# the running domain's revert: xvda overwritten under the sleeping
# guest, then the domain destroyed, its files reverted, and booted again
# from the configuration it ran with (its orders: verify both disks)
log "revert s1 with the domain running"
id=$(timeout 20 xl domid $g)
dd if=/dev/urandom of=$M/a.img bs=64k count=16 conv=notrunc,fsync \
    2>/dev/null || fail "dd over xvda"
xk snapshot revert $g s1 || fail "revert s1 (domain running)"
[ "$(timeout 20 xl domid $g)" != "$id" ] ||
    fail "the domain should have been booted again"
wait_for 300 at_least 4 "verify " ||
    fail "no verify results: $(grep xk-guest "$CONSOLE/guest-$g.log")"
[ "$(verdicts)" = "ok FAILED ok FAILED" ] ||
    fail "after the running revert, verify says $(verdicts)"

log "delete s1 (the domain runs)"
xk snapshot delete $g s1 || fail "delete s1 (domain running)"
[ "$(copies)" -eq 0 ] || fail "s1's copies should be gone: $(ls -l $M)"
running || fail "the domain should still run: $(xl list $g)"
destroy "$g"
exit 0
