#!/bin/sh
# t3101-xva-cli - `xk export`, `xk import` and `xk inspect` end to end:
# xl.cfg + disks (raw and qcow2 made by the real qemu-img) -> XVA / OVA /
# VHD -> import -> identical disk bytes and an equal model for every
# mapped key (`xk cfg show --json`); compressed XVAs; --strict; --json;
# corrupt input refused with nothing left behind; inputs never touched;
# peak RSS bounded while streaming a large sparse disk.
#
# usage: t3101-xva-cli.sh XK BUILD-DIR
NAME=t3101-xva-cli
. "$(dirname "$0")/lib.sh"
need qemu-img jq gzip zstd

# model CFG: the typed model minus what an import changes by design
# (file name, disk targets and formats, raw settings)
model() {
	"$XK" cfg show --json "$1" | jq -S 'del(.file, .settings, .notes) |
	    .disks |= map(if .cdrom then . else
	    del(.target, .format, .backendtype, .deprecated_syntax) end)'
}
same_model() {
	model "$1" >"$T/m1" && model "$2" >"$T/m2" && cmp -s "$T/m1" "$T/m2" ||
	    { diff "$T/m1" "$T/m2" | sed 's/^/#   /'; return 1; }
}

# Disks: raw with data at both ends and in the middle, a qcow2 made by
# qemu-img, sizes not multiples of 1 MiB.
mkdir "$T/in"
A="$T/in/root.img"
truncate -s $((40 * 1024 * 1024 + 4096)) "$A"
rnd "$A" 0 100
rnd "$A" 1023 2
rnd "$A" 20000 3000
rnd "$A" $((40 * 1024)) 4
truncate -s $((9 * 1024 * 1024)) "$T/in/data.raw"
rnd "$T/in/data.raw" 5000 100
qemu-img convert -q -O qcow2 "$T/in/data.raw" "$T/in/data.qcow2"
cat >"$T/in/vm.cfg" <<EOF
name = "web01"
uuid = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
type = "hvm"
memory = 1024
maxmem = 1536
vcpus = 2
maxvcpus = 4
cpus = "0-3,^1"
cpu_weight = 384
firmware = "uefi"
boot = "cd"
acpi = 1
apic = 1
viridian = 1
stdvga = 0
on_crash = "restart"
disk = [ 'format=raw, vdev=xvda, access=rw, target=$A',
         'format=qcow2, vdev=xvdb, access=rw, target=$T/in/data.qcow2' ]
vif = [ 'mac=00:16:3e:12:34:56, bridge=xenbr0', 'mac=00:16:3e:12:34:57, bridge=xenbr1, mtu=9000' ]
EOF
inputs() { (cd "$T/in" && sha256sum vm.cfg root.img data.raw data.qcow2); }
before=$(inputs)

# XVA
check "export xva" "$XK" export "$T/in/vm.cfg" -o "$T/vm.xva"
[ ! -s "$T/err" ] && ok "export of a fully mapped config is silent" ||
    { sed 's/^/#   /' "$T/err"; notok "export of a fully mapped config is silent"; }
check "inspect --json" "$XK" inspect --json "$T/vm.xva"
[ "$(jq -r '.vm.name, .vm.type, .checksum, .verified, (.disks | length)' \
    "$T/out" | tr '\n' ' ')" = "web01 hvm sha1 true 2 " ] &&
    ok "inspect: name, type, checksum, verified, disks" ||
    { sed 's/^/#   /' "$T/out"; notok "inspect: name, type, checksum, verified, disks"; }
[ "$(jq '.disks[0].size' "$T/out")" = $((40 * 1024 * 1024 + 4096)) ] &&
    ok "inspect: disk size" || notok "inspect: disk size"
check "inspect text" "$XK" inspect "$T/vm.xva"
grep -q "^vm: *web01 (0f1e2d3c" "$T/out" && ok "inspect text names the VM" ||
    notok "inspect text names the VM"
check "import xva" "$XK" import "$T/vm.xva" -o "$T/x1"
check "xva: root disk byte-identical" cmp "$A" "$T/x1/web01-xvda.img"
check "xva: qcow2 disk same content" qemu-img compare -q "$T/in/data.qcow2" \
    "$T/x1/web01-xvdb.img"
check "xva: equal model for every mapped key" same_model "$T/in/vm.cfg" \
    "$T/x1/web01.cfg"
a=$(du -k "$T/x1/web01-xvda.img" | cut -f1)
[ "$a" -lt 8000 ] && ok "imported disk is sparse (${a} KiB)" ||
    notok "imported disk is sparse (${a} KiB)"
check "imported disk list points at the new files" grep -q \
    "target=$T/x1/web01-xvda.img" "$T/x1/web01.cfg"
check "import --disk-format qcow2" "$XK" import --disk-format qcow2 \
    "$T/vm.xva" -o "$T/x2"
check "qcow2 import: same content" qemu-img compare -q "$A" \
    "$T/x2/web01-xvda.qcow2"
check "qcow2 import: equal model" same_model "$T/in/vm.cfg" "$T/x2/web01.cfg"

# xxhash, gzip, zstd
check "export --checksum xxhash --json" "$XK" export --checksum xxhash \
    --json "$T/in/vm.cfg" -o "$T/h.xva"
[ "$(jq -r .checksum "$T/out")" = xxhash ] && ok "--json summary" ||
    notok "--json summary"
# each disk's counts are its own: an XVA chunk is 1 MiB, so a disk of
# size S has ceil(S / 1 MiB) chunks, written or skipped as zero
jq -e '[.disks[] | .chunks + .zero_chunks_skipped ==
    ((.size + 1048575) / 1048576 | floor)] | length == 2 and all' "$T/out" >/dev/null &&
    ok "--json: each disk's chunks match its own size" ||
    notok "--json: each disk's chunks match its own size"
check "xxhash xva: inspect" sh -c "'$XK' inspect --json '$T/h.xva' | jq -e '.checksum == \"xxhash\"'"
gzip -c "$T/h.xva" >"$T/h.xva.gz"
zstd -q -c "$T/vm.xva" >"$T/z.xva.zst"
check "import gzip xva" "$XK" import --json "$T/h.xva.gz" -o "$T/x3"
[ "$(jq -r .compression "$T/out")" = gzip ] && ok "gzip detected" ||
    notok "gzip detected"
check "gzip: disk identical" cmp "$A" "$T/x3/web01-xvda.img"
check "import zstd xva" "$XK" import "$T/z.xva.zst" -o "$T/x4"
check "zstd: disk identical" cmp "$A" "$T/x4/web01-xvda.img"

# VHD alone
cat >"$T/in/one.cfg" <<EOF
name = "one"
type = "hvm"
memory = 512
disk = [ 'format=raw, vdev=xvda, access=rw, target=$A' ]
EOF
check "export vhd" "$XK" export "$T/in/one.cfg" -o "$T/one.vhd"
check "qemu-img reads the vhd alike" qemu-img compare -q "$A" "$T/one.vhd"
check "inspect vhd" "$XK" inspect "$T/one.vhd"
check "import vhd" "$XK" import "$T/one.vhd" -o "$T/x5"
check "vhd: disk identical" cmp "$A" "$T/x5/one-xvda.img"
fails "vhd of a two-disk config refused" "a VHD holds one disk" \
    "$XK" export "$T/in/vm.cfg" -o "$T/two.vhd"
cp "$T/one.vhd" "$T/in/self.vhd"
cat >"$T/in/self.cfg" <<EOF
name = "self"
type = "hvm"
memory = 512
disk = [ 'format=vhd, vdev=xvda, access=rw, target=$T/in/self.vhd' ]
EOF
sum=$(sha256sum <"$T/in/self.vhd")
fails "export onto its own disk refused" "is an input" \
    "$XK" export "$T/in/self.cfg" -o "$T/in/self.vhd"
[ "$(sha256sum <"$T/in/self.vhd")" = "$sum" ] && ok "the disk is untouched" ||
    notok "the disk is untouched"

# OVA
if "$XK" export "$T/in/vm.cfg" -o "$T/vm.ova" >"$T/out" 2>"$T/err"; then
	ok "export ova"
	check "ova: member order" sh -c "tar tf '$T/vm.ova' | head -2 | tr '\n' ' ' | grep -q '^web01.ovf web01.mf '"
	check "ova: sha256 manifest verifies" sh -c "cd '$T' && mkdir ovax && cd ovax && tar xf ../vm.ova && sed -n 's/^SHA256(\(.*\))= \(.*\)$/\2  \1/p' web01.mf | sha256sum -c --quiet"
	check "import ova" "$XK" import "$T/vm.ova" -o "$T/x6"
	check "ova: root disk identical" cmp "$A" "$T/x6/web01-xvda.img"
	check "ova: qcow2 disk same content" qemu-img compare -q \
	    "$T/in/data.qcow2" "$T/x6/web01-xvdb.img"
	check "ova: equal model" same_model "$T/in/vm.cfg" "$T/x6/web01.cfg"
	check "inspect ova" "$XK" inspect --json "$T/vm.ova"
	[ "$(jq -r '.checksum, .verified' "$T/out" | tr '\n' ' ')" = \
	    "sha256 true " ] && ok "inspect ova: sha256 verified" ||
	    notok "inspect ova: sha256 verified"
	# the same package unpacked: a descriptor with its files beside it
	check "import ovf (unpacked ova)" "$XK" import "$T/ovax/web01.ovf" \
	    -o "$T/x6b"
	check "ovf: root disk identical" cmp "$A" "$T/x6b/web01-xvda.img"
	check "ovf: equal model" same_model "$T/in/vm.cfg" "$T/x6b/web01.cfg"
	flip "$T/ovax/web01-disk0.vhd" 70000
	fails "ovf: corrupt disk refused by the manifest" "SHA256 mismatch" \
	    "$XK" import "$T/ovax/web01.ovf" -o "$T/x6c"
	[ ! -e "$T/x6c" ] && ok "ovf: nothing left" || notok "ovf: nothing left"
	# streamOptimized VMDK disks, when lib/formats can write them
	if "$XK" export --disk-format vmdk "$T/in/vm.cfg" -o "$T/vmdk.ova" \
	    >"$T/out" 2>"$T/err"; then
		ok "export ova with vmdk disks"
		check "vmdk ova: qemu-img reads the disk alike" sh -c "cd '$T' && mkdir vmdkx && cd vmdkx && tar xf ../vmdk.ova && qemu-img compare -q '$A' web01-disk0.vmdk"
		check "import vmdk ova" "$XK" import "$T/vmdk.ova" -o "$T/x6d"
		check "vmdk ova: root disk identical" cmp "$A" \
		    "$T/x6d/web01-xvda.img"
		check "vmdk ova: equal model" same_model "$T/in/vm.cfg" \
		    "$T/x6d/web01.cfg"
		# the same package with qemu-img's streamOptimized VMDKs
		(cd "$T/vmdkx" &&
		    qemu-img convert -O vmdk -o subformat=streamOptimized \
		    "$A" web01-disk0.vmdk &&
		    qemu-img convert -O vmdk -o subformat=streamOptimized \
		    -f qcow2 "$T/in/data.qcow2" web01-disk1.vmdk &&
		    for f in web01.ovf web01-disk0.vmdk web01-disk1.vmdk; do
			echo "SHA256($f)= $(sha256sum <"$f" | cut -d' ' -f1)"
		    done >web01.mf &&
		    tar --format=ustar -cf "$T/qemu.ova" web01.ovf web01.mf \
		    web01-disk0.vmdk web01-disk1.vmdk)
		check "import an OVA with qemu-img's VMDKs" "$XK" import \
		    "$T/qemu.ova" -o "$T/x6e"
		check "qemu vmdk: root disk identical" cmp "$A" \
		    "$T/x6e/web01-xvda.img"
	else
		echo "# skipped: VMDK output: $(cat "$T/err")"
	fi
else
	sed 's/^/#   /' "$T/err"
	notok "export ova"
fi

# --strict: warnings become errors, nothing written
cat >"$T/in/pv.cfg" <<EOF
name = "pv"
memory = 256
kernel = "/boot/vmlinuz"
pci = [ '0000:03:00.0' ]
disk = [ 'format=raw, vdev=xvda, access=w, target=$A' ]
EOF
fails "pv export warns about XCP-ng and PV" "no longer supports PV.*--to-hvm" \
    "$XK" export --strict "$T/in/pv.cfg" -o "$T/pv.xva"
grep -q "pci: no XAPI counterpart" "$T/err" && ok "the warning names the key" ||
    notok "the warning names the key"
[ ! -e "$T/pv.xva" ] && ok "--strict wrote nothing" || notok "--strict wrote nothing"
check "without --strict it exports" "$XK" export "$T/in/pv.cfg" -o "$T/pv.xva"
check "--to-hvm" "$XK" export --to-hvm "$T/in/pv.cfg" -o "$T/hvm.xva"
check "--to-hvm: imports as hvm" sh -c "'$XK' import '$T/hvm.xva' -o '$T/xh' >/dev/null &&
    grep -q '^type = \"hvm\"' '$T/xh/pv.cfg' && ! grep -q '^kernel' '$T/xh/pv.cfg'"
check "pv xva imports as pv with its kernel" sh -c "'$XK' import '$T/pv.xva' -o '$T/xp' >/dev/null &&
    grep -q '^kernel = \"/boot/vmlinuz\"' '$T/xp/pv.cfg' && grep -q '^pci' '$T/xp/pv.cfg'"

# Corrupt and hostile input: exit 1, disk and chunk named, nothing left
cp "$T/vm.xva" "$T/bad.xva"
off=$(( $(tar tvf "$T/vm.xva" | head -1 | awk '{print $3}') ))
# first chunk's data starts after ova.xml's header, data (padded), header
start=$(( 512 + (off + 511) / 512 * 512 + 512 ))
flip "$T/bad.xva" $((start + 1000))
fails "corrupt chunk refused" "disk Ref:001: chunk 0: SHA1 mismatch" \
    "$XK" import "$T/bad.xva" -o "$T/x7"
[ ! -e "$T/x7" ] && ok "nothing left after a refused import" ||
    { ls -la "$T/x7" | sed 's/^/#   /'; notok "nothing left after a refused import"; }
mkdir "$T/x8"
head -c $(( $(stat -c %s "$T/vm.xva") / 2 )) "$T/vm.xva" >"$T/trunc.xva"
fails "truncated xva refused" "disk Ref:00" "$XK" import "$T/trunc.xva" -o "$T/x8"
[ -z "$(ls -A "$T/x8")" ] && ok "existing DIR left empty" ||
    { ls -la "$T/x8" | sed 's/^/#   /'; notok "existing DIR left empty"; }
fails "import refuses to overwrite" "exists already" \
    "$XK" import "$T/vm.xva" -o "$T/x1"
fails "missing disk: export refused" "nothere.img" sh -c \
    "sed 's#target=$A#target=$T/nothere.img#' '$T/in/vm.cfg' >'$T/in/gone.cfg' &&
    '$XK' export '$T/in/gone.cfg' -o '$T/gone.xva'"
! ls -A "$T" | grep -q -e '^gone' -e '\.xk-' &&
    ok "no output or temporary file after a failed export" ||
    notok "no output or temporary file after a failed export"
[ "$(inputs)" = "$before" ] && ok "inputs unchanged" || notok "inputs unchanged"

# Usage errors
"$XK" export "$T/in/vm.cfg" >/dev/null 2>&1
[ $? -eq 2 ] && ok "export without -o is a usage error" ||
    notok "export without -o is a usage error"
"$XK" export "$T/in/vm.cfg" -o "$T/x.bin" >/dev/null 2>&1
[ $? -eq 2 ] && ok "unknown extension needs --format" ||
    notok "unknown extension needs --format"
"$XK" import --disk-format vmdk "$T/vm.xva" -o "$T/x9" >/dev/null 2>&1
[ $? -eq 2 ] && ok "bad --disk-format is a usage error" ||
    notok "bad --disk-format is a usage error"

# Streaming: a 4 GiB sparse disk with 200 MiB of data, RSS stays small
B="$T/big.img"
truncate -s 4G "$B"
rnd "$B" 0 102400
rnd "$B" $((3 * 1024 * 1024)) 102400
cat >"$T/big.cfg" <<EOF
name = "big"
type = "hvm"
memory = 512
disk = [ 'format=raw, vdev=xvda, access=rw, target=$B' ]
EOF
rss() { /usr/bin/time -f '%M' -o "$T/rss" "$@" >/dev/null 2>"$T/err" &&
    cat "$T/rss"; }
r1=$(rss "$XK" export "$T/big.cfg" -o "$T/big.xva")
[ -n "$r1" ] && [ "$r1" -lt 65536 ] && ok "export peak RSS ${r1} KiB < 64 MiB" ||
    notok "export peak RSS ${r1:-?} KiB < 64 MiB"
r2=$(rss "$XK" import "$T/big.xva" -o "$T/xbig")
[ -n "$r2" ] && [ "$r2" -lt 65536 ] && ok "import peak RSS ${r2} KiB < 64 MiB" ||
    notok "import peak RSS ${r2:-?} KiB < 64 MiB"
check "big disk identical" cmp "$B" "$T/xbig/big-xvda.img"

finish
