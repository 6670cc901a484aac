#!/bin/sh
# t3105-reproducible - exporting the same config and disks twice gives
# the same bytes (XVA, OVA with VHD and with VMDK disks, VHD): UUIDs are
# derived from the config when it has none, time stamps are fixed (0,
# or SOURCE_DATE_EPOCH).  Import writes the VM's uuid into the xl.cfg
# it makes, so an export -> import -> export round trip keeps the VM's
# identity.
#
# usage: t3105-reproducible.sh XK BUILD-DIR
NAME=t3105-reproducible
. "$(dirname "$0")/lib.sh"
need cmp jq tar

truncate -s 8M "$T/a.raw" "$T/b.raw"
rnd "$T/a.raw" 1024 256
rnd "$T/b.raw" 4096 128
cat >"$T/web.cfg" <<EOF
name = "web"
type = "hvm"
memory = 256
vcpus = 2
vif = [ 'mac=00:16:3e:12:34:56, bridge=xenbr0' ]
disk = [ 'format=raw, vdev=xvda, access=rw, target=$T/a.raw',
         'format=raw, vdev=xvdb, access=rw, target=$T/b.raw' ]
EOF
sed -e '/^disk/,$d' "$T/web.cfg" >"$T/one.cfg"
echo "disk = [ 'format=raw, vdev=xvda, access=rw, target=$T/a.raw' ]" \
    >>"$T/one.cfg"

# twice NAME CFG OUT-EXT [EXPORT-OPTIONS...]: export twice, compare
twice() {
	name=$1 cfg=$2 ext=$3
	shift 3
	"$XK" export "$@" "$cfg" -o "$T/1.$ext" 2>"$T/err" &&
	    "$XK" export "$@" "$cfg" -o "$T/2.$ext" 2>>"$T/err" || {
		sed 's/^/#   /' "$T/err"
		notok "$name: export"
		return
	}
	if cmp -s "$T/1.$ext" "$T/2.$ext"; then
		ok "$name: two exports are byte-identical"
	else
		cmp "$T/1.$ext" "$T/2.$ext" | sed 's/^/#   /'
		notok "$name: two exports are byte-identical"
	fi
}

twice "xva" "$T/web.cfg" xva
twice "xva (xxhash)" "$T/web.cfg" xva --checksum xxhash
twice "ova (vhd)" "$T/web.cfg" ova
twice "ova (vmdk)" "$T/web.cfg" ova --disk-format vmdk
twice "vhd" "$T/one.cfg" vhd
SOURCE_DATE_EPOCH=1700000000 twice "ova with SOURCE_DATE_EPOCH" \
    "$T/web.cfg" ova
tar -xOf "$T/1.ova" web-disk0.vhd | tail -c 512 | od -An -tx1 -j24 -N4 |
    tr -d ' \n' >"$T/ts"
# 1700000000 - 946684800 (2000-01-01, the VHD epoch) = 0x2ce6ad80
[ "$(cat "$T/ts")" = 2ce6ad80 ] &&
    ok "... the VHD time stamp is SOURCE_DATE_EPOCH" ||
    notok "... the VHD time stamp is SOURCE_DATE_EPOCH: $(cat "$T/ts")"
fails "a bad SOURCE_DATE_EPOCH is refused" "SOURCE_DATE_EPOCH" \
    env SOURCE_DATE_EPOCH=yesterday "$XK" export "$T/web.cfg" \
    -o "$T/bad.xva"

# A different config gets a different UUID; the same config, the same.
"$XK" export --json "$T/web.cfg" -o "$T/j1.xva" >"$T/j1" 2>/dev/null
"$XK" export --json "$T/one.cfg" -o "$T/j2.xva" >"$T/j2" 2>/dev/null
u1=$(jq -r .uuid "$T/j1")
u2=$(jq -r .uuid "$T/j2")
case $u1 in
[0-9a-f]*-*-5*-*-*) ok "a derived uuid ($u1, version 5)" ;;
*) notok "a derived uuid, version 5: '$u1'" ;;
esac
[ "$u1" != "$u2" ] && ok "another config, another uuid" ||
    notok "another config, another uuid: $u1 $u2"

# Import writes the uuid it found; a round trip keeps it.
for f in xva ova; do
	check "import the $f" "$XK" import "$T/1.$f" -o "$T/imp-$f"
	grep -qx "uuid = \"$u1\"" "$T/imp-$f/web.cfg" &&
	    ok "import of the $f writes uuid = \"$u1\"" ||
	    { sed 's/^/#   /' "$T/imp-$f/web.cfg"
	      notok "import of the $f writes uuid = \"$u1\""; }
done
check "export the imported config again" \
    "$XK" export --json "$T/imp-xva/web.cfg" -o "$T/again.xva"
[ "$(jq -r .uuid "$T/out")" = "$u1" ] &&
    ok "the round trip keeps the uuid" ||
    notok "the round trip keeps the uuid: $(jq -r .uuid "$T/out")"
check "import it again" "$XK" import "$T/again.xva" -o "$T/imp-again"
grep -qx "uuid = \"$u1\"" "$T/imp-again/web.cfg" &&
    ok "... and its import has the same uuid" ||
    notok "... and its import has the same uuid"
cmp -s "$T/a.raw" "$T/imp-again/web-xvda.img" &&
    ok "... and the same disk" || notok "... and the same disk"

finish
