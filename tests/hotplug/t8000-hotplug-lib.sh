#!/bin/sh
# t8000-hotplug-lib - xenkit's hotplug library (share/hotplug) outside
# Xen: argument and environment parsing, the per-device lock (a second
# script waits for the first, the lock file goes with the last), the
# lock's bound, hooks (order, environment, a failing one and a hanging
# one fail the script with their reason, the hanging one killed),
# Ganeti's NIC file read without running it, and the helper's disk
# identity (a loop device is its file).  The xenstore parts need a
# xenstored, which needs Xen: they run in the lab (t85xx).
# Usage: t8000-hotplug-lib.sh XK BUILD-DIR
set -u
BUILD=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
HP=$top/share/hotplug
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xk-t8000.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib.sh"
T=$tmp/check
mkdir "$T" || exit 1
export XK_HOTPLUG_HELPER="$BUILD/src/xk-hotplug-helper"
export XK_HOTPLUG_LOG="$tmp/log"
export XK_HOTPLUG_LOCKDIR="$tmp/locks"
export XK_HOTPLUG_HOOKS="$tmp/hooks"
export XENBUS_PATH=backend/vif/7/0

# lib ARG... : a script that sources the library (as the scripts do,
# from its own directory) and runs "hp_init ARG..." then $body
lib() {
	"$tmp/script" "$@"
}
mkscript() {
	{
		echo '#!/bin/sh'
		echo ". \"$HP/xk-hotplug-lib.sh\""
		echo ". \"$HP/xk-hotplug-net.sh\""
		echo 'hp_init "$@"'
		cat
	} >"$tmp/script"
	chmod +x "$tmp/script"
}

# --- arguments and environment
mkscript <<'EOF2'
echo "cmd=$hp_cmd domid=$hp_domid devid=$hp_devid type_if=${type_if:-} bridge=${bridge:-}"
EOF2
exits "hp_init: command, KEY=VALUE, XENBUS_PATH" 0 \
    '^cmd=online domid=7 devid=0 type_if=vif bridge=br0$' \
    lib online type_if=vif bridge=br0
XENBUS_PATH=/local/domain/0/backend/vbd/12/51712 exits \
    "hp_init: an absolute XENBUS_PATH" 0 '^cmd=add domid=12 devid=51712 ' lib add
exits "hp_init: an argument that is no KEY=VALUE" 2 'online2: not KEY=VALUE' \
    lib online online2
exits "hp_init: a key that is no variable name" 2 'not a KEY=VALUE argument' \
    lib online 'x;touch$IFS/tmp/y=1'
exits "hp_init: a KEY=VALUE cannot run code" 0 'bridge=\$\(id\)$' \
    lib online 'bridge=$(id)'
XENBUS_PATH='' exits "hp_init: no XENBUS_PATH" 2 'XENBUS_PATH is not set' lib add
XENBUS_PATH=backend/vbd/x/1 exits "hp_init: a XENBUS_PATH not a backend" 2 \
    'not backend/TYPE/DOMID/DEVID' lib add
exits "hp_init: no command" 2 'no command' lib

# --- the lock: B waits while A holds it; B gets it once A lets go,
# and the last one out leaves no lock file
mkscript <<'EOF2'
hp_lock disk-1
echo "$WHO" >>"$LOCKLOG"
[ -z "${HOLD:-}" ] || read -r _ <"$HOLD"
hp_unlock
EOF2
export LOCKLOG="$tmp/locklog"
mkfifo "$tmp/hold"
WHO=A HOLD=$tmp/hold lib add >"$tmp/a.out" 2>&1 &
a=$!
has_line() { grep -qx "$1" "$LOCKLOG" 2>/dev/null; }
wait_for 60 has_line A || notok "lock: A never got the lock"
WHO=B lib add >"$tmp/b.out" 2>&1 &
b=$!
# B is blocked in flock: the kernel lists a waiter on the lock
waiter() { grep -q -- '->' /proc/locks; }
if wait_for 60 waiter && ! has_line B; then
	ok "lock: B waits while A holds disk-1"
else
	notok "lock: B did not wait for A"
fi
echo go >"$tmp/hold"
wait "$a"
ra=$?
wait "$b"
rb=$?
[ "$ra" -eq 0 ] && [ "$rb" -eq 0 ] &&
    [ "$(cat "$LOCKLOG")" = "$(printf 'A\nB')" ] &&
    ok "lock: B got it after A" || {
	show "$LOCKLOG" "$tmp/a.out" "$tmp/b.out"; notok "lock: B got it after A"; }
[ -z "$(ls -A "$tmp/locks")" ] && ok "lock: no lock file left" ||
    { ls -la "$tmp/locks"; notok "lock: no lock file left"; }

# another disk's lock is not held up by disk-1's (no host-wide lock)
mkscript <<'EOF2'
hp_lock "$DISK"
[ -z "${HOLD:-}" ] || read -r _ <"$HOLD"
hp_unlock
echo "$DISK done"
EOF2
DISK=disk-1 HOLD=$tmp/hold lib add >/dev/null 2>&1 &
a=$!
wait_for 60 test -e "$tmp/locks/disk-1"
DISK=disk-2 exits "lock: another disk is not held up" 0 '^disk-2 done$' lib add
# the bound: a lock held past the budget fails the script, saying so
DISK=disk-1 XK_HOTPLUG_BUDGET=1 exits \
    "lock: held past the budget, the script fails" 1 \
    'lock disk-1 still held by another script after 1 s' lib add
echo go >"$tmp/hold"
wait "$a"

# --- hooks
mkscript <<'EOF2'
export INSTANCE=inst1 MAC=00:16:3e:00:00:01
hp_hooks vif "$hp_cmd"
echo "script went on"
EOF2
mkdir -p "$tmp/hooks/vif/online.d" "$tmp/hooks/vif/offline.d"
for h in 20-second 10-first; do
	printf '#!/bin/sh\necho "%s $1 $INSTANCE $MAC" >>"%s"\n' "$h" \
	    "$tmp/hooklog" >"$tmp/hooks/vif/online.d/$h"
	chmod +x "$tmp/hooks/vif/online.d/$h"
done
echo 'not executable: never run' >"$tmp/hooks/vif/online.d/30-data"
exits "hooks: run, the script goes on" 0 '^script went on$' lib online
[ "$(cat "$tmp/hooklog")" = "$(printf '%s\n' \
    '10-first online inst1 00:16:3e:00:00:01' \
    '20-second online inst1 00:16:3e:00:00:01')" ] &&
    ok "hooks: in name order, with the environment and the action" ||
    { show "$tmp/hooklog"; notok "hooks: in name order, with the environment"; }
printf '#!/bin/sh\necho "bad MAC $MAC" >&2\nexit 3\n' \
    >"$tmp/hooks/vif/online.d/15-fail"
chmod +x "$tmp/hooks/vif/online.d/15-fail"
exits "hooks: a failing hook fails online with its message" 1 \
    '15-fail: exit 3: bad MAC 00:16:3e:00:00:01' lib online
grep -q 'script went on' "$T/out" && notok "hooks: the script stopped" ||
    ok "hooks: the script stopped at the failing hook"
printf '#!/bin/sh\necho "bad" >&2\nexit 1\n' \
    >"$tmp/hooks/vif/offline.d/10-fail"
chmod +x "$tmp/hooks/vif/offline.d/10-fail"
exits "hooks: a failing hook does not stop offline" 0 '^script went on$' \
    lib offline
grep -q '10-fail: exit 1: bad' "$tmp/log" && ok "hooks: ... and is logged" ||
    notok "hooks: the failing offline hook is logged"
rm "$tmp/hooks/vif/online.d/15-fail"
printf '#!/bin/sh\necho $$ >"%s"\nexec sleep 1000\n' "$tmp/hang.pid" \
    >"$tmp/hooks/vif/online.d/15-hang"
chmod +x "$tmp/hooks/vif/online.d/15-hang"
XK_HOTPLUG_HOOK_TIMEOUT=1 exits "hooks: a hanging hook is killed, online fails" \
    1 '15-hang: killed after 1 s' lib online
pid=$(cat "$tmp/hang.pid")
kill -0 "$pid" 2>/dev/null && { kill "$pid"; notok "hooks: the hung hook is gone"; } ||
    ok "hooks: the hung hook is gone"
rm "$tmp/hooks/vif/online.d/15-hang"

# --- Ganeti's NIC file: read, not run
cat >"$tmp/nic" <<EOF2
TAGS="web prod\\ 1"
NETWORK_NAME="net1"
NETWORK_SUBNET="10.0.0.0/24"
NETWORK_GATEWAY="10.0.0.1"
MAC=aa:00:00:11:22:33
IP=10.0.0.5
INTERFACE_INDEX=0
INTERFACE_NAME=eth-web
INTERFACE_UUID=5d4e9b2c-0000-4000-8000-000000000001
MODE=bridged
LINK=br-web
VLAN=
\$(touch $tmp/ran)
\`touch $tmp/ran\`
PATH=/nonexistent
EOF2
mkscript <<EOF2
net_nic_file "$tmp/nic"
env | grep -E '^NETWORK_' | sort
echo "TAGS=\$TAGS MAC=\$MAC IP=\$IP MODE=\$MODE LINK=\$LINK VLAN=\$VLAN"
echo "IF=\$INTERFACE_INDEX \$INTERFACE_NAME \$INTERFACE_UUID PATH=\$PATH"
EOF2
lib online >"$tmp/nic.out" 2>&1
cat >"$tmp/nic.want" <<EOF2
NETWORK_GATEWAY=10.0.0.1
NETWORK_NAME=net1
NETWORK_SUBNET=10.0.0.0/24
TAGS=web prod\\ 1 MAC=aa:00:00:11:22:33 IP=10.0.0.5 MODE=bridged LINK=br-web VLAN=
IF=0 eth-web 5d4e9b2c-0000-4000-8000-000000000001 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
EOF2
cmp -s "$tmp/nic.out" "$tmp/nic.want" && ok "Ganeti NIC file: its keys, no other" ||
    { diff "$tmp/nic.want" "$tmp/nic.out" | sed 's/^/#   /'; notok "Ganeti NIC file: its keys"; }
[ ! -e "$tmp/ran" ] && ok "Ganeti NIC file: not run" || notok "Ganeti NIC file: it ran code"

# --- the scripts' own parsers (block-nbd's URL, vif-openvswitch's
# bridge spec), taken out of the scripts as they are and run alone
fn() { sed -n "/^$2() {/,/^}/p" "$HP/$1"; }
{ fn block-nbd nbd_parse; fn vif-openvswitch ovs_vlan
  fn vif-openvswitch ovs_parse; fn block-iscsi iscsi_parse
  fn block-iscsi iscsi_read_secrets; fn block-gluster gl_parse
  fn block-rbd rbd_parse
  fn vif-nat nat_quad; fn vif-nat nat_addr; } >"$tmp/parsers.sh"
mkscript <<EOF2
. "$tmp/parsers.sh"
iscsi_secrets=$tmp/secrets gl_mounts=/run/xenkit-gluster
case \$XKT_PARSER in
nbd) nbd_parse "\$XKT_INPUT"; echo "host=\$host port=\$port export=\$export" ;;
ovs) bridge=\$XKT_INPUT; ovs_parse; echo "br=\$ovs_br tag=\$tag trunks=\$trunks" ;;
iscsi) iscsi_parse "\$XKT_INPUT"
	echo "iqn=\$iqn portal=\$portal lun=\$lun chap=\$chap" ;;
gluster) gl_parse "\$XKT_INPUT"; echo "mnt=\$mnt path=\$path lock=\$gl_name" ;;
rbd) rbd_parse "\$XKT_INPUT"
	echo "spec=\$rbd_spec snap=\$snap id=\$id conf=\$conf lock=\$rbd_name" ;;
nat) ip=\$XKT_INPUT hp_domid=\$XKT_DOMID hp_devid=\$XKT_DEVID; nat_addr
	echo "vif=\$vif_ip/\$prefix mask=\$mask router=\$router_ip host=\$hostname" ;;
secrets) chap=\$XKT_INPUT; iscsi_read_secrets
	echo "user=\$chap_user in=\$chap_user_in pass=\${#chap_pass}" ;;
esac
EOF2
nbd() { XKT_PARSER=nbd XKT_INPUT=$1 exits "nbd URL $1" "$2" "$3" lib add; }
nbd nbd://srv 0 '^host=srv port=10809 export=$'
nbd nbd://srv:10810/disk1 0 '^host=srv port=10810 export=disk1$'
nbd nbd://10.0.0.1/vms/a.img 0 '^host=10.0.0.1 port=10809 export=vms/a.img$'
nbd 'nbd://[fd00::1]:10811/e' 0 '^host=fd00::1 port=10811 export=e$'
nbd 'nbd://[fd00::1]' 0 '^host=fd00::1 port=10809 export=$'
nbd http://srv/e 1 'not an NBD URL'
nbd nbd:// 1 "host '' is not a host name"
nbd nbd://-oProxy=x/e 1 'is not a host name or address'
nbd 'nbd://h$(id)/e' 1 'is not a host name or address'
nbd nbd://h:0/e 1 "port '0' is not a number"
nbd nbd://h:010/e 1 "port '010' is not a number"
nbd nbd://h:65536/e 1 'port 65536 is not a number from 1 to 65535'
nbd nbd://h:123456/e 1 'port 123456 is not a number'
nbd nbd://h:1x/e 1 "port '1x' is not a number"
nbd 'nbd://h/e;rm' 1 "export 'e;rm' has characters other than"
nbd nbd://h/-x 1 "export '-x' has characters other than"
ovsb() { XKT_PARSER=ovs XKT_INPUT=$1 exits "ovs bridge=$1" "$2" "$3" lib online; }
ovsb br0 0 '^br=br0 tag= trunks=$'
ovsb br0.10 0 '^br=br0 tag=10 trunks=$'
ovsb br0.10:20:30 0 '^br=br0 tag=10 trunks=20,30$'
ovsb br-int:0:4095 0 '^br=br-int tag= trunks=0,4095$'
ovsb br0.0 1 "VLAN tag '0' is not 1 to 4095"
ovsb br0.4096 1 "VLAN tag '4096' is not 1 to 4095"
ovsb br0.x 1 "VLAN tag 'x' is not 1 to 4095"
ovsb br0:20:abc 1 "trunk 'abc' is not a VLAN id"
ovsb br0:20: 1 "bridge=br0:20:: an empty trunk"
ovsb br0: 1 "bridge=br0:: an empty trunk"
ovsb br0:20::30 1 "an empty trunk"
ovsb -br.10 1 "'-br' is not a bridge name"
ovsb 'b$r' 1 "is not a bridge name"

is() { XKT_PARSER=iscsi XKT_INPUT=$1 exits "iscsi target $1" "$2" "$3" lib add; }
Q=iqn.2026-12.org.example:disk
is "iqn=$Q,portal=10.0.0.5" 0 "^iqn=$Q portal=10.0.0.5:3260 lun=0 chap=\$"
is "portal=srv:3261,iqn=$Q,lun=3,chap=vm-1" 0 "^iqn=$Q portal=srv:3261 lun=3 chap=vm-1\$"
is "iqn=$Q,portal=[fd00::1]:3262,lun=16383" 0 "portal=\\[fd00::1\\]:3262 lun=16383 "
is "iqn=$Q,portal=[fd00::1]" 0 "portal=\\[fd00::1\\]:3260 "
is "iqn=$Q,portal=srv,multipath=n" 0 "^iqn=$Q portal=srv:3260 "
is "iqn=eui.02004567A425678D,portal=srv" 0 "^iqn=eui.02004567A425678D "
is "iqn=$Q,portal=srv,multipath=y" 1 'multipath=y is not supported'
is "iqn=$Q,portal=srv,user=x" 1 "'user=x' is not iqn=, portal=, lun=, chap= or multipath="
is "portal=srv" 1 'no iqn=iqn'
is "iqn=disk1,portal=srv" 1 'no iqn=iqn'
is "iqn=$Q;reboot,portal=srv" 1 "has characters other than letters, digits and"
is "iqn=$Q" 1 "portal host '' is not a host name"
is "iqn=$Q,portal=-oX" 1 "portal host '-oX' is not a host name"
is "iqn=$Q,portal=srv:0" 1 "portal port '0' is not a number"
is "iqn=$Q,portal=srv:65536" 1 'portal port 65536 is not a number'
is "iqn=$Q,portal=srv,lun=16384" 1 "lun '16384' is not a number from 0 to 16383"
is "iqn=$Q,portal=srv,lun=01" 1 "lun '01' is not a number"
is "iqn=$Q,portal=srv,lun=" 1 "lun '' is not a number"
is "iqn=$Q,portal=srv,chap=../etc/shadow" 1 "chap '../etc/shadow' is not a file name"
is "iqn=$Q,portal=srv,chap=.hidden" 1 "chap '.hidden' is not a file name"
gl() { XKT_PARSER=gluster XKT_INPUT=$1 exits "gluster URL $1" "$2" "$3" lib add; }
gl gluster://srv/vol/a.img 0 '^mnt=/run/xenkit-gluster/vol@srv:24007 path=a.img lock=gluster-vol@srv:24007$'
gl gluster+tcp://10.0.0.1:24010/v_1/vms/b.img 0 '^mnt=/run/xenkit-gluster/v_1@10.0.0.1:24010 path=vms/b.img '
gl 'gluster://[fd00::1]/v/a' 0 '^mnt=/run/xenkit-gluster/v@fd00::1:24007 path=a '
gl gluster+rdma://srv/v/a 1 'not a GlusterFS URL'
gl gluster://srv/vol 1 'no VOLUME/PATH after the host'
gl gluster://srv/vol/ 1 'no VOLUME/PATH after the host'
gl gluster://srv:1023/v/a 1 'port 1023 is not a number from 1024 to 65535'
gl gluster://srv:x/v/a 1 "port 'x' is not a number"
gl 'gluster://s;rv/v/a' 1 "host 's;rv' is not a host name"
gl gluster://srv/-v/a 1 "volume '-v' is not a GlusterFS volume name"
gl gluster://srv/v/../../etc/shadow 1 "path '../../etc/shadow' has characters other than"
gl gluster://srv/v/a/./b 1 "path 'a/./b' has characters"
gl gluster://srv/v/a//b 1 "path 'a//b' has characters"
gl 'gluster://srv/v/a$(id)' 1 'has characters other than'
rb() { XKT_PARSER=rbd XKT_INPUT=$1 exits "rbd target $1" "$2" "$3" lib add; }
rb rbd:rbd/vm1 0 '^spec=rbd/vm1 snap= id=admin conf=/etc/ceph/ceph.conf lock=rbd-rbd-vm1$'
rb rbd:vms/a.disk@s1 0 '^spec=vms/a.disk@s1 snap=s1 id=admin conf=/etc/ceph/ceph.conf lock=rbd-vms-a.disk@s1$'
rb rbd:p/i:id=xen:conf=/srv/c/ceph.conf 0 '^spec=p/i snap= id=xen conf=/srv/c/ceph.conf '
rb rbd:p/i:conf=/c.conf:id=x_1 0 ' id=x_1 conf=/c.conf '
rb rbd://p/i 1 "pool '' has characters"
rb rbd:p/i@ 1 "an empty snapshot name after @"
rb rbd:p/i@a@b 1 "snapshot 'a@b' has characters"
rb ceph:p/i 1 'not an RBD target'
rb rbd:p 1 'no POOL/IMAGE'
rb rbd:p/ 1 'no POOL/IMAGE'
rb rbd:p/i:key=AQBx 1 "option 'key=AQBx' is not id=NAME or conf=FILE"
rb rbd:p/i:id= 1 "id '' has characters"
rb 'rbd:p/i$(id)' 1 "image 'i.*' has characters"
rb rbd:p/a/b 1 "image 'a/b' has characters"
rb rbd:-p/i 1 "pool '-p' has characters other than"
rb rbd:p/i@-s 1 "snapshot '-s' has characters"
rb rbd:p/i:id=-x 1 "id '-x' has characters"
rb rbd:p/i:conf=c.conf 1 "conf 'c.conf' is not an absolute path"
rb rbd:p/i:conf=/etc/../c 1 "conf '/etc/../c' is not an absolute path"
rb 'rbd:p/i:conf=/a b' 1 "conf '/a b' is not an absolute path"
# vif-nat's addresses, Xen's rules: domain D, vif N
nat() { XKT_PARSER=nat XKT_INPUT=$1 XKT_DOMID=$2 XKT_DEVID=$3 \
    exits "vif-nat ip='$1' domain $2 vif $3" "$4" "$5" lib online; }
nat '' 5 0 0 '^vif=10.0.5.1/16 mask=255.255.0.0 router=10.0.5.128 host=dom5$'
nat '' 300 2 0 '^vif=10.1.44.3/16 mask=255.255.0.0 router=10.1.44.130 host=dom300-3$'
nat 192.168.7.9/24 5 0 0 '^vif=192.168.7.9/24 mask=255.255.255.0 router=192.168.7.136 '
nat 192.168.7.128 5 0 0 '^vif=192.168.7.128/32 mask=255.255.255.255 router=192.168.7.255 '
nat 192.168.7.129/24 5 0 1 'the last byte \+ 127 is over 255'
nat '10.0.0.1 10.0.0.2' 5 0 1 'vif-nat routes one address'
nat 10.0.0.1/33 5 0 1 "prefix '33' is not 1 to 32"
nat 10.0.0.1/ 5 0 1 "prefix '' is not 1 to 32"
nat 10.0.256.1/16 5 0 1 "'10.0.256.1' is not an IPv4 address"
nat 10.0.1/16 5 0 1 "'10.0.1' is not an IPv4 address"
nat 10.0.0.01/16 5 0 1 "'10.0.0.01' is not an IPv4 address"
nat 'fd00::1/64' 5 0 1 "is not an IPv4 address"
# CHAP secrets files: root's alone, known keys, the secret never said
mkdir "$tmp/secrets"
sec() { XKT_PARSER=secrets XKT_INPUT=$1 exits "iscsi secrets: $4" "$2" "$3" lib add; }
printf 'username=u1\npassword=s3cret-s3cret\n# a comment\n\n' >"$tmp/secrets/ok"
printf 'username=u1\npassword=p1\nusername_in=t1\npassword_in=p2' >"$tmp/secrets/mutual"
printf 'username=u1\npassword=s3cret-s3cret\npasword=typo-secret\n' >"$tmp/secrets/typo"
printf 'username=u1\n' >"$tmp/secrets/nopass"
printf 'username=u1\npassword=p1\nusername_in=t1\n' >"$tmp/secrets/half"
cp "$tmp/secrets/ok" "$tmp/secrets/open"
chmod 600 "$tmp/secrets"/*
chmod 640 "$tmp/secrets/open"
if [ "$(id -u)" -eq 0 ]; then
	sec ok 0 '^user=u1 in= pass=13$' "username and password"
	sec mutual 0 '^user=u1 in=t1 pass=2$' "mutual CHAP, no newline at the end"
	sec typo 1 'secrets/typo line 3: not username=, password=' "an unknown key: its line"
	grep -q typo-secret "$T/out" "$XK_HOTPLUG_LOG" &&
	    notok "iscsi secrets: the bad line is not repeated" ||
	    ok "iscsi secrets: the bad line is not repeated"
	sec nopass 1 'needs username= and password=' "no password"
	sec half 1 'one of username_in= and password_in= without the other' "half of mutual"
	sec open 1 'can be read by others than root \(mode 640; chmod 600\)' "a file others can read"
	sec nosuch 1 'chap=nosuch: no file .*/secrets/nosuch' "no such file"
else
	skip "iscsi secrets" "needs root (the files must be root's)"
fi

# --- the helper
H=$XK_HOTPLUG_HELPER
exits "helper: a read spec that is no variable" 2 'not a shell variable name' \
    "$H" read backend/vbd/1/2 'a;b=params'
exits "helper: write needs NODE=VALUE" 2 'not NODE=VALUE' "$H" write b x
exits "helper: share needs r or w" 2 'usage' "$H" share b /dev/null x
exits "helper: attach-disk needs r, w or !" 2 'usage' \
    "$H" attach-disk b /dev/null x /tmp 5
exits "helper: attach-disk needs a time" 2 'usage' \
    "$H" attach-disk b /dev/null r /tmp 0x
exits "helper: ident of a directory" 2 'neither a file nor a block device' \
    "$H" ident /
: >"$tmp/disk"
truncate -s 1M "$tmp/disk"
fid=$("$H" ident "$tmp/disk")
if loop=$(losetup -f --show -r "$tmp/disk" 2>/dev/null); then
	lid=$("$H" ident "$loop")
	losetup -d "$loop"
	[ "$fid" = "$lid" ] && ok "helper: a loop device is its file ($fid)" ||
	    notok "helper: loop $lid, file $fid"
else
	skip "helper: a loop device is its file" "no loop device here"
fi
finish
