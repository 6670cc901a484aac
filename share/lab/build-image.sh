#!/bin/sh
# build-image.sh OUT - build the lab's Xen host image from Debian 12
# packages only: debootstrap minbase of bookworm, then the Xen packages
# and the Debian kernel from bookworm + updates + security.  OUT gets:
#   xen.elf        the hypervisor, unpacked for QEMU's multiboot loader
#   vmlinux        the Debian kernel unpacked to its ELF image (dom0)
#   dom0.sqfs      the dom0 root filesystem, read-only (squashfs, lz4)
#   boot.cpio.gz   dom0's initramfs: busybox, the modules to reach the
#                  root disk, and boot-init, which mounts it
#   guest.cpio.gz  the busybox initramfs of the test guests
#   versions       package=version of everything in the image
# The apt mirrors are the machine's own (apt-get indextargets), never a
# hard-coded one.  Needs root.  Runs in a work dir WORK (default OUT.work)
# removed at the end.
set -eu

out=${1:?usage: build-image.sh OUT}
here=$(cd "$(dirname "$0")" && pwd)
work=${XK_LAB_WORK:-$out.work}
suite=bookworm
root=$work/root

die() { echo "build-image: $*" >&2; exit 1; }
log() { echo "build-image: $(date -u +%T) $*" >&2; }

# unpack_kernel BZIMAGE ELF: the kernel's ELF image out of a bzImage.
# Xen's and libxc's domain builders take either, but a bzImage makes
# them decompress its xz payload first, which takes 6 s under TCG.
# The payload's place is in the boot protocol header: setup_sects at
# 0x1f1, payload_offset and payload_length at 0x248 (boot.rst); the
# payload's last 4 bytes are the unpacked size, not xz data.
unpack_kernel() {
	sects=$(od -An -tu1 -j 497 -N 1 "$1" | tr -d ' ')
	[ "$sects" -ne 0 ] || sects=4
	poff=$(od -An -tu4 -j 584 -N 4 "$1" | tr -d ' ')
	plen=$(od -An -tu4 -j 588 -N 4 "$1" | tr -d ' ')
	tail -c +$(( (sects + 1) * 512 + poff + 1 )) "$1" |
	    head -c $(( plen - 4 )) |
	    xz -dc >"$2" 2>/dev/null ||
	    die "$1: cannot unpack the kernel (not an xz bzImage?)"
	[ "$(od -An -c -j 1 -N 3 "$2" | tr -d ' ')" = ELF ] ||
	    die "$1: the unpacked kernel is not an ELF image"
}

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot)"
for t in debootstrap:debootstrap cpio:cpio xz:xz-utils \
    mksquashfs:squashfs-tools; do
	command -v "${t%%:*}" >/dev/null 2>&1 ||
	    die "${t%%:*} not found: install the Debian package ${t#*:}"
done

# The machine's own mirrors: the Debian archive serving $suite and the
# security archive serving $suite-security.
targets=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' \
    'Created-By: Packages' 2>/dev/null | sort -u)
mirror=$(echo "$targets" | awk -v s="$suite" '$2 == s { print $1; exit }')
secmirror=$(echo "$targets" | awk -v s="$suite-security" '$2 == s { print $1; exit }')
[ -n "$mirror" ] || die "no apt source for $suite in this machine's apt configuration"
[ -n "$secmirror" ] || secmirror=$mirror

cleanup() {
	for m in dev/pts dev proc sys; do
		mountpoint -q "$root/$m" 2>/dev/null && umount -l "$root/$m"
	done
	return 0
}
trap 'cleanup' EXIT INT TERM

rm -rf "$work"
mkdir -p "$work" "$out"

log "debootstrap $suite from $mirror"
debootstrap --variant=minbase --include=ca-certificates "$suite" "$root" \
    "$mirror" >"$work/debootstrap.log" 2>&1 || {
	tail -n 20 "$work/debootstrap.log" >&2
	die "debootstrap failed (is $mirror reachable?)"
}

cat >"$root/etc/apt/sources.list" <<EOS
deb $mirror $suite main
deb $mirror $suite-updates main
deb $secmirror $suite-security main
EOS
# No daemons start while packages are installed.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"

inch() { chroot "$root" env DEBIAN_FRONTEND=noninteractive INITRD=No \
    LC_ALL=C PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

log "apt-get update"
inch apt-get update -q >"$work/apt.log" 2>&1 || {
	tail -n 20 "$work/apt.log" >&2; die "apt-get update failed in the chroot"; }
kpkg=$(inch apt-cache depends linux-image-amd64 |
    awk '/Depends: linux-image-/ { print $2; exit }')
[ -n "$kpkg" ] || die "cannot resolve linux-image-amd64 to a kernel package"
log "install Xen 4.17, $kpkg"
# The libraries after dosfstools are xk's own (ldd build/src/xk): the
# overlay puts this build's xk in dom0, and it must run there.
# open-iscsi and tgt: an iSCSI initiator and a target for block-iscsi
# (t8560) in dom0; glusterfs-server: a GlusterFS server and its FUSE
# client for block-gluster (t8570); dnsmasq-base: the DHCP server of
# vif-nat (t8580); ceph-mon, ceph-osd and ceph-common: a one-node Ceph
# cluster and the rbd command for block-rbd (t8590).
# INITRD=No keeps the kernel's initramfs hook from building an initrd
# nobody uses (the dom0 root is this image itself).
inch apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    xen-utils-4.17 xen-utils-common xen-hypervisor-4.17-amd64 \
    qemu-system-xen qemu-utils nbd-client openvswitch-switch ebtables "$kpkg" \
    open-iscsi tgt glusterfs-server dnsmasq-base ceph-mon ceph-osd ceph-common \
    iproute2 bridge-utils lvm2 e2fsprogs xfsprogs busybox-static kmod procps \
    syslinux syslinux-common mtools dosfstools \
    libjansson4 libnbd0 libxml2 libarchive13 libsqlite3-0 libxxhash0 \
    libzstd1 zlib1g libssl3 \
    >>"$work/apt.log" 2>&1 || {
	tail -n 30 "$work/apt.log" >&2; die "apt-get install failed in the chroot"; }

inch dpkg-query -W -f '${Package}=${Version}\n' | sort >"$work/versions"
kver=${kpkg#linux-image-}

log "extract hypervisor and kernel"
xengz=$(ls "$root"/boot/xen-4.17-amd64.gz 2>/dev/null || ls "$root"/boot/xen-*.gz | head -n 1)
zcat "$xengz" >"$work/xen.elf"
unpack_kernel "$root/boot/vmlinuz-$kver" "$work/vmlinux"

log "guest initramfs"
# xen-blkfront for the disk tests, xen-netfront for the network bench
# (the Debian kernel has them as modules).
sh "$here/build-guest.sh" "$root/bin/busybox" "$here/guest-init" \
    "$work/guest.cpio.gz" \
    "$root/lib/modules/$kver/kernel/drivers/block/xen-blkfront.ko" \
    "$root/lib/modules/$kver/kernel/drivers/net/xen-netfront.ko"

# The guest pieces dom0 hands to xl.  (/init comes with the overlay.)
mkdir -p "$root/usr/lib/xk-lab"
cp "$work/guest.cpio.gz" "$root/usr/lib/xk-lab/guest.cpio.gz"
ln -sf "/boot/vmlinuz-$kver" "$root/usr/lib/xk-lab/vmlinuz"
# PV and PVH guests boot the ELF kernel as it is: libxc decoding the
# bzImage's xz takes seconds under TCG, and even inflating a gzip'd ELF
# took 1.3-1.7 s of xl create's 2.8 s (1.0-1.5 s unpacked, quiet lab).
cp "$work/vmlinux" "$root/usr/lib/xk-lab/vmlinux"
echo "$kver" >"$root/usr/lib/xk-lab/kernel-version"

# The HVM test guest boots from a disk: a FAT "superfloppy" with
# syslinux in its boot sector, the kernel and the guest initramfs.
# Built with mtools, so no loop mount is needed.  Tests change
# syslinux.cfg (the guest's orders) with mcopy in dom0.
log "HVM boot disk"
printf '%s\n' 'DEFAULT xk' 'PROMPT 0' 'TIMEOUT 0' 'LABEL xk' \
    '  KERNEL vmlinuz' '  INITRD guest.gz' \
    '  APPEND console=ttyS0 console=hvc0 xk.marker=hvm-disk xk.do=poweroff' \
    >"$root/tmp/syslinux.cfg"
inch env MTOOLS_SKIP_CHECK=1 sh -euc '
	d=/usr/lib/xk-lab/hvm-disk.img
	mkfs.vfat -n XKHVM -C $d 16384 >/dev/null
	syslinux --install $d
	mcopy -i $d /tmp/syslinux.cfg ::syslinux.cfg
	mcopy -i $d /usr/lib/xk-lab/vmlinuz ::vmlinuz
	mcopy -i $d /usr/lib/xk-lab/guest.cpio.gz ::guest.gz' ||
    die "cannot build the HVM boot disk"
rm -f "$root/tmp/syslinux.cfg"

log "trim"
cleanup
rm -f "$root/usr/sbin/policy-rc.d"
rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* \
    "$root"/usr/share/doc "$root"/usr/share/man "$root"/usr/share/info \
    "$root"/usr/share/locale "$root"/usr/share/i18n "$root"/usr/share/zoneinfo \
    "$root"/var/log/* "$root"/boot/initrd* "$root"/boot/xen* \
    "$root"/usr/share/qemu/edk2* "$root"/usr/share/qemu/*.fd
# Kernel modules: dom0 needs Xen's backends, virtio (the control
# channel and the entropy source), block (nbd too), device-mapper,
# bridge, Open vSwitch and tun, and of SCSI the disk and the iSCSI
# initiator (block-iscsi); the other trees are most of the image's size
# and boot time.
# XFS stays, with xfsprogs: the snapshot tests' reflink copies.
md=$root/lib/modules/$kver/kernel
for d in "$md"/drivers/*; do
	case ${d##*/} in
	xen|virtio|block|char|md|net|vhost|scsi) ;;
	*) rm -rf "$d" ;;
	esac
done
for d in "$md"/drivers/scsi/*; do
	case ${d##*/} in
	scsi_mod.ko|scsi_common.ko|sd_mod.ko|iscsi_tcp.ko|libiscsi.ko|\
	libiscsi_tcp.ko|scsi_transport_iscsi.ko) ;;
	*) rm -rf "$d" ;;
	esac
done
for d in "$md"/drivers/net/*; do
	case ${d##*/} in
	xen-netback|tun.ko|tap.ko|veth.ko|dummy.ko) ;;
	*) rm -rf "$d" ;;
	esac
done
for d in "$md"/net/*; do
	case ${d##*/} in
	bridge|802|llc|9p|ipv4|ipv6|netfilter|core|packet|unix|sched|\
	openvswitch|nsh|ceph|dns_resolver) ;;
	*) rm -rf "$d" ;;
	esac
done
rm -rf "$md"/sound "$md"/fs/nfs "$md"/fs/nfsd "$md"/fs/ocfs2 "$md"/fs/gfs2 \
    "$md"/fs/btrfs "$md"/fs/smb "$md"/fs/ceph "$md"/fs/f2fs \
    "$md"/fs/jfs "$md"/fs/reiserfs "$md"/fs/nilfs2 "$md"/fs/ubifs
# Python stays for the ceph command (t8590 creates its cluster's pool
# with it).  udev never runs (no hwdb needed).  GlusterFS's
# geo-replication daemon (gsyncd) goes: glusterd refuses to start when
# gsyncd is there but fails, and starts without geo-replication when it
# is absent.
rm -rf "$root"/usr/lib/udev/hwdb.bin "$root"/usr/lib/udev/hwdb.d \
    "$root"/usr/lib/x86_64-linux-gnu/glusterfs/gsyncd
rm -f "$root"/lib/firmware/* 2>/dev/null || true
chroot "$root" /sbin/depmod -a "$kver"


# dom0's initramfs: boot-init and what it needs, under /xkboot.  The
# modules in the order modprobe would load them (boot-init has no
# modprobe: busybox insmod).
log "pack boot.cpio.gz"
b=$work/boot
mkdir -p "$b/xkboot" "$b/proc" "$b/dev" "$b/sys"
cp "$root/bin/busybox" "$b/xkboot/busybox"
install -m 755 "$here/boot-init" "$b/xkboot/init"
for m in virtio_pci virtio_blk squashfs overlay; do
	chroot "$root" /sbin/modprobe -S "$kver" --show-depends "$m"
done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' >"$work/mods"
[ -s "$work/mods" ] || die "cannot resolve the root disk's modules"
while read -r m; do
	cp "$root$m" "$b/xkboot/"
	basename "$m" >>"$b/xkboot/modules.order"
done <"$work/mods"
(cd "$b" && find . -print0 | LC_ALL=C sort -z |
    cpio --null -o -H newc --quiet) | gzip -9 >"$work/boot.cpio.gz"

log "pack dom0.sqfs"
mksquashfs "$root" "$work/dom0.sqfs" -comp lz4 -noappend -quiet \
    -no-progress -one-file-system >/dev/null ||
    die "mksquashfs failed"

mv "$work/xen.elf" "$work/vmlinux" "$work/dom0.sqfs" "$work/boot.cpio.gz" \
    "$work/guest.cpio.gz" "$work/versions" "$out/"
rm -rf "$work"
trap - EXIT INT TERM
log "done: $(du -sh "$out" | cut -f1) in $out"
