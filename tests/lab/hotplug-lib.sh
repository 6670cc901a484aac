# shellcheck shell=sh disable=SC2034 # HP, PING: for the tests that source this
# hotplug-lib.sh - what the hotplug scripts' lab tests share (t85xx),
# sourced after lib.sh: ping, the vif tests' guests, the clean-up of
# their exit trap, and the block tests' refusals and shared resources
# (a test's files are in $T).
HP=/usr/lib/xenkit/hotplug
# iputils' ping where the image has it, else busybox's
PING=ping
command -v ping >/dev/null 2>&1 || PING="busybox ping"
names=

# net_guest NAME IP VIF: /tmp/NAME.cfg, an xk-guest-net guest (PV, 4 MiB)
# answering ping at IP, with the vif spec VIF; NAME is remembered for
# hp_guests_cleanup
net_guest() {
	names="$names $1"
	disk_guest_cfg "$1" pv sleep
	sed -i -e "s|^kernel = .*|kernel = \"$UKDIR/xk-guest-net\"|" \
	    -e "s|^extra = .*|extra = \"ip=$2\"|" "/tmp/$1.cfg"
	echo "vif = [ \"$3\" ]" >>"/tmp/$1.cfg"
}

# net_ready NAME: the guest says it answers
net_ready() {
	wait_for 120 grep -q "xk-guest: ready ip" "$CONSOLE/guest-$1.log" ||
	    fail "$1 is not ready: $(cat "$CONSOLE/guest-$1.log")"
}

# hp_guests_cleanup RC: the scripts' log when the test failed (RC not
# 0), then every guest net_guest made is destroyed and its files go
hp_guests_cleanup() {
	hp_failed_log "$1"
	for _d in $names; do
		exists "$_d" && timeout 60 xl destroy "$_d" >/dev/null 2>&1
		rm -f "/tmp/$_d.cfg" "/var/log/xen/xl-$_d.log"*
	done
}

# hp_failed_log RC: the end of the scripts' log when the test failed
# (RC not 0)
hp_failed_log() {
	[ "$1" -ne 0 ] && [ -f "$XK_HOTPLUG_LOG" ] || return 0
	echo "--- the scripts' log"
	tail -n 30 "$XK_HOTPLUG_LOG"
}

# hp_cfg NAME ACTIONS ACCESS SCRIPT TARGET: /tmp/NAME.cfg, an
# xk-guest-disk guest doing ACTIONS on one disk, TARGET attached by
# xenkit's SCRIPT with ACCESS (r, rw)
hp_cfg() {
	disk_guest_cfg "$1" pv "$2" "disk = [ \"format=raw, vdev=xvda, \
access=$3, script=$HP/$4, target=$5\" ]"
}

# hp_no_locks WHAT: nothing is left in the scripts' lock directory
# (locks, user records)
hp_no_locks() {
	[ -z "$(ls -A /run/xenkit-hotplug 2>/dev/null)" ] ||
	    fail "$1: files left in /run/xenkit-hotplug: $(ls /run/xenkit-hotplug)"
}

# hp_wrote NAME SAID: the guest of /tmp/NAME.cfg (xk-guest-disk writing,
# verifying and powering off) boots, verifies its pattern and goes, and
# the scripts' log says SAID
hp_wrote() {
	timeout 120 xl create "/tmp/$1.cfg" >"$T/create.out" 2>&1 || {
		cat "$T/create.out"
		fail "xl create $1"
	}
	wait_marker "$1" 120
	wait_gone "$1" 120
	grep -q "xk-guest: verify ok" "$CONSOLE/guest-$1.log" ||
	    fail "$1: $(grep xk-guest "$CONSOLE/guest-$1.log")"
	grep -q -- "$2" "$XK_HOTPLUG_LOG" ||
	    fail "the scripts' log does not say '$2': $(cat "$XK_HOTPLUG_LOG")"
}

# hp_rounds N NAME COUNT: N rounds of /tmp/NAME.cfg created paused and
# destroyed; after each create COUNT (a function printing how many of
# the backend's resources dom0 holds: connections, sessions, mounts)
# says 1, after each destroy 0; no lock file is left
hp_rounds() {
	_i=0
	_times=
	while [ $_i -lt "$1" ]; do
		_t0=$(date +%s%N)
		timeout 120 xl create -p "/tmp/$2.cfg" >"$T/create.out" 2>&1 || {
			cat "$T/create.out"
			fail "round $_i: xl create"
		}
		_t1=$(date +%s%N)
		[ "$($3)" -eq 1 ] || fail "round $_i: $($3) held, not 1"
		timeout 60 xl destroy "$2" || fail "round $_i: xl destroy"
		wait_for 30 hp_none "$3" || fail "round $_i: $($3) still held"
		_times="$_times $(((_t1 - _t0) / 1000000))+$((($(date +%s%N) - _t1) / 1000000))"
		_i=$((_i + 1))
	done
	log "create+destroy ms:$_times"
	[ -z "$(ls -A /run/xenkit-hotplug 2>/dev/null)" ] ||
	    fail "lock files left: $(ls /run/xenkit-hotplug)"
}

# hp_none COUNT: COUNT says 0 (read again at each of wait_for's tries)
# shellcheck disable=SC2317 # called through wait_for
hp_none() { [ "$($1)" -eq 0 ]; }

# hp_killed NAME SCRIPT: the add of /tmp/NAME.cfg's disk is SIGKILLed,
# as libxl's timeout does, at its last step (a block/add.d hook that
# waits: by then the device is attached): xl create fails, and the
# remove libxl runs next must undo it all (the caller checks that
# nothing is left)
hp_killed() {
	mkdir -p "$T/hooks/block/add.d" || fail "mkdir $T/hooks"
	printf '#!/bin/sh\necho $$ >%s/hook.pid\nexec sleep 100\n' "$T" \
	    >"$T/hooks/block/add.d/50-wait" &&
	    chmod +x "$T/hooks/block/add.d/50-wait" || fail "cannot write the hook"
	rm -f "$T/hook.pid"
	env XK_HOTPLUG_HOOKS="$T/hooks" XK_HOTPLUG_HOOK_TIMEOUT=100 \
	    XK_HOTPLUG_BUDGET=100 timeout 150 xl create "/tmp/$1.cfg" \
	    >"$T/create.out" 2>&1 &
	_xl=$!
	wait_for 60 test -s "$T/hook.pid" || fail "the add did not reach its hook"
	pkill -KILL -f "$HP/$2 add" || fail "no $2 add to kill"
	kill "$(cat "$T/hook.pid")"
	if wait $_xl; then
		fail "xl create succeeded with its script killed"
	fi
	cat "$T/create.out"
	! exists "$1" || fail "$1 is left over"
	rm -rf "$T/hooks" "$T/hook.pid"
}

# hp_refused NAME WHAT: xl create of /tmp/NAME.cfg fails, saying WHAT
# (xl prints the script's hotplug-error), and leaves no domain
hp_refused() {
	if timeout 120 xl create "/tmp/$1.cfg" >"$T/create.out" 2>&1; then
		fail "$1: xl create succeeded (wanted: $2)"
	fi
	cat "$T/create.out"
	grep -q -- "$2" "$T/create.out" || fail "xl create did not say '$2'"
	! exists "$1" || fail "$1 is left over"
}

# hp_shared_pair COUNT WHAT WHY A B C: the paused guests A and B
# (/tmp/A.cfg...) have two disks of one WHAT (an iSCSI target's
# session, a mounted volume), and dom0 has one (COUNT prints how many);
# C, on A's disk read-write, is refused saying WHY; the WHAT stays when
# A goes, as B still uses it; B goes too (the caller checks the rest)
hp_shared_pair() {
	_cnt=$1 _what=$2 _why=$3
	shift 3
	for _d in "$1" "$2"; do
		timeout 120 xl create -p "/tmp/$_d.cfg" >"$T/create.out" 2>&1 || {
			cat "$T/create.out"
			fail "xl create -p $_d"
		}
	done
	[ "$($_cnt)" -eq 1 ] || fail "$($_cnt) of $_what for two disks on one"
	if timeout 120 xl create -p "/tmp/$3.cfg" >"$T/create.out" 2>&1; then
		fail "$1's disk attached read-write to $3 as well"
	fi
	cat "$T/create.out"
	grep -q -- "$_why" "$T/create.out" || fail "the refusal does not say why"
	timeout 60 xl destroy "$1" || fail "xl destroy $1"
	[ "$($_cnt)" -eq 1 ] || fail "the $_what went with the first of its two disks"
	timeout 60 xl destroy "$2" || fail "xl destroy $2"
}
