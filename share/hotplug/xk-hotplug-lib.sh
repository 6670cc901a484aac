# shellcheck shell=sh
# xk-hotplug-lib.sh - what every xenkit hotplug script shares; the API
# is documented in xk-hotplug(7).  Sourced by a script that libxl runs
# as "SCRIPT add|remove|online|offline [KEY=VALUE...]" with XENBUS_PATH
# in its environment.  POSIX sh (dash): no fork where a builtin does,
# and one helper process (xk-hotplug-helper) for several xenstore nodes.
#
# Settings (environment; xl passes its own environment on):
#   XK_HOTPLUG_LOG           log file (default /var/log/xen/xk-hotplug.log)
#   XK_HOTPLUG_LOCKDIR       lock files (default /run/xenkit-hotplug)
#   XK_HOTPLUG_HOOKS         hook directories (default /etc/xen/hooks)
#   XK_HOTPLUG_HOOK_TIMEOUT  seconds one hook may take (default 10)
#   XK_HOTPLUG_BUDGET        seconds the whole script may take before it
#                            gives up on its own (default 30; libxl
#                            kills it at 40)
#   XK_HOTPLUG_HELPER        the helper (default: beside the script)

export LC_ALL=C
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
case $0 in
*/*) hp_dir=${0%/*} ;;
*) hp_dir=. ;;
esac
hp_name=${0##*/}
hp_helper=${XK_HOTPLUG_HELPER:-$hp_dir/xk-hotplug-helper}
hp_logfile=${XK_HOTPLUG_LOG:-/var/log/xen/xk-hotplug.log}
hp_lockdir=${XK_HOTPLUG_LOCKDIR:-/run/xenkit-hotplug}
hp_hooks=${XK_HOTPLUG_HOOKS:-/etc/xen/hooks}
hp_hook_timeout=${XK_HOTPLUG_HOOK_TIMEOUT:-10}
hp_budget=${XK_HOTPLUG_BUDGET:-30}
hp_lockfile=
hp_undo=
hp_cmd=

# hp_now: hundredths of a second since boot, in $hp_t (a builtin read,
# no fork)
hp_now() {
	read -r hp_t _ </proc/uptime || hp_t=0.00
	hp_t=${hp_t%.*}${hp_t#*.}
	hp_t=${hp_t#"${hp_t%%[!0]*}"}
	hp_t=${hp_t:-0}
}
hp_now
hp_start=$hp_t

# hp_log LEVEL MSG...: one line in the log file (stderr when it cannot
# be written); err also goes to syslog.
hp_log() {
	_l=$1
	shift
	{ printf '%s[%s] %s %s: %s\n' "$hp_name" "$$" "$_l" \
	    "${XENBUS_PATH:--}" "$*" >>"$hp_logfile"; } 2>/dev/null ||
	    printf '%s: %s: %s\n' "$hp_name" "$_l" "$*" >&2
	if [ "$_l" = err ]; then
		logger -p daemon.err -t "$hp_name" -- \
		    "${XENBUS_PATH:--}: $*" 2>/dev/null || :
	fi
}

# hp_init "$@": the command ($hp_cmd) and KEY=VALUE arguments (each
# becomes a shell variable: type_if=vif, bridge=...); XENBUS_PATH and
# the backend's domid and devid ($hp_domid, $hp_devid).  Fails on
# anything else, saying what.
hp_init() {
	[ $# -ge 1 ] || hp_usage "no command"
	hp_cmd=$1
	shift
	for _a in "$@"; do
		_k=${_a%%=*}
		case $_a in
		*=*) ;;
		*) hp_usage "$_a: not KEY=VALUE" ;;
		esac
		case $_k in
		'' | [0-9]* | *[!a-z0-9_]*) hp_usage "$_a: not a KEY=VALUE argument" ;;
		esac
		eval "$_k=\${_a#*=}"
	done
	[ -n "${XENBUS_PATH:-}" ] || hp_usage "XENBUS_PATH is not set (run by libxl?)"
	XENBUS_PATH=${XENBUS_PATH#/local/domain/0/}
	_p=${XENBUS_PATH#backend/*/}
	hp_domid=${_p%%/*}
	hp_devid=${_p#*/}
	case $hp_domid/$hp_devid in
	*[!0-9/]* | /* | */) hp_usage "XENBUS_PATH $XENBUS_PATH: not backend/TYPE/DOMID/DEVID" ;;
	esac
	hp_log debug "$hp_cmd $*"
}

hp_usage() {
	hp_log err "usage: $*"
	echo "$hp_name: $*" >&2
	echo "usage: $hp_name add|remove|online|offline [KEY=VALUE...]" \
	    "(XENBUS_PATH in the environment)" >&2
	exit 2
}

# hp_read [VAR=]NODE...: the backend's nodes as shell variables (NODE's
# name with - as _, or VAR); an absent node leaves its variable unset.
# One helper process for all of them, one transaction.
hp_read() {
	hp_read_at "$XENBUS_PATH" "$@"
}

# hp_read_at BASE [VAR=]NODE...: the same under another path
hp_read_at() {
	_out=$("$hp_helper" read "$@") || hp_fatal "cannot read xenstore under $1"
	eval "$_out"
}

# hp_write NODE=VALUE...: the backend's nodes, one transaction
hp_write() {
	"$hp_helper" write "$XENBUS_PATH" "$@" ||
	    hp_fatal "cannot write xenstore under $XENBUS_PATH"
}

# hp_rm NODE...: removed, one transaction (an absent node is no error)
hp_rm() {
	"$hp_helper" rm "$XENBUS_PATH" "$@" || hp_log err "cannot remove $*"
}

# hp_lock NAME: the lock NAME (one at a time, on fd 9), waiting at most
# until the budget is spent.  Xen's with-lock-ex protocol: the holder
# removes the file before it lets go, so a waiter that locked a removed
# file tries again.
hp_lock() {
	[ -d "$hp_lockdir" ] || mkdir -p "$hp_lockdir" ||
	    hp_fatal "cannot create $hp_lockdir"
	hp_lockfile=$hp_lockdir/$1
	while :; do
		hp_left
		exec 9>>"$hp_lockfile" || hp_fatal "cannot open $hp_lockfile"
		flock -w "$hp_t" 9 || {
			exec 9>&-
			hp_lockfile=
			hp_fatal "lock $1 still held by another script after $hp_t s"
		}
		# shellcheck disable=SC2046 # two inode numbers
		set -- "$1" $(stat -L -c %i /proc/self/fd/9 "$hp_lockfile" \
		    2>/dev/null)
		[ $# -ge 2 ] || hp_fatal "cannot stat the lock $hp_lockfile"
		[ $# -eq 3 ] && [ "$2" = "$3" ] && return 0
		exec 9>&-
	done
}

hp_unlock() {
	[ -n "$hp_lockfile" ] || return 0
	rm -f "$hp_lockfile"
	exec 9>&-
	hp_lockfile=
}

# A resource that several devices share (an iSCSI session, a mounted
# volume) is let go with the last of them: each holder is a file
# $hp_lockdir/NAME.users/DOMID-DEVID, made and removed under the lock
# NAME.
# hp_ref_add NAME: this device holds NAME
hp_ref_add() {
	mkdir -p "$hp_lockdir/$1.users" &&
	    : >"$hp_lockdir/$1.users/$hp_domid-$hp_devid" ||
	    hp_fatal "cannot record the device in $hp_lockdir/$1.users"
}

# hp_ref_drop NAME: this device lets NAME go; 0 when another device
# still holds it, 1 when none does (the caller lets NAME go).  A holder
# whose backend is no longer in xenstore (a toolstack that died before
# it ran remove) does not count.
hp_ref_drop() {
	_rd=$hp_lockdir/$1.users
	rm -f "$_rd/$hp_domid-$hp_devid"
	for _u in "$_rd"/*; do
		[ -f "$_u" ] || continue
		_b=${XENBUS_PATH%/*/*}/${_u##*/}
		_b=${_b%-*}/${_b##*-}
		_state=''
		hp_read_at "$_b" _state=state
		[ -n "$_state" ] && return 0
		hp_log info "$_b: gone without remove: no longer holds $1"
		rm -f "$_u"
	done
	rmdir "$_rd" 2>/dev/null
	return 1
}

# hp_left: whole seconds of the budget left, in $hp_t (at least 1)
hp_left() {
	hp_now
	hp_t=$(((hp_start + hp_budget * 100 - hp_t) / 100))
	[ "$hp_t" -ge 1 ] || hp_t=1
}

# hp_poll SECONDS CMD...: CMD run every tenth of a second until it
# succeeds (0) or SECONDS pass, never past the budget (1): for what the
# kernel does on its own time after a command returns
hp_poll() {
	hp_left
	_pend=$1
	[ "$_pend" -le "$hp_t" ] || _pend=$hp_t
	hp_now
	_pend=$((hp_t + _pend * 100))
	shift
	while ! "$@"; do
		hp_now
		[ "$hp_t" -lt "$_pend" ] || return 1
		sleep 0.1
	done
}

# hp_elapsed: "N.NN s" since the script started, in $hp_t
hp_elapsed() {
	hp_now
	hp_t=$((hp_t - hp_start))
	hp_t=$((hp_t / 100)).$((hp_t / 10 % 10))$((hp_t % 10))\ s
}

# hp_success: hotplug-status=connected
hp_success() {
	hp_write hotplug-status=connected
	hp_elapsed
	hp_log info "$hp_cmd: done in $hp_t"
}

# hp_run_undo: what was done undone ($hp_undo, a command), once
hp_run_undo() {
	[ -n "$hp_undo" ] || return 0
	_u=$hp_undo
	hp_undo=
	$_u || hp_log err "undo: $_u failed"
}

# hp_fatal MSG: undo what was done, tell libxl why (hotplug-error,
# which xl prints) and fail
hp_fatal() {
	trap - EXIT
	hp_run_undo
	hp_unlock
	hp_log err "$*"
	"$hp_helper" write "$XENBUS_PATH" "hotplug-error=$*" \
	    hotplug-status=error 2>/dev/null ||
	    hp_log err "cannot write hotplug-error"
	echo "$hp_name: $*" >&2
	exit 1
}

# hp_busy MSG: as hp_fatal, but hotplug-status=busy (Xen's ebusy: the
# device is in use)
hp_busy() {
	trap - EXIT
	hp_run_undo
	hp_unlock
	hp_log err "$*"
	"$hp_helper" write "$XENBUS_PATH" "hotplug-error=$*" \
	    hotplug-status=busy 2>/dev/null
	echo "$hp_name: $*" >&2
	exit 1
}

# hp_disk_mode MODE: the disk's mode as Xen's block script reads it,
# in $hp_mode: r without a w, w with one, ! for w with ! (no sharing
# check)
# shellcheck disable=SC2034 # read by the block scripts
hp_disk_mode() {
	case $1 in
	*w*!* | *!*w*) hp_mode='!' ;;
	*w*) hp_mode=w ;;
	*) hp_mode=r ;;
	esac
}

# hp_attach DEV [NODE=VALUE...]: the block device for blkback:
# physical-device (hex major:minor), physical-device-path,
# hotplug-status=connected and the nodes given, one transaction
hp_attach() {
	"$hp_helper" attach "$XENBUS_PATH" "$@" ||
	    hp_fatal "cannot write physical-device for $1"
	hp_elapsed
	hp_log info "$hp_cmd: $1 in $hp_t"
}

# hp_loop_release NODE: the loop device an add set up for a file (the
# backend's node, written by the helper's attach-disk) let go; anything
# else is left alone
hp_loop_release() {
	case $1 in
	/dev/loop*)
		_e=$(losetup -d "$1" 2>&1) || hp_log err "losetup -d $1: $_e" ;;
	esac
}

# hp_hooks CLASS ACTION: every executable in $hp_hooks/CLASS/ACTION.d,
# in name order, with the environment the script exported.  Each runs
# at most $hp_hook_timeout seconds and never past the budget; one that
# fails or is killed fails the script on online/add (its last line of
# output in hotplug-error) and is only logged on offline/remove.
hp_hooks() {
	for _h in "$hp_hooks/$1/$2.d"/*; do
		[ -f "$_h" ] && [ -x "$_h" ] || continue
		hp_left
		[ "$hp_t" -le "$hp_hook_timeout" ] || hp_t=$hp_hook_timeout
		_o=$(timeout -k 1 "$hp_t" "$_h" "$2" 2>&1 </dev/null)
		_rc=$?
		[ "$_rc" -eq 0 ] && { hp_log info "hook $_h: ok"; continue; }
		case $_rc in
		124 | 137) _m="hook $_h: killed after $hp_t s" ;;
		*) _m="hook $_h: exit $_rc: $(printf '%s\n' "$_o" | tail -n 1)" ;;
		esac
		case $2 in
		online | add) hp_fatal "$_m" ;;
		*) hp_log err "$_m" ;;
		esac
	done
}
