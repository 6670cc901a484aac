#!/bin/sh
# build-image.sh OUT - build the lab's Xen host image from Debian 12
# packages only: debootstrap minbase of bookworm, then the Xen packages
# and the Debian kernel from bookworm + updates + security.  OUT gets:
#   xen.elf        the hypervisor, unpacked for QEMU's multiboot loader
#   vmlinuz        the Debian kernel (dom0 and every guest)
#   dom0.cpio.zst  the dom0 root filesystem (a RAM root: no disk image)
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

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot)"
for t in debootstrap:debootstrap zstd:zstd cpio:cpio; do
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
# INITRD=No keeps the kernel's initramfs hook from building an initrd
# nobody uses (the dom0 root is this image itself).
inch apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    xen-utils-4.17 xen-utils-common xen-hypervisor-4.17-amd64 \
    qemu-system-xen qemu-utils "$kpkg" \
    iproute2 bridge-utils lvm2 e2fsprogs busybox-static kmod procps \
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
cp "$root/boot/vmlinuz-$kver" "$work/vmlinuz"

log "guest initramfs"
# xen-blkfront for the disk tests (the Debian kernel has it as a module).
sh "$here/build-guest.sh" "$root/bin/busybox" "$here/guest-init" \
    "$work/guest.cpio.gz" \
    "$root/lib/modules/$kver/kernel/drivers/block/xen-blkfront.ko"

# The guest pieces dom0 hands to xl.  (/init comes with the overlay.)
mkdir -p "$root/usr/lib/xk-lab"
cp "$work/guest.cpio.gz" "$root/usr/lib/xk-lab/guest.cpio.gz"
ln -sf "/boot/vmlinuz-$kver" "$root/usr/lib/xk-lab/vmlinuz"
echo "$kver" >"$root/usr/lib/xk-lab/kernel-version"

# The HVM test guest boots from a disk: a FAT "superfloppy" with
# syslinux in its boot sector, the kernel and the guest initramfs.
# Built with mtools, so no loop mount is needed.  Tests change
# syslinux.cfg (the guest's orders) with mcopy in dom0.
log "HVM boot disk"
printf '%s\n' 'DEFAULT xk' 'PROMPT 0' 'TIMEOUT 0' 'LABEL xk' \
    '  KERNEL vmlinuz' '  INITRD guest.gz' \
    '  APPEND console=ttyS0 xk.marker=hvm-disk xk.do=poweroff' \
    >"$root/tmp/syslinux.cfg"
inch env MTOOLS_SKIP_CHECK=1 sh -euc '
	d=/usr/lib/xk-lab/hvm-disk.img
	mkfs.vfat -n XKHVM -C $d 32768 >/dev/null
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
# channel and the entropy source), block, device-mapper, bridge and
# tun; the other trees are most of the image's size and boot time.
md=$root/lib/modules/$kver/kernel
for d in "$md"/drivers/*; do
	case ${d##*/} in
	xen|virtio|block|char|md|net|vhost) ;;
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
	bridge|802|llc|9p|ipv4|ipv6|netfilter|core|packet|unix|sched) ;;
	*) rm -rf "$d" ;;
	esac
done
rm -rf "$md"/sound "$md"/fs/nfs "$md"/fs/nfsd "$md"/fs/ocfs2 "$md"/fs/gfs2 \
    "$md"/fs/xfs "$md"/fs/btrfs "$md"/fs/smb "$md"/fs/ceph "$md"/fs/f2fs \
    "$md"/fs/jfs "$md"/fs/reiserfs "$md"/fs/nilfs2 "$md"/fs/ubifs
# pygrub and the xen python helpers are not used by the lab; udev never
# runs (no hwdb needed).
rm -rf "$root"/usr/lib/python3* "$root"/usr/bin/python3* \
    "$root"/usr/lib/udev/hwdb.bin "$root"/usr/lib/udev/hwdb.d
rm -f "$root"/lib/firmware/* 2>/dev/null || true
chroot "$root" /sbin/depmod -a "$kver"


log "pack dom0.cpio.zst"
(cd "$root" && find . -xdev -print0 | LC_ALL=C sort -z |
    cpio --null -o -H newc --quiet) | zstd -q -T0 -6 >"$work/dom0.cpio.zst"

mv "$work/xen.elf" "$work/vmlinuz" "$work/dom0.cpio.zst" \
    "$work/guest.cpio.gz" "$work/versions" "$out/"
rm -rf "$work"
trap - EXIT INT TERM
log "done: $(du -sh "$out" | cut -f1) in $out"
