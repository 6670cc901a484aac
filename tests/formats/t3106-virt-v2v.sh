#!/bin/sh
# t3106-virt-v2v - an OVA xenkit writes is read right by a reader
# nobody in the project wrote: Debian's virt-v2v (`-i ova
# --print-source`, which parses the OVF without booting its appliance)
# must list every disk, the name, memory, vCPUs and each NIC's network,
# for VHD and VMDK disks.  The descriptor also keeps to what XenCenter's
# importer reads (disks as ResourceType 17, 19 or 21), and the MTU that
# no longer rides in rasd:Connection survives xk's own round trip.
#
# usage: t3106-virt-v2v.sh XK BUILD-DIR
NAME=t3106-virt-v2v
. "$(dirname "$0")/lib.sh"
need virt-v2v tar
# no libvirt daemon: --print-source does not start the appliance, and
# the direct backend would not need one if it did
export LIBGUESTFS_BACKEND=direct

truncate -s 8M "$T/a.raw"
truncate -s 12M "$T/b.raw"
rnd "$T/a.raw" 1024 256
rnd "$T/b.raw" 4096 128
cat >"$T/web.cfg" <<EOF
name = "web"
type = "hvm"
memory = 768
vcpus = 3
vif = [ 'mac=00:16:3e:12:34:56, bridge=xenbr0',
        'mac=00:16:3e:12:34:57, bridge=xenbr1, mtu=9000' ]
disk = [ 'format=raw, vdev=xvda, access=rw, target=$T/a.raw',
         'format=raw, vdev=xvdb, access=rw, target=$T/b.raw' ]
EOF

# what the disks section lists: one line per disk, up to the next one
disks() { sed -n '/^disks:/,/^removable media:/p' "$1" | grep -c '^	'; }

for d in vhd vmdk; do
	check "export an OVA with $d disks" \
	    "$XK" export --disk-format "$d" "$T/web.cfg" -o "$T/$d.ova"
	check "virt-v2v -i ova --print-source ($d)" \
	    virt-v2v -i ova "$T/$d.ova" --print-source
	cp "$T/out" "$T/v2v-$d"
	grep -q '^ *source name: web$' "$T/v2v-$d" &&
	    ok "$d: the name" || notok "$d: the name"
	grep -q '^ *memory: 805306368 (bytes)$' "$T/v2v-$d" &&
	    ok "$d: memory 768 MiB" || notok "$d: memory 768 MiB"
	grep -q '^ *nr vCPUs: 3$' "$T/v2v-$d" &&
	    ok "$d: 3 vCPUs" || notok "$d: 3 vCPUs"
	n=$(disks "$T/v2v-$d")
	[ "$n" -eq 2 ] && ok "$d: both disks listed" ||
	    notok "$d: both disks listed ($n)"
	grep -q '^	Bridge "xenbr0" mac: 00:16:3e:12:34:56$' "$T/v2v-$d" &&
	    ok "$d: NIC 0 on network xenbr0" ||
	    notok "$d: NIC 0 on network xenbr0"
	grep -q '^	Bridge "xenbr1" mac: 00:16:3e:12:34:57$' "$T/v2v-$d" &&
	    ok "$d: NIC 1 on network xenbr1 (not the whole Connection)" ||
	    notok "$d: NIC 1 on network xenbr1 (not the whole Connection)"
	[ -s "$T/v2v-$d" ] && [ "$failed" -eq 0 ] ||
	    sed 's/^/#   /' "$T/v2v-$d"

	# XenCenter's importer: disks are ResourceType 17, 19 or 21; the
	# descriptor's disk Items say 17
	tar -xOf "$T/$d.ova" web.ovf >"$T/web-$d.ovf"
	rt=$(grep -c '<rasd:ResourceType>17</rasd:ResourceType>' \
	    "$T/web-$d.ovf")
	[ "$rt" -eq 2 ] && ok "$d: disk Items are ResourceType 17" ||
	    notok "$d: disk Items are ResourceType 17 ($rt)"

	check "$d: xk import reads it back" \
	    "$XK" import "$T/$d.ova" -o "$T/imp-$d"
	grep -q 'bridge=xenbr1, mtu=9000' "$T/imp-$d/web.cfg" &&
	    ok "$d: the MTU survives (xenkit:mtu)" ||
	    { sed 's/^/#   /' "$T/imp-$d/web.cfg"
	      notok "$d: the MTU survives (xenkit:mtu)"; }
	cmp -s "$T/b.raw" "$T/imp-$d/web-xvdb.img" &&
	    ok "$d: disk xvdb intact" || notok "$d: disk xvdb intact"
done

finish
