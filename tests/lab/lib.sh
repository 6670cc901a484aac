# shellcheck shell=sh
# lib.sh - helpers for the lab tests; sourced by each tests/lab/t*.sh,
# which run inside dom0 (through `xk lab exec`).  Every wait polls a
# real condition and has a bound; a test fails by exiting non-zero.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# wait_for and the rest every area's tests share (tests/lib.sh, which
# the lab carries here)
# shellcheck source=../lib.sh
. /usr/lib/xk-lab/lib.sh
GUESTS=/usr/share/xenkit/lab/guests
# where `xk lab up` carries the unikernel guests of the build's guest/
UKDIR=/usr/lib/xk-lab/guests
CONSOLE=/var/log/xen/console

# fail MSG: the test fails; with $g set (the test's guest), show the
# end of its console and xl's log of it.
fail() {
	echo "FAIL: $*" >&2
	if [ -n "${g:-}" ]; then
		for f in "$CONSOLE/guest-$g.log" "/var/log/xen/xl-$g.log"; do
			[ -f "$f" ] || continue
			echo "--- $f" >&2
			tail -n 15 "$f" >&2
		done
	fi
	exit 1
}

# now_ms: monotonic enough for timings (date in ms)
now_ms() {
	echo $(( $(date +%s%N) / 1000000 ))
}

# log MSG: a timestamped step in the test's output
log() { echo "# $(date +%T) $*"; }

# What the test's guest ($g) said on its console, and its state:
# said WHAT (it said it), count WHAT (how often), at_least N WHAT (N
# times or more: a function, so that wait_for counts again each time),
# verdicts (its verify results in order, "ok FAILED ..."; the console's
# lines end in CR LF), paused, running (the domain exists, not paused,
# shut down, crashed or dying: a runnable vCPU waiting for the CPU
# shows as ------).
said() { grep -q "xk-guest: $1" "$CONSOLE/guest-$g.log"; }
count() { grep -c "xk-guest: $1" "$CONSOLE/guest-$g.log"; }
at_least() { [ "$(count "$2")" -ge "$1" ]; }
verdicts() {
	grep "xk-guest: verify" "$CONSOLE/guest-$g.log" | tr -d '\r' |
	    awk '{ print $3 }' | paste -s -d ' '
}
paused() { state "$g" | grep -q p; }
running() { exists "$g" && ! state "$g" | grep -q '[pscd]'; }

# Steps the snapshot tests share, on the test's guest $g:
# create_killed_at_commit SNAP [ARG...]: `xk snapshot create ARG... $g
# SNAP` killed after step 3 (every copy made, the domain still paused):
# the domain stays paused, list shows the interrupted create, and
# repair finishes it and unpauses the domain.
create_killed_at_commit() {
	_s=$1
	shift
	log "create $_s killed after step 3 (paused), then repair"
	XK_SNAPSHOT_FAULT=create:3 xk snapshot create "$@" "$g" "$_s"
	paused || fail "create:3 comes before the unpause: $(xl list "$g")"
	xk snapshot list "$g" | grep -q "interrupted create" ||
	    fail "the interrupted create should be pending"
	xk snapshot repair "$g" || fail "repair after create:3"
	running || fail "repair should unpause the domain: $(xl list "$g")"
	xk snapshot info "$g" "$_s" >/dev/null || fail "$_s should be finished"
}

# wrote_twice SECONDS: the guest's second write (after the snapshot)
# came within SECONDS, and both writes went well.
wrote_twice() {
	wait_for "$1" at_least 2 "write " ||
	    fail "the guest did not go on after the snapshot: $(
	    grep xk-guest "$CONSOLE/guest-$g.log")"
	[ "$(count "write ok")" -eq 2 ] ||
	    fail "writes: $(grep xk-guest "$CONSOLE/guest-$g.log")"
}

# revert_verified SNAP WANT: revert the stopped domain to SNAP, start
# it again with the test's own boot() verifying xvda and xvdb, and
# expect their verdicts to be WANT ("ok FAILED": xvda holds the pattern,
# xvdb, written after the snapshot, does not).
revert_verified() {
	log "revert $1 (the domain is down)"
	xk snapshot revert "$g" "$1" || fail "revert $1"
	boot "verify:xvda+verify:xvdb+sleep"
	wait_for 300 at_least 2 "verify " ||
	    fail "no verify results: $(grep xk-guest "$CONSOLE/guest-$g.log")"
	[ "$(verdicts)" = "$2" ] || fail "after the revert to $1, verify \
should say $2 (xvda, xvdb), not $(verdicts)"
}

# guest_cfg BASE NAME ACTIONS [LINE...]: write /tmp/NAME.cfg from the
# guest config BASE with name NAME, the guest doing ACTIONS (see
# share/lab/guest-init), plus extra config lines.
guest_cfg() {
	_base=$1 _name=$2 _do=$3
	shift 3
	if [ "$_base" = hvm ]; then
		hvm_cfg "$_name" "$_do" "$@"
		return
	fi
	{
		grep -v -E '^(name|extra) *=' "$GUESTS/$_base.cfg"
		echo "name = \"$_name\""
		echo "extra = \"console=hvc0 quiet xk.marker=$_name xk.do=$_do\""
		for l in "$@"; do
			echo "$l"
		done
	} >"/tmp/$_name.cfg"
	rm -f "$CONSOLE/guest-$_name.log"
}

# disk_guest_cfg NAME TYPE ACTIONS [LINE...]: /tmp/NAME.cfg for
# xk-guest-disk (guest/bin/disk.c, the unikernel) booted as TYPE (pv,
# pvh) doing ACTIONS, its do= list in the Linux guest's words
# (write:xvdX, verify:, wipe:, idle:, burn:, sleep, poweroff) and
# "hold" (wait for release NAME), with the seed the domain's name
# gives, in 4 MiB, plus extra config lines.  The guest of the tests
# where Linux is not what is tested: it boots in milliseconds, Linux in
# 6-10 s under TCG.
disk_guest_cfg() {
	_name=$1 _type=$2 _do=$3
	shift 3
	_seed=$(( $(printf '%s' "$_name" | cksum | cut -d' ' -f1) % 999999999 ))
	{
		echo "name = \"$_name\""
		echo "type = \"$_type\""
		echo "kernel = \"$UKDIR/xk-guest-disk\""
		echo "extra = \"do=$_do seed=$_seed marker=$_name timeout=300\""
		echo 'memory = 4'
		echo 'vcpus = 1'
		[ "$_type" != pvh ] || echo 'tsc_mode = "native"'
		echo 'on_crash = "preserve"'
		for l in "$@"; do
			echo "$l"
		done
	} >"/tmp/$_name.cfg"
	rm -f "$CONSOLE/guest-$_name.log"
}

# release NAME: the guest NAME, holding, goes on: xk-guest-disk reads
# data/release in its xenstore directory, the Linux test guest a line on
# its console (what is written to the console's pty is its input).
release() {
	_id=$(timeout 20 xl domid "$1") &&
	    xenstore-write "/local/domain/$_id/data/release" 1 ||
	    fail "cannot release $1"
	# the console line is the Linux guest's: not fatal, as its pty can
	# refuse a writer (seen: EACCES on an xk-guest-disk's in t6050)
	_tty=$(xenstore-read "/local/domain/$_id/console/tty" 2>/dev/null) &&
	    timeout 10 sh -c 'echo release >"$1"' sh "$_tty" 2>/dev/null
	return 0
}

# hvm_cfg NAME ACTIONS [LINE...]: an HVM guest boots from a disk, so
# its orders go on the disk: /root/NAME-boot.img, a copy of the image's
# boot disk with them in its syslinux.cfg.  The config's disk is that
# copy, unless a LINE sets disk = [...] itself (with the copy first).
hvm_cfg() {
	_name=$1 _do=$2
	shift 2
	cp /usr/lib/xk-lab/hvm-disk.img "/root/$_name-boot.img" ||
	    fail "cannot copy the HVM boot disk"
	printf '%s\n' 'DEFAULT xk' 'PROMPT 0' 'TIMEOUT 0' 'LABEL xk' \
	    '  KERNEL vmlinuz' '  INITRD guest.gz' \
	    "  APPEND console=ttyS0 console=hvc0 quiet xk.marker=$_name xk.do=$_do" \
	    >"/tmp/$_name.syslinux"
	MTOOLS_SKIP_CHECK=1 mcopy -o -i "/root/$_name-boot.img" \
	    "/tmp/$_name.syslinux" ::syslinux.cfg || fail "mcopy syslinux.cfg"
	rm -f "/tmp/$_name.syslinux"
	{
		grep -v -E '^(name|disk) *=' "$GUESTS/hvm.cfg"
		echo "name = \"$_name\""
		printf '%s\n' "$@" | grep -q '^disk *=' ||
		    echo "disk = [ \"format=raw, vdev=hda, access=rw, backendtype=qdisk, target=/root/$_name-boot.img\" ]"
		for l in "$@"; do
			echo "$l"
		done
	} >"/tmp/$_name.cfg"
	rm -f "$CONSOLE/guest-$_name.log"
}

# create NAME: xl create /tmp/NAME.cfg (bounded: 300 s, as a loaded
# 2-core host running several guests under TCG took over 120 s).
create() {
	timeout 300 xl create "/tmp/$1.cfg" >"/tmp/$1.create" 2>&1 || {
		cat "/tmp/$1.create" >&2
		fail "xl create $1"
	}
}

# create_retry NAME: create() after up to two tries of xl create: with
# qdisk disks, libxl's post-startup QMP exchange with the device model
# can time out under a loaded nested TCG host (rc=-9).
create_retry() {
	for _try in 1 2; do
		timeout 120 xl create "/tmp/$1.cfg" >"/tmp/$1.create" 2>&1 &&
		    return 0
		echo "xl create failed (try $_try): $(cat "/tmp/$1.create")"
		tail -n 15 "/var/log/xen/qemu-dm-$1.log"
		xl destroy "$1" >/dev/null 2>&1
	done
	exists "$1" || create "$1"
}

# snap_active DOMAIN FILE: the active image, in the snapshot catalog
# $XK_CATALOG, of DOMAIN's disk that began as FILE.
snap_active() {
	if [ ! -f "$XK_CATALOG" ]; then echo "$2"; return; fi
	# "active" is the first key (sorted), "current" the next
	xk snapshot list --json "$1" | sed -n '/"active"/,/"current"/p' |
	    sed -n 's/.*"path": "\(.*\)".*/\1/p' | grep "^$2" || echo "$2"
}

has_marker() {
	grep -q "xk-guest: marker $1" "$CONSOLE/guest-$1.log" 2>/dev/null
}

# markers NAME: how many times the guest printed its marker.
markers() {
	grep -s -c "xk-guest: marker $1" "$CONSOLE/guest-$1.log" || true
}

wait_marker() {
	wait_for "$2" has_marker "$1" || {
		tail -n 20 "$CONSOLE/guest-$1.log" >&2
		fail "$1: no marker within $2 s"
	}
}

exists() {
	timeout 20 xl domid "$1" >/dev/null 2>&1
}

# gone NAME: the domain is gone and so is the xl that monitored it
# (it exits a moment after the domain: the leak check would see it).
gone() {
	! exists "$1" && ! pgrep -f "xl create /tmp/$1.cfg" >/dev/null
}

wait_gone() {
	wait_for "$2" gone "$1" || fail "$1: still there after $2 s"
}

# state NAME: the state column of xl list (r-----, ---sc-, ...)
state() {
	timeout 20 xl list "$1" 2>/dev/null | awk 'NR == 2 { print $5 }'
}

# reason NAME CODE: xl's own log says the guest shut down with CODE.
reason() {
	grep -q "has shut down, reason code $2" "/var/log/xen/xl-$1.log" \
	    2>/dev/null
}

# destroy NAME: remove a domain left running on purpose.  A guest in a
# reboot loop may be between two domains when we look: keep destroying
# until neither it nor its xl monitor is left.  While xl's monitor
# still watches it, a destroy that lands while xl re-creates it leaves
# the half-built domain's xenstore behind (libxl), so only a domain xl
# has finished building (its log says it waits for it to die) is taken:
# paused first, so that it cannot ask for another reboot, and
# destroyed unless it asked already.
destroy_once() {
	if exists "$1" && pgrep -f "xl create /tmp/$1.cfg" >/dev/null; then
		_id=$(timeout 20 xl domid "$1") || return 1
		grep -q "Waiting for domain $1 (domid $_id) to die" \
		    "/var/log/xen/xl-$1.log" 2>/dev/null || return 1
		timeout 20 xl pause "$_id" >/dev/null 2>&1 || return 1
		case $(state "$1") in
		*s*|*c*|*d*)	# it asked before the pause: let xl act
			timeout 20 xl unpause "$_id" >/dev/null 2>&1
			return 1 ;;
		esac
		timeout 60 xl destroy "$_id" >/dev/null 2>&1
	elif exists "$1"; then
		timeout 60 xl destroy "$1" >/dev/null 2>&1
	fi
	gone "$1"
}
destroy() {
	wait_for 120 destroy_once "$1" || fail "$1: cannot destroy it"
}
