#!/bin/sh
# t3001-convert - `xk convert` against the real qemu-img (qemu-utils):
# content checked with `qemu-img compare`, sizes with `qemu-img info`,
# VHDs made by qemu-img read back by xenkit, corrupt inputs refused,
# inputs unchanged, no partial output after a failure.
#
# usage: t3001-convert.sh XK BUILD-DIR
NAME=t3001-convert
. "$(dirname "$0")/lib.sh"
chmod 755 "$T"	# setpriv's nobody must reach $T/ro
need qemu-img

# vsize FILE: virtual size as qemu-img sees it
vsize() {
	qemu-img info --output=json "$1" |
	    sed -n 's/^ *"virtual-size": \([0-9]*\),*$/\1/p' | head -n 1
}
# no_leftovers NAME DIR: nothing but the listed inputs in DIR
no_temp() {
	if ls -A "$2" | grep -q '\.xk-'; then
		ls -lA "$2" | sed 's/^/#   /'
		notok "$1"
	else ok "$1"; fi
}

# A disk with random data, holes, a partial last block, data at both
# ends; its size is a multiple of 512 but not of 2 MiB.
D="$T/disk.raw"
truncate -s $((37 * 1024 * 1024 + 3 * 512)) "$D"
rnd "$D" 0 64
rnd "$D" 2047 3		# across the first 2 MiB block boundary
rnd "$D" 9000 3000
rnd "$D" 30001 1
rnd "$D" $((37 * 1024)) 1
sum_before=$(sha256sum "$D")

check "raw -> vhd" "$XK" convert "$D" "$T/d.vhd"
check "qemu-img compare raw vhd" qemu-img compare -q "$D" "$T/d.vhd"
[ "$(vsize "$T/d.vhd")" = $((37 * 1024 * 1024 + 1536)) ] &&
    ok "qemu-img reads the exact virtual size of xenkit's VHD" ||
    notok "qemu-img reads the exact virtual size of xenkit's VHD ($(vsize "$T/d.vhd"))"
check "raw -> qcow2" "$XK" convert "$D" "$T/d.qcow2"
check "qemu-img compare raw qcow2" qemu-img compare -q "$D" "$T/d.qcow2"
check "qemu-img check qcow2" qemu-img check -q "$T/d.qcow2"
sums_vq=$(sha256sum "$T/d.vhd" "$T/d.qcow2")
check "vhd -> raw" "$XK" convert "$T/d.vhd" "$T/back.raw"
check "vhd -> raw is byte-identical" cmp "$D" "$T/back.raw"
check "qcow2 -> vhd" "$XK" convert "$T/d.qcow2" "$T/q.vhd"
check "qemu-img compare raw (qcow2 -> vhd)" qemu-img compare -q "$D" "$T/q.vhd"
check "vhd -> qcow2" "$XK" convert --to qcow2 "$T/d.vhd" "$T/v.out"
check "qemu-img compare raw (vhd -> qcow2)" qemu-img compare -q -f raw -F qcow2 "$D" "$T/v.out"
check "qcow2 -> raw is byte-identical" sh -c "'$XK' convert '$T/d.qcow2' '$T/q.raw' && cmp '$D' '$T/q.raw'"
# sparse output: holes stay holes
a=$(du -k "$D" | cut -f1)
b=$(du -k "$T/back.raw" | cut -f1)
[ "$b" -le $((a + 64)) ] && ok "raw output is sparse (${b} KiB for ${a} KiB)" ||
    notok "raw output is sparse (${b} KiB for ${a} KiB)"

# Size not a multiple of 512: VHD and qcow2 round up to a sector.
O="$T/odd.raw"
truncate -s 5000001 "$O"
rnd "$O" 4000 880
printf 'end' | dd of="$O" bs=1 seek=4999998 conv=notrunc status=none
check "odd size -> vhd" "$XK" convert "$O" "$T/odd.vhd"
check "qemu-img compare odd-size raw vhd" qemu-img compare -q "$O" "$T/odd.vhd"
[ "$(vsize "$T/odd.vhd")" = 5000192 ] && ok "odd size rounded up to a sector" ||
    notok "odd size rounded up to a sector ($(vsize "$T/odd.vhd"))"

# 10 GiB sparse: qemu's CHS rounding would differ by 40 KiB (reads) or
# grow it by 475136 B (writes without force_size); xenkit keeps 10 GiB.
S="$T/ten.raw"
truncate -s 10G "$S"
rnd "$S" 0 1024
rnd "$S" $((5 * 1024 * 1024 + 13)) 100
rnd "$S" $((10 * 1024 * 1024 - 4)) 4
check "10 GiB sparse raw -> vhd" "$XK" convert --json "$S" "$T/ten.vhd"
grep -q '"ok": true' "$T/out" &&
    grep -q '"virtual_size": 10737418240' "$T/out" &&
    grep -q '"data_bytes": ' "$T/out" && ok "--json summary" ||
    notok "--json summary"
[ "$(vsize "$T/ten.vhd")" = 10737418240 ] &&
    ok "qemu-img info: 10 GiB VHD is exactly 10737418240 bytes" ||
    notok "qemu-img info: 10 GiB VHD is exactly 10737418240 bytes ($(vsize "$T/ten.vhd"))"
check "qemu-img compare 10 GiB raw vhd" qemu-img compare -q "$S" "$T/ten.vhd"
sz=$(stat -c %s "$T/ten.vhd")
[ "$sz" -lt $((16 * 1024 * 1024)) ] && ok "10 GiB sparse VHD is small ($sz bytes)" ||
    notok "10 GiB sparse VHD is small ($sz bytes)"
check "10 GiB sparse raw -> qcow2" "$XK" convert "$S" "$T/ten.qcow2"
[ "$(vsize "$T/ten.qcow2")" = 10737418240 ] && ok "qcow2 is exactly 10 GiB" ||
    notok "qcow2 is exactly 10 GiB"
check "qemu-img compare 10 GiB raw qcow2" qemu-img compare -q "$S" "$T/ten.qcow2"

# streamOptimized VMDK (for OVA), read back by qemu-img.
check "raw -> vmdk" "$XK" convert "$D" "$T/d.vmdk"
check "qemu-img compare raw vmdk" qemu-img compare -q "$D" "$T/d.vmdk"
check "qemu-img check vmdk" qemu-img check -q "$T/d.vmdk"
qemu-img info "$T/d.vmdk" | grep -q 'create type: streamOptimized' &&
    ok "vmdk is streamOptimized" || notok "vmdk is streamOptimized"
# descriptor at sector 1: no line may be indented (VirtualBox)
dd if="$T/d.vmdk" bs=512 skip=1 count=2 status=none | tr -d '\000' >"$T/desc"
grep -q '^createType="streamOptimized"$' "$T/desc" &&
    ! grep -q '^[[:space:]]' "$T/desc" && ok "vmdk descriptor not indented" ||
    notok "vmdk descriptor not indented"
check "odd size -> vmdk" "$XK" convert "$O" "$T/odd.vmdk"
check "qemu-img compare odd-size raw vmdk" qemu-img compare -q "$O" "$T/odd.vmdk"
check "10 GiB sparse raw -> vmdk" "$XK" convert "$S" "$T/ten.vmdk"
check "qemu-img compare 10 GiB raw vmdk" qemu-img compare -q "$S" "$T/ten.vmdk"
[ "$(vsize "$T/ten.vmdk")" = 10737418240 ] && ok "vmdk is exactly 10 GiB" ||
    notok "vmdk is exactly 10 GiB"

# VHDs made by qemu-img, read by xenkit.
check "qemu-img writes dynamic force_size VHD" qemu-img convert -O vpc \
    -o subformat=dynamic,force_size=on "$D" "$T/qd.vhd"
check "xenkit reads qemu's dynamic VHD identically" sh -c \
    "'$XK' convert '$T/qd.vhd' '$T/qd.raw' && cmp '$D' '$T/qd.raw'"
check "qemu-img writes fixed VHD" qemu-img convert -O vpc \
    -o subformat=fixed,force_size=on "$D" "$T/qf.vhd"
check "xenkit reads qemu's fixed VHD identically" sh -c \
    "'$XK' convert '$T/qf.vhd' '$T/qf.raw' && cmp '$D' '$T/qf.raw'"
check "qemu-img writes 10 GiB VHD without force_size" qemu-img convert \
    -O vpc -o subformat=dynamic "$S" "$T/qten.vhd"
check "xenkit reads it as qemu does (qemu-img compare)" sh -c \
    "'$XK' convert '$T/qten.vhd' '$T/qten.qcow2' && qemu-img compare -q '$T/qten.vhd' '$T/qten.qcow2'"
[ "$(vsize "$T/qten.qcow2")" = $((10737418240 + 475136)) ] &&
    ok "qemu's CHS-rounded size kept (10 GiB + 475136)" ||
    notok "qemu's CHS-rounded size kept ($(vsize "$T/qten.qcow2"))"

# qcow2 features are qemu's business: compressed clusters read fine; a
# backing file is refused (qemu would open another file).
check "qemu-img writes a compressed qcow2" qemu-img convert -c -O qcow2 \
    "$D" "$T/c.qcow2"
check "xenkit reads compressed qcow2 identically" sh -c \
    "'$XK' convert '$T/c.qcow2' '$T/c.raw' && cmp '$D' '$T/c.raw'"
check "qemu-img makes an overlay" qemu-img create -q -f qcow2 -F qcow2 \
    -b "$T/c.qcow2" "$T/overlay.qcow2"
fails "qcow2 with a backing file refused" "overlay.qcow2: qcow2 image has a backing file" \
    "$XK" convert "$T/overlay.qcow2" "$T/o.vhd"

# Corrupt VHDs: exit 1 and a message naming the file and the field.
cp "$T/d.vhd" "$T/badfoot.vhd"
n=$(stat -c %s "$T/badfoot.vhd")
printf '\377' | dd of="$T/badfoot.vhd" bs=1 seek=$((n - 512 + 45)) conv=notrunc status=none
fails "bad footer checksum refused" "badfoot.vhd: bad VHD footer checksum at the end of the file" \
    "$XK" convert "$T/badfoot.vhd" "$T/x.raw"
cp "$T/d.vhd" "$T/badhead.vhd"
printf '\001' | dd of="$T/badhead.vhd" bs=1 seek=$((512 + 20)) conv=notrunc status=none
fails "bad header checksum refused" "badhead.vhd: bad VHD dynamic header checksum" \
    "$XK" convert "$T/badhead.vhd" "$T/x.raw"
cp "$T/d.vhd" "$T/badbat.vhd"
printf '\177\377\000\000' | dd of="$T/badbat.vhd" bs=1 seek=$((1536 + 8)) conv=notrunc status=none
fails "BAT entry beyond the end refused" "badbat.vhd: VHD BAT entry 2" \
    "$XK" convert "$T/badbat.vhd" "$T/x.raw"
head -c $(($(stat -c %s "$T/d.vhd") - 700)) "$T/d.vhd" >"$T/trunc.vhd"
fails "truncated VHD refused" "trunc.vhd: no VHD footer at the end of the file" \
    "$XK" convert "$T/trunc.vhd" "$T/x.raw"
head -c 100 "$T/d.vhd" >"$T/tiny.vhd"
fails "100-byte VHD refused" "tiny.vhd: 100 bytes is too small" \
    "$XK" convert --from vhd "$T/tiny.vhd" "$T/x.raw"
"$XK" convert --json "$T/badfoot.vhd" "$T/x.raw" >"$T/out" 2>/dev/null
grep -q '"ok": false' "$T/out" && grep -q '"error": ".*bad VHD footer' "$T/out" &&
    ok "--json reports the failure" || notok "--json reports the failure"
[ ! -e "$T/x.raw" ] && ok "no output after refused inputs" ||
    notok "no output after refused inputs"

# Usage errors exit 2.
"$XK" convert "$D" >/dev/null 2>&1
[ $? -eq 2 ] && ok "one operand is a usage error" || notok "one operand is a usage error"
"$XK" convert "$D" "$T/noext" >/dev/null 2>&1
[ $? -eq 2 ] && ok "unknown output extension needs --to" ||
    notok "unknown output extension needs --to"
"$XK" convert --from vpc "$D" "$T/y.vhd" >/dev/null 2>&1
[ $? -eq 2 ] && ok "unknown --from is a usage error" ||
    notok "unknown --from is a usage error"
cp "$T/d.qcow2" "$T/liar.img"
fails "content and name disagree" "liar.img: its name says raw but its content looks like qcow2" \
    "$XK" convert "$T/liar.img" "$T/y.vhd"
cp "$D" "$T/self.raw"
fails "converting a file onto itself refused" "same file" \
    "$XK" convert --to raw "$T/self.raw" "$T/./self.raw"

# No partial output when the destination directory is not writable.
mkdir "$T/ro"
chmod 555 "$T/ro"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	AS="setpriv --reuid=65534 --regid=65534 --clear-groups"
else
	AS=""
fi
# shellcheck disable=SC2086 # $AS: a command and its options, or none
fails "unwritable destination refused" "cannot create a temporary file" \
    $AS "$XK" convert "$D" "$T/ro/out.vhd"
[ -z "$(ls -A "$T/ro")" ] && ok "nothing left in the unwritable dir" ||
    notok "nothing left in the unwritable dir"

# No partial output when the source turns out corrupt half-way: a
# qcow2 whose L2 entry for the cluster at 1.5 GiB is unaligned makes
# qemu-nbd fail there, after the data at 0 was already written.
# be56 FILE OFFSET: a big-endian u64 without its top byte (flags)
be56() {
	od -An -tx1 -j $(($2 + 1)) -N 7 "$1" | tr -d ' \n' |
	    (read -r h; printf '%d' "0x$h")
}
M="$T/mid.raw"
truncate -s 2G "$M"
rnd "$M" 0 5120	# blocks 0-1 of the VHD are written before the failure
rnd "$M" $((1536 * 1024)) 1024
check "raw -> qcow2 (2 GiB)" "$XK" convert "$M" "$T/mid.qcow2"
rm -f "$M"
l1=$(be56 "$T/mid.qcow2" 40)
l2=$(($(be56 "$T/mid.qcow2" $((l1 + 3 * 8))) & 0xfffffffffffe00))
printf '\200\000\000\000\000\001\002\000' |
    dd of="$T/mid.qcow2" bs=1 seek="$l2" conv=notrunc status=none
mkdir "$T/mid"
fails "source corrupt half-way fails" "mid.qcow2: .*Input/output error" \
    "$XK" convert "$T/mid.qcow2" "$T/mid/out.vhd"
[ -z "$(ls -A "$T/mid")" ] && ok "no partial output after a mid-way failure" ||
    notok "no partial output after a mid-way failure"
no_temp "no temporary files left in the work dir" "$T"

# A block device as the source (a read-only loop device; root only).
if [ "$(id -u)" -eq 0 ] && loop=$(losetup -f --show -r "$D" 2>/dev/null)
then
	check "block device -> vhd" "$XK" convert "$loop" "$T/blk.vhd"
	losetup -d "$loop"
	check "qemu-img compare raw (block device -> vhd)" qemu-img compare \
	    -q "$D" "$T/blk.vhd"
else
	ok "block device -> vhd # skip: needs root and a loop device"
fi

# Progress: drawn on a terminal, silent otherwise.
"$XK" convert "$D" "$T/np.vhd" >"$T/out" 2>"$T/err"
[ ! -s "$T/out" ] && [ ! -s "$T/err" ] && ok "no progress when not a tty" ||
    notok "no progress when not a tty"
if command -v script >/dev/null; then
	script -qec "'$XK' convert '$D' '$T/tty.vhd'" /dev/null >"$T/tty" 2>&1
	grep -q "tty.vhd .*100%" "$T/tty" && ok "progress on a tty" ||
	    notok "progress on a tty: $(od -c "$T/tty" | head -3)"
else
	ok "progress on a tty # skip: no script(1)"
fi

# Memory stays bounded whatever the disk size (the issue: < 64 MiB).
for f in vhd qcow2; do
	/usr/bin/time -f %M -o "$T/rss" "$XK" convert "$S" "$T/rss.$f" \
	    >/dev/null 2>&1
	rss=$(tail -n 1 "$T/rss")
	[ "$rss" -lt 65536 ] && ok "10 GiB raw -> $f peak RSS ${rss} KiB < 64 MiB" ||
	    notok "10 GiB raw -> $f peak RSS ${rss} KiB < 64 MiB"
done

# Inputs are never modified.
[ "$(sha256sum "$D")" = "$sum_before" ] && ok "input raw unchanged" ||
    notok "input raw unchanged"
[ "$(sha256sum "$T/d.vhd" "$T/d.qcow2")" = "$sums_vq" ] &&
    ok "input vhd and qcow2 unchanged" ||
    notok "input vhd and qcow2 unchanged"
check "qcow2 input still clean" qemu-img check -q "$T/d.qcow2"

finish
