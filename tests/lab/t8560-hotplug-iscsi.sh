#!/bin/sh
# xenkit's block-iscsi hotplug script (share/hotplug/block-iscsi) under
# xl with script= and target=iqn=...,portal=...,lun=N, against a real
# iSCSI target in dom0 (tgt, file-backed LUNs) and open-iscsi's
# initiator:
# - xk-guest-disk writes its pattern through blkback to LUN 2 and
#   verifies it: the pattern is in LUN 2's file, LUN 1's is untouched,
#   and the session and its node record are gone after the guest; a
#   second boot reads the pattern back;
# - 20 attach/detach rounds (XK_T8560_ROUNDS) of a paused guest: one
#   session while attached, none after, no node record or lock file;
# - a CHAP target: the secret comes from a root-only file and is on no
#   command line (sampled while the add runs), in no log and not in
#   xenstore;
# - two guests on two LUNs of one target share one session, which
#   stays until the last of them goes; the same LUN read-write to a
#   third is refused; a session logged in by hand is used and left;
# - failures, each with its reason from xl create and no session or
#   node record left: a wrong secret, a secrets file others can read, a
#   LUN the target does not have, LUN 0 (tgt's controller, not a disk),
#   a target the portal does not offer, a refused portal, and a target
#   that stops answering (tgtd stopped), ended by the script's own
#   budget where Xen's block-iscsi waits for libxl's SIGKILL;
# - an add SIGKILLed after its login and attach (as libxl's timeout
#   does): the remove libxl runs next logs out, nothing is left.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
# shellcheck source=hotplug-lib.sh
. /usr/lib/xk-lab/tests/hotplug-lib.sh
T=/var/tmp/t8560
PORT=3261
IQN=iqn.2026-12.org.xenkit:t8560
IQNC=iqn.2026-12.org.xenkit:t8560-chap
SECRET=Xk8560-not-on-argv
g=xk-t8560
g2=xk-t8560b
g3=xk-t8560c
export XK_HOTPLUG_LOG=$T/hotplug.log
export XK_HOTPLUG_ISCSI_SECRETS=$T/secrets
# shellcheck disable=SC2317 # called by the trap below
cleanup() {
	hp_failed_log $?
	for d in $g $g2 $g3; do
		exists "$d" && timeout 60 xl destroy "$d" >/dev/null 2>&1
	done
	pkill -CONT -x tgtd
	timeout 30 iscsiadm -m node --logout >/dev/null 2>&1
	timeout 30 iscsiadm -m node -o delete >/dev/null 2>&1
	pkill -x iscsid
	# tgtd goes only when asked, with its targets gone first
	for tid in 1 2; do
		tgtadm --lld iscsi --op delete --force --mode target --tid "$tid"
	done >/dev/null 2>&1
	tgtadm --op delete --mode system >/dev/null 2>&1
	wait_for 30 none_running || pkill -KILL -x tgtd
	rm -rf "$T" /tmp/"$g"*.cfg /var/log/xen/xl-"$g"*.log*
}
trap cleanup EXIT
# shellcheck disable=SC2317 # called through wait_for
none_running() { ! pgrep -x iscsid >/dev/null && ! pgrep -x tgtd >/dev/null; }

# sessions: how many iSCSI sessions dom0 has; records: its node records
sessions() { ls -d /sys/class/iscsi_session/session* 2>/dev/null | wc -l; }
records() { find /etc/iscsi/nodes -mindepth 1 | wc -l; }
# shellcheck disable=SC2317 # called through wait_for
no_session() { [ "$(sessions)" -eq 0 ]; }
# left_clean WHAT: no session, no node record, no lock or user file
left_clean() {
	wait_for 30 no_session || fail "$1: $(sessions) sessions left"
	[ "$(records)" -eq 0 ] || fail "$1: node records left: $(find /etc/iscsi/nodes)"
	hp_no_locks "$1"
}
# cfg NAME ACTIONS TARGET: NAME's guest on the iSCSI disk TARGET
cfg() { hp_cfg "$1" "$2" rw block-iscsi "$3"; }
# refused TARGET WHAT: xl create fails, saying WHAT; nothing left
refused() {
	cfg $g write:xvda+poweroff "$1"
	hp_refused $g "$2"
	left_clean "$1"
}

[ -x "$HP/block-iscsi" ] || fail "no $HP/block-iscsi"
rm -rf $T
mkdir -p $T/secrets
for f in lun1 lun2 chap; do
	truncate -s 16M "$T/$f.img" || fail "truncate"
done
pgrep -x tgtd >/dev/null && fail "a tgtd runs already"
tgtd --iscsi portal=127.0.0.1:$PORT || fail "tgtd did not start"
# tgtd takes its management socket a moment after it forks
wait_for 10 tgtadm --lld iscsi --op show --mode sys >/dev/null ||
    fail "tgtd does not answer"
tgtadm --lld iscsi --op new --mode target --tid 1 -T $IQN &&
    tgtadm --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b $T/lun1.img &&
    tgtadm --lld iscsi --op new --mode logicalunit --tid 1 --lun 2 -b $T/lun2.img &&
    tgtadm --lld iscsi --op bind --mode target --tid 1 -I ALL &&
    tgtadm --lld iscsi --op new --mode target --tid 2 -T $IQNC &&
    tgtadm --lld iscsi --op new --mode logicalunit --tid 2 --lun 1 -b $T/chap.img &&
    tgtadm --lld iscsi --op bind --mode target --tid 2 -I ALL &&
    tgtadm --lld iscsi --op new --mode account --user xk-t8560 --password $SECRET &&
    tgtadm --lld iscsi --op bind --mode account --tid 2 --user xk-t8560 ||
    fail "cannot set up the targets"
# what systemd starts on an installed host (iscsid.socket)
pgrep -x iscsid >/dev/null || iscsid || fail "iscsid did not start"

log "write and verify LUN 2 of $IQN"
cfg $g write:xvda+verify:xvda+poweroff "iqn=$IQN,portal=127.0.0.1:$PORT,lun=2"
hp_wrote $g "add: $IQN LUN 2 on /dev/sd"
head -c 64 $T/lun2.img | grep -q "^xk-disk seed=" ||
    fail "the pattern is not in LUN 2's file: $(head -c 64 $T/lun2.img)"
cmp -s -n 16777216 $T/lun1.img /dev/zero || fail "LUN 1's file was written"
left_clean "after the guest"
log "a second boot reads it back"
cfg $g verify:xvda+poweroff "iqn=$IQN,portal=127.0.0.1:$PORT,lun=2"
hp_wrote $g "add: $IQN LUN 2 on /dev/sd"
left_clean "after the second boot"

n=${XK_T8560_ROUNDS:-20}
log "$n attach/detach rounds"
cfg $g sleep "iqn=$IQN,portal=127.0.0.1:$PORT,lun=1"
hp_rounds "$n" $g sessions
left_clean "after the rounds"

log "CHAP: the secret from a root-only file, on no command line"
printf 'username=xk-t8560\npassword=%s\n' $SECRET >$T/secrets/t8560
chmod 600 $T/secrets/t8560
cfg $g write:xvda+verify:xvda+sleep "iqn=$IQNC,portal=127.0.0.1:$PORT,lun=1,chap=t8560"
# the sampler's own command line must not hold the secret: a file does.
# It also keeps the iscsiadm command lines it saw: none would mean it
# looked at the wrong time, and proved nothing.
printf '%s\n' $SECRET >$T/pattern
printf '%s\n' $SECRET 'iscsiadm -m [a-z]*' >$T/sample
(
	while [ ! -e $T/stop ]; do
		cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\0' ' ' |
		    grep -o -f $T/sample >>$T/seen
	done
) &
sampler=$!
timeout 120 xl create "/tmp/$g.cfg" >$T/create.out 2>&1
rc=$?
: >$T/stop
wait $sampler
[ $rc -eq 0 ] || { cat $T/create.out; fail "xl create (CHAP)"; }
wait_for 120 said "verify " || fail "no verify: $(grep xk-guest "$CONSOLE/guest-$g.log")"
said "verify ok" || fail "CHAP: $(grep xk-guest "$CONSOLE/guest-$g.log")"
grep -F -q -f $T/pattern $T/seen && fail "the secret was on a command line"
grep -q iscsiadm $T/seen ||
    fail "the sampler saw no iscsiadm run: it proves nothing"
log "the sampler saw: $(sort $T/seen | uniq -c | paste -s -d ' ')"
if grep -r -l -F -f $T/pattern /var/log/xen "$XK_HOTPLUG_LOG"; then
	fail "the secret is in a log (above)"
fi
timeout 20 xenstore-ls -f | grep -F -f $T/pattern && fail "the secret is in xenstore"
[ "$(stat -c %a /etc/iscsi/nodes/$IQNC/*/default)" = 600 ] ||
    fail "the node record can be read by others"
destroy $g
left_clean "after the CHAP guest"

log "two LUNs of one target, one session; the same LUN twice refused"
cfg $g sleep "iqn=$IQN,portal=127.0.0.1:$PORT,lun=1"
cfg $g2 sleep "iqn=$IQN,portal=127.0.0.1:$PORT,lun=2"
cfg $g3 sleep "iqn=$IQN,portal=127.0.0.1:$PORT,lun=1"
hp_shared_pair sessions "sessions" \
    "$IQN LUN 1 (/dev/sd[a-z]*) is .*cannot be attached read-write" $g $g2 $g3
left_clean "after both"

log "a session logged in by hand is used, and left logged in"
timeout 60 iscsiadm -m discovery -t st -p 127.0.0.1:$PORT >/dev/null &&
    timeout 60 iscsiadm -m node -T $IQN -p 127.0.0.1:$PORT --login >/dev/null ||
    fail "cannot log in by hand"
cfg $g sleep "iqn=$IQN,portal=127.0.0.1:$PORT,lun=1"
timeout 120 xl create -p "/tmp/$g.cfg" >$T/create.out 2>&1 || {
	cat $T/create.out
	fail "xl create on a session logged in by hand"
}
destroy $g
[ "$(sessions)" -eq 1 ] || fail "the hand's session was logged out"
timeout 60 iscsiadm -m node --logout >/dev/null &&
    timeout 60 iscsiadm -m node -o delete || fail "cannot log out by hand"
left_clean "after the hand's session"

log "failures"
printf 'username=xk-t8560\npassword=wrong-secret-8560\n' >$T/secrets/wrong
chmod 600 $T/secrets/wrong
refused "iqn=$IQNC,portal=127.0.0.1:$PORT,lun=1,chap=wrong" \
    "login: iSCSI login failed due to authorization failure (initiator error 24)"
chmod 644 $T/secrets/t8560
refused "iqn=$IQNC,portal=127.0.0.1:$PORT,lun=1,chap=t8560" "can be read by others than root"
refused "iqn=$IQN,portal=127.0.0.1:$PORT,lun=7" "$IQN has no LUN 7 (its LUNs: 0 1 2)"
refused "iqn=$IQN,portal=127.0.0.1:$PORT,lun=0" "LUN 0 is not a disk (SCSI peripheral type 12)"
refused "iqn=$IQN-nosuch,portal=127.0.0.1:$PORT" \
    "127.0.0.1:$PORT does not offer $IQN-nosuch (it offers: $IQN $IQNC)"
refused "iqn=$IQN,portal=127.0.0.1:1" "discovery: cannot make connection to 127.0.0.1"
pkill -STOP -x tgtd || fail "cannot stop tgtd"
export XK_HOTPLUG_BUDGET=8
refused "iqn=$IQN,portal=127.0.0.1:$PORT" \
    "discovery: no answer from 127.0.0.1:$PORT within [0-9]* s"
unset XK_HOTPLUG_BUDGET
pkill -CONT -x tgtd
log "killed after its login and attach: the remove that follows cleans up"
cfg $g sleep "iqn=$IQN,portal=127.0.0.1:$PORT,lun=1"
hp_killed $g block-iscsi
left_clean "after the killed add"
exit 0
