#!/bin/sh
# hotplug-dom0.sh - the dom0 half of bench/hotplug.sh: xenkit's block
# and vif-bridge scripts against Debian's Xen 4.17 ones
# (/etc/xen/scripts/NAME, or NAME.xen where xk-hotplug-default diverted
# them, as the lab's dom0 boots), the same guests, one set after the
# other in one lab.
#   one disk: ROUNDS create/destroy of a paused xk-guest-tiny guest with a
#             read-write file; the add and remove script times
#   one vif:  ROUNDS create/destroy of a paused guest with a vif on a
#             bridge; the online and offline script times
#   N guests: N paused xk-guest-tiny guests created at once, one read-only
#             file; how many started, the wall time, the slowest add
# Each script runs through a wrapper that stamps its start and end
# (two `date` forks, the same for both sets; a script libxl kills at
# its 40 s timeout has no time, xl's message counts it).  Prints one line per
# measure: SET WHAT VALUE.
set -u
# shellcheck source=../tests/lab/lib.sh
. /usr/lib/xk-lab/tests/lib.sh
n=${1:-40}
rounds=${2:-5}
TINYPV=/usr/lib/xk-lab/guests/xk-guest-tiny
W=/var/tmp/hpbench
mkdir -p "$W" || exit 1
truncate -s 8M "$W/disk.img" || exit 1
names=
cleanup() {
	for d in $names; do xl destroy "$d" >/dev/null 2>&1; done
	rm -rf "$W"
	ip link del xkbench0 2>/dev/null
}
trap cleanup EXIT

# wrapper SET KIND SCRIPT: $W/SET-KIND, timing SCRIPT into $W/SET.times
wrapper() {
	cat >"$W/$1-$2" <<EOS
#!/bin/sh
t0=\$(date +%s%N)
"$3" "\$@"
rc=\$?
echo "\$1 \$(( (\$(date +%s%N) - t0) / 1000000 )) \$rc" >>"$W/$1.times"
exit \$rc
EOS
	chmod +x "$W/$1-$2"
}
# xen NAME: Debian's script NAME, where it is
xen() {
	if [ -e "/etc/xen/scripts/$1.xen" ]; then
		echo "/etc/xen/scripts/$1.xen"
	else
		echo "/etc/xen/scripts/$1"
	fi
}
cfg() { # cfg NAME SET ACCESS [DEVICE-LINE]
	names="$names $1"
	_dev=${4:-}
	[ -n "$_dev" ] || _dev="disk = [ \"format=raw, vdev=xvda, access=$3, script=$W/$2-block, target=$W/disk.img\" ]"
	cat >"$W/$1.cfg" <<EOC
name = "$1"
type = "pv"
kernel = "$TINYPV"
extra = "poweroff"
memory = 16
on_poweroff = "destroy"
$_dev
EOC
}
# rounds NAME: ROUNDS create/destroy of the paused guest NAME
rounds() {
	i=0
	while [ $i -lt "$rounds" ]; do
		i=$((i + 1))
		timeout 120 xl create -q -p "$W/$1.cfg" >/dev/null 2>&1 &&
		    xl destroy "$1"
	done
}
# stats SET ACTION: min median max of the script's times in ms
stats() {
	awk -v a="$2" '$1 == a { print $2 }' "$W/$1.times" | sort -n |
	    awk '{ v[NR] = $1 } END { if (NR) printf "%d %d %d (%d runs)",
	    v[1], v[int((NR + 1) / 2)], v[NR], NR; else print "none" }'
}

ip link add xkbench0 type bridge && ip link set xkbench0 up || exit 1
for k in block vif-bridge; do
	wrapper xenkit "$k" "/usr/lib/xenkit/hotplug/$k"
	wrapper debian "$k" "$(xen "$k")"
done
for set in xenkit debian; do
	: >"$W/$set.times"
	cfg "hb-$set" "$set" rw
	rounds "hb-$set"
	echo "$set one-disk add_ms(min/median/max) $(stats "$set" add)"
	echo "$set one-disk remove_ms(min/median/max) $(stats "$set" remove)"
	: >"$W/$set.times"
	cfg "hv-$set" "$set" rw \
	    "vif = [ \"bridge=xkbench0, script=$W/$set-vif-bridge\" ]"
	rounds "hv-$set"
	echo "$set one-vif online_ms(min/median/max) $(stats "$set" online)"
	echo "$set one-vif offline_ms(min/median/max) $(stats "$set" offline)"
	: >"$W/$set.times"
	i=0
	while [ $i -lt "$n" ]; do
		i=$((i + 1))
		cfg "hb-$set-$i" "$set" ro
	done
	t0=$(now_ms)
	i=0
	while [ $i -lt "$n" ]; do
		i=$((i + 1))
		timeout 300 xl create -q -p "$W/hb-$set-$i.cfg" \
		    >"$W/$set-$i.out" 2>&1 &
	done
	wait
	t1=$(now_ms)
	up=0
	i=0
	while [ $i -lt "$n" ]; do
		i=$((i + 1))
		xl domid "hb-$set-$i" >/dev/null 2>&1 && up=$((up + 1))
	done
	# the wrapper dies with the script: xl says it killed them
	killed=$(cat "$W/$set"-*.out | grep -c "because of timeout")
	echo "$set $n-guests started $up/$n in $((t1 - t0)) ms; killed by libxl's timeout: $killed"
	echo "$set $n-guests add_ms(min/median/max) $(stats "$set" add)"
	i=0
	while [ $i -lt "$n" ]; do
		i=$((i + 1))
		xl destroy "hb-$set-$i" >/dev/null 2>&1 &
	done
	wait
	losetup -j "$W/disk.img" | cut -d: -f1 | xargs -r -n 1 losetup -d
done
