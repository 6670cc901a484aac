#!/bin/sh
# t3107-inspect-import - `xk inspect` checks what `xk import` checks:
# on every corrupt OVA of a corpus made here (bad VHDs with a manifest
# that matches them, digests, sizes, member order, truncation, VMDK
# grains) both refuse it, with the same message; on the good ones both
# accept.  And both find what a file holds by its content: a VHD named
# disk.img is inspected and imported as a VHD.
#
# usage: t3107-inspect-import.sh XK BUILD-DIR
NAME=t3107-inspect-import
. "$(dirname "$0")/lib.sh"
need tar sha256sum od

truncate -s 8M "$T/a.raw"
truncate -s 6M "$T/b.raw"
rnd "$T/a.raw" 0 64
rnd "$T/a.raw" 3072 1024
rnd "$T/b.raw" 2048 512
cat >"$T/web.cfg" <<EOF
name = "web"
type = "hvm"
memory = 256
disk = [ 'format=raw, vdev=xvda, access=rw, target=$T/a.raw',
         'format=raw, vdev=xvdb, access=rw, target=$T/b.raw' ]
EOF
check "export the VHD variant" "$XK" export "$T/web.cfg" -o "$T/good.ova"
check "export the VMDK variant" "$XK" export --disk-format vmdk \
    "$T/web.cfg" -o "$T/goodk.ova"
mkdir "$T/g" "$T/gk" "$T/c"
tar -C "$T/g" -xf "$T/good.ova"
tar -C "$T/gk" -xf "$T/goodk.ova"

# be32 FILE OFFSET: a big-endian 32-bit number; put32 FILE OFFSET N
be32() { od -An -tu1 -j "$2" -N4 "$1" |
    awk '{ print ($1 * 16777216) + ($2 * 65536) + ($3 * 256) + $4 }'; }
put32() {
	# shellcheck disable=SC2059 # the inner printf makes the \ooo format
	printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($3 >> 24 & 255)) \
	    $(($3 >> 16 & 255)) $(($3 >> 8 & 255)) $(($3 & 255)))" |
	    dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# pack NAME DIR [MEMBERS...]: an OVA of DIR's files in the order given
# (default: web.ovf web.mf and the disks), its manifest made to match
pack() {
	name=$1 dir=$2
	shift 2
	# shellcheck disable=SC2046 # the test's own disk names: no spaces
	[ $# -gt 0 ] || set -- web.ovf web.mf $(cd "$dir" && ls web-disk*)
	(cd "$dir" && for f in web.ovf web-disk*; do
		[ -f "$f" ] && echo "SHA256($f)= $(sha256sum <"$f" | cut -d' ' -f1)"
	done) >"$dir/web.mf"
	tar --format=ustar -C "$dir" -cf "$T/c/$name.ova" "$@"
}
# variant DIR: a fresh copy of an unpacked good package (g or gk) in v
variant() { rm -rf "${T:?}/v" && cp -r "$T/$1" "$T/v"; }

V0=web-disk0.vhd
variant g; pack good-repacked "$T/v"

# a VHD whose BAT points past the end of its file (the issue's case)
variant g
bat=$(od -An -tu1 -j $((512 + 16 + 4)) -N4 "$T/v/$V0" |
    awk '{ print ($1 * 16777216) + ($2 * 65536) + ($3 * 256) + $4 }')
put32 "$T/v/$V0" "$bat" 4000000
pack vhd-bat-past-end "$T/v"

# a VHD cut short (its footer gone)
variant g
truncate -s -512 "$T/v/$V0"
pack vhd-truncated "$T/v"

# a VHD whose footer checksum is wrong
variant g
sz=$(stat -c %s "$T/v/$V0")
flip "$T/v/$V0" $((sz - 512 + 64))
flip "$T/v/$V0" 64
pack vhd-footer-checksum "$T/v"

# a VHD whose dynamic header is not one
variant g
flip "$T/v/$V0" 512
pack vhd-no-header "$T/v"

# a disk whose data differs from the manifest's digest
variant g
cp "$T/v/$V0" "$T/keep"
pack digest-mismatch "$T/v"
flip "$T/v/$V0" $(( $(stat -c %s "$T/v/$V0") - 2048 ))
tar --format=ustar -C "$T/v" -cf "$T/c/digest-mismatch.ova" web.ovf web.mf \
    web-disk0.vhd web-disk1.vhd

# the descriptor declares another capacity than the image holds
variant g
sed -i 's/ovf:capacity="8388608"/ovf:capacity="9437184"/' "$T/v/web.ovf"
pack capacity-mismatch "$T/v"

# members: a disk missing, an extra one, the descriptor not first
variant g; pack missing-disk "$T/v" web.ovf web.mf web-disk0.vhd
variant g; echo x >"$T/v/extra.txt"
pack extra-member "$T/v" web.ovf web.mf web-disk0.vhd web-disk1.vhd extra.txt
variant g; pack descriptor-not-first "$T/v" web.mf web.ovf web-disk0.vhd \
    web-disk1.vhd

# a truncated archive
head -c 600000 "$T/good.ova" >"$T/c/archive-truncated.ova"

# a descriptor that is not well-formed, and one with a DTD
variant g; sed -i 's/<\/Envelope>//' "$T/v/web.ovf"; pack ovf-not-xml "$T/v"
variant g; sed -i '1a <!DOCTYPE x [ <!ENTITY a "b"> ]>' "$T/v/web.ovf"
pack ovf-dtd "$T/v"

# a VMDK whose first grain's compressed data is damaged
variant gk
flip "$T/v/web-disk0.vmdk" $((65536 + 12 + 20))
flip "$T/v/web-disk0.vmdk" $((65536 + 12 + 21))
pack vmdk-grain "$T/v" web.ovf web.mf web-disk0.vmdk web-disk1.vmdk
# a VMDK cut short
variant gk
truncate -s 70000 "$T/v/web-disk1.vmdk"
pack vmdk-truncated "$T/v" web.ovf web.mf web-disk0.vmdk web-disk1.vmdk

# Every corrupt OVA: both refuse it, with the same message.  Inspect
# unpacks an OVA's disks to check them, in TMPDIR: nothing may be left.
mkdir "$T/tmp"
export TMPDIR="$T/tmp"
for f in "$T"/c/*.ova; do
	n=$(basename "$f" .ova)
	"$XK" inspect "$f" >/dev/null 2>"$T/ierr"
	ri=$?
	"$XK" import "$f" -o "$T/imp-$n" >/dev/null 2>"$T/merr"
	rm=$?
	mi=$(sed 's/^xk: inspect: //' "$T/ierr")
	mm=$(sed 's/^xk: import: //' "$T/merr")
	case $n in
	good*)
		[ "$ri" -eq 0 ] && [ "$rm" -eq 0 ] &&
		    ok "$n: both accept it" ||
		    notok "$n: both accept it ($ri/$rm: $mi / $mm)"
		continue
		;;
	esac
	if [ "$ri" -eq 1 ] && [ "$rm" -eq 1 ]; then
		ok "$n: both refuse it"
	else
		notok "$n: both refuse it (inspect $ri: $mi; import $rm: $mm)"
	fi
	if [ -n "$mi" ] && [ "$mi" = "$mm" ]; then
		ok "$n: the same reason: $mi"
	else
		echo "#   inspect: $mi"
		echo "#   import:  $mm"
		notok "$n: the same reason"
	fi
	[ ! -e "$T/imp-$n" ] && ok "$n: import left nothing" ||
	    notok "$n: import left nothing: $(ls -A "$T/imp-$n")"
done
[ -z "$(ls -A "$T/tmp")" ] && ok "inspect left nothing in TMPDIR" ||
    notok "inspect left nothing in TMPDIR: $(ls -A "$T/tmp")"

# By content, not by name: a VHD called disk.img.
truncate -s 8M "$T/one.raw"
rnd "$T/one.raw" 100 100
printf 'name = "one"\nmemory = 128\ndisk = [ "format=raw, vdev=xvda, access=rw, target=%s" ]\n' \
    "$T/one.raw" >"$T/one.cfg"
check "export one disk as VHD" "$XK" export --format vhd "$T/one.cfg" \
    -o "$T/one.vhd"
cp "$T/one.vhd" "$T/disk.img"
check "inspect disk.img (a VHD)" "$XK" inspect --json "$T/disk.img"
grep -q '"format": "vhd"' "$T/out" && ok "... found to be a VHD" ||
    notok "... found to be a VHD"
check "import disk.img (a VHD)" "$XK" import "$T/disk.img" -o "$T/imp-img"
cmp -s "$T/one.raw" "$T/imp-img/disk.img-xvda.img" ||
    cmp -s "$T/one.raw" "$T/imp-img/disk_img-xvda.img" ||
    cmp -s "$T/one.raw" "$T/imp-img/"*-xvda.img &&
    ok "... the disk intact" || notok "... the disk intact"
cp "$T/good.ova" "$T/package.bin"
check "inspect an OVA named package.bin" "$XK" inspect "$T/package.bin"
cp "$T/g/web.ovf" "$T/g/descriptor.xml" 2>/dev/null
"$XK" inspect "$T/g/descriptor.xml" >/dev/null 2>"$T/err"
grep -q 'manifest' "$T/err" && ok "a descriptor named .xml is read as OVF" ||
    notok "a descriptor named .xml is read as OVF: $(cat "$T/err")"

finish
