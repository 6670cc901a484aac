#!/bin/sh
# xk-guest-disk (guest/bin/disk.c, blkfront) as PV and as PVH, each on
# its own raw file served by blkback through a loop device: "write"
# puts the pattern of a seed on 1001 sectors (not a multiple of a
# request or a page: the last request and the last page are partial),
# reads it back and powers off; dom0 then finds that pattern in the
# file, made independently here with awk; a second boot in "verify"
# mode finds it too (the pattern survives a reboot); a third with
# another seed finds a mismatch, says where on its console and
# crashes, seen by xl.  Then two back ends dom0 plays by hand in
# xenstore (the guest created paused, its vbd nodes written before it
# runs): one that never comes, one that reaches Connected with a
# "sectors" that is not a number; each guest says so on its console
# and crashes.  The disk's hotplug script is the lab's default block
# (xenkit's; not qdisk: see t7030).
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
# shellcheck source=events-lib.sh
. /usr/lib/xk-lab/tests/events-lib.sh
# shellcheck source=guest-lib.sh
. /usr/lib/xk-lab/tests/guest-lib.sh
ug_setup t7040
T=/var/tmp/t7040
N=1001
# a seed of this run's own, so that no earlier run's file can pass
seed=$(( ($$ * 7919 + $(date +%s)) % 999999990 + 1 ))
bad=$((seed + 1))
loops=
cleanup() {
	ev_cleanup
	[ -z "${betop:-}" ] || xenstore-rm "$betop" 2>/dev/null
	for l in $loops; do
		losetup -d "$l"
	done
	rm -rf $T
}
trap cleanup EXIT
rm -rf $T
mkdir -p $T

# pattern SEED N: the pattern disk.c documents, made by awk: sector s
# is "xk-disk seed=SEED sector=s\n", then the letters from
# 'a' + (SEED + s + offset) % 26 up to byte 510, then "\n"
pattern() {
	awk -v seed="$1" -v n="$2" 'BEGIN {
		a = "abcdefghijklmnopqrstuvwxyz"; A = ""
		for (k = 0; k < 22; k++) A = A a
		for (s = 0; s < n; s++) {
			h = "xk-disk seed=" seed " sector=" s "\n"
			l = length(h)
			printf "%s%s\n", h, substr(A, (seed + s + l) % 26 + 1, 511 - l)
		}
	}'
}

# boot MODE SEED: both guests, ev-disk-TYPE-MODE, on their disks
boot() {
	for t in pv pvh; do
		g=ev-disk-$t-$1
		ug_cfg "$g" xk-guest-disk $t "$1 seed=$2 sectors=$N timeout=120" \
		    'on_crash = "preserve"' \
		    "disk = [ \"format=raw, vdev=xvda, access=rw, backendtype=phy, target=$(cat $T/$t.loop)\" ]"
		create "$g"
	done
}

# powered_off MODE SEED: each said its pattern is verified and
# powered off (xl's reason code 0)
powered_off() {
	for t in pv pvh; do
		g=ev-disk-$t-$1
		wait_for 300 reason "$g" 0 || fail "$g: no poweroff (reason 0)"
		wait_for 30 said "disk: pattern verified seed=$2 sectors=$N ($t)" ||
		    fail "$g: no 'pattern verified' on its console"
		grep "xk-guest: disk:" "$CONSOLE/guest-$g.log" | tr -d '\r'
		wait_gone "$g" 120
	done
	g=
}

# empty back end directories that were not there at the start are
# removed at the end: libxl's clean-up of the hand-made vbds leaves them
had_be=
for p in /local/domain/0/backend /local/domain/0/backend/vbd; do
	xenstore-read $p >/dev/null 2>&1 && had_be="$had_be $p"
done

log "seed $seed, $N sectors; the expected image made by awk"
pattern "$seed" $N >$T/want || fail "awk"
[ "$(wc -c <$T/want)" -eq $((N * 512)) ] || fail "awk made $(wc -c <$T/want) bytes"
for t in pv pvh; do
	truncate -s 4M $T/$t.img || fail "truncate"
	l=$(losetup -f --show $T/$t.img) || fail "losetup"
	loops="$loops $l"
	echo "$l" >$T/$t.loop
done

log "write: the pattern goes on, is read back and verified"
boot write "$seed"
powered_off write "$seed"

log "dom0 finds the pattern in each file, the rest still zero"
for t in pv pvh; do
	l=$(cat $T/$t.loop)
	head -c $((N * 512)) $T/$t.img | cmp - $T/want ||
	    fail "$t.img does not hold the pattern: $(head -c 64 $T/$t.img | od -c | head -n 3)"
	tail -c +$((N * 512 + 1)) $T/$t.img | tr -d '\0' | wc -c | grep -qx 0 ||
	    fail "$t.img: bytes past sector $N are not zero"
	echo "$t.img: the first $N sectors are the pattern"
done

log "verify after a reboot: the pattern survives"
boot verify "$seed"
powered_off verify "$seed"

log "verify with another seed: a mismatch, a crash"
for t in pv pvh; do
	ug_cfg ev-disk-$t-bad xk-guest-disk $t "verify seed=$bad sectors=$N timeout=120" \
	    'on_crash = "preserve"' \
	    "disk = [ \"format=raw, vdev=xvda, access=rw, backendtype=phy, target=$(cat $T/$t.loop)\" ]"
	create ev-disk-$t-bad
done
for t in pv pvh; do
	g=ev-disk-$t-bad
	wait_for 300 reason "$g" 3 || fail "$g: no crash (reason 3)"
	state "$g" | grep -q c || fail "$g: not crashed: $(state $g)"
	wait_for 30 said "panic: disk: pattern mismatch at sector 0 byte [0-9]* (seed $bad)" ||
	    fail "$g: the console does not say where the pattern differs"
	! said "disk: pattern verified" || fail "$g: verified a wrong seed"
	grep "xk-guest: panic" "$CONSOLE/guest-$g.log" | tr -d '\r'
	destroy "$g"
done
g=

# fake NAME: a disk guest (PV) created paused, its vbd 51712 pointing
# at $be, a back end node only dom0's hand writes; started once the
# node is there, with a 5 s timeout
fake() {
	g=$1
	ug_cfg "$g" xk-guest-disk pv "verify seed=1 sectors=1 timeout=5" \
	    'on_crash = "preserve"'
	timeout 300 xl create -p "/tmp/$g.cfg" >"/tmp/$g.create" 2>&1 ||
	    fail "xl create -p $g: $(cat "/tmp/$g.create")"
	id=$(ug_domid "$g")
	d=/local/domain/$id/device/vbd/51712
	be=/local/domain/0/backend/vbd/$id/51712
	xenstore-write "$d/backend" "$be" "$d/backend-id" 0 "$d/state" 1 ||
	    fail "cannot write $d"
	xenstore-chmod -r "$d" "b$id" || fail "cannot give $d to domid $id"
	# what to remove after: the first of $be's ancestors not there yet
	betop=$be
	for _p in /local/domain/0/backend /local/domain/0/backend/vbd \
	    "/local/domain/0/backend/vbd/$id"; do
		xenstore-read "$_p" >/dev/null 2>&1 && continue
		betop=$_p
		break
	done
}
# a function, not sh -c: pgrep -f would find the sh's own command line
monitor_gone() { ! pgrep -f "xl create -p /tmp/$1.cfg" >/dev/null; }
# crashed_saying WHAT: the guest crashed (xl's reason 3), its console
# says WHAT
crashed_saying() {
	wait_for 300 reason "$g" 3 || fail "$g: no crash (reason 3)"
	wait_for 30 said "panic: disk: $1" ||
	    fail "$g: the console does not say '$1'"
	grep "xk-guest: panic" "$CONSOLE/guest-$g.log" | tr -d '\r'
	destroy "$g"
	# xl's monitor of the domain ends last, after libxl removed what
	# it found of the hand-made vbd (lib.sh's gone() looks for "xl
	# create /tmp/...", not "xl create -p")
	wait_for 120 monitor_gone "$g" || fail "xl's monitor of $g is still there"
	xenstore-rm "$betop" 2>/dev/null
	betop=
}

log "a back end that never comes: reported within the guest's 5 s"
fake ev-disk-never
timeout 20 xl unpause "$g" || fail "xl unpause $g"
crashed_saying "device/vbd/51712: back end $be (domain 0) not ready within 5 s: its state Unknown"

log "a back end that connects with garbage: reported, not used"
fake ev-disk-garbage
xenstore-write "$be/state" 2 || fail "cannot write $be"
xenstore-chmod -r "$be" n0 "r$id" || fail "cannot let domid $id read $be"
timeout 20 xl unpause "$g" || fail "xl unpause $g"
front_is() { [ "$(xenstore-read "$d/state" 2>/dev/null)" = "$1" ]; }
wait_for 120 front_is 3 || fail "$g: never Initialised: $(xenstore-read "$d/state")"
[ -n "$(xenstore-read "$d/ring-ref")" ] || fail "$g: Initialised without a ring-ref"
xenstore-write "$be/sectors" 8192x "$be/sector-size" 512 "$be/info" 0 ||
    fail "cannot write $be"
xenstore-chmod -r "$be" n0 "r$id" || fail "cannot let domid $id read $be"
xenstore-write "$be/state" 4 || fail "cannot write $be/state"
crashed_saying "back end's $be/sectors is \"8192x\": not a number"
g=
for p in /local/domain/0/backend/vbd /local/domain/0/backend; do
	case " $had_be " in *" $p "*) continue ;; esac
	[ -z "$(xenstore-list $p 2>/dev/null)" ] || continue
	xenstore-rm $p 2>/dev/null
done
