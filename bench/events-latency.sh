#!/bin/sh
# events-latency.sh - how long from a guest's shutdown request to the
# event in xk monitor's log and to the start of its hook, measured in
# the lab (Xen 4.17 under QEMU TCG: slow, and shared with whatever else
# runs on this machine), side by side with the reference the monitor
# races: xl's own monitor, whose destroy of the domain the monitor sees
# as the death.  Numbers only, no pass/fail.
#
#   bench/events-latency.sh [XK]        (default: build/src/xk)
#
# Cases:
#   linux xN   N Linux guests (the lab's kernel and a bench init) that
#              request a poweroff at the same wallclock instant, each
#              stamping its own clock (busybox adjtimex, microseconds)
#              just before `poweroff -f` (the reboot(2) call itself:
#              sysrq-o runs an orderly poweroff through userland first,
#              which under TCG takes seconds of its own); guest and
#              dom0 clocks are both Xen's (PV wallclock + system time)
#   tiny xN    N xk-guest-tiny guests (guest/bin/tiny.c) that sleep in
#              Xen until a wallclock instant they were given, stamp
#              Xen's wallclock on their console and make the
#              SCHEDOP_shutdown hypercall at once: the request time is
#              the hypercall's, give or take a console ring write
# The hook's start is the first thing a hook does (bash's builtin
# $EPOCHREALTIME), so it includes starting bash.
# XK_BENCH_HOOK=static uses a statically linked C hook instead
# (bench/hook-stamp.c: no interpreter, no dynamic loader), to show what
# starting bash costs.
# XK_LAB_NAME reuses a running lab (default: boot a lab "bench-events"
# and shut it down at the end), XK_LAB_XK the xk that drives the lab
# (default: XK); XK_BENCH_LINUX (default 10) and
# XK_BENCH_TINY (default 20) set the guest counts (0 skips the case).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
XK=${1:-$top/build/src/xk}
[ -x "$XK" ] || { echo "events-latency: no xk at $XK" >&2; exit 1; }
lab=${XK_LAB_NAME:-bench-events}
W=$(mktemp -d "${TMPDIR:-/tmp}/xk-bench-ev.XXXXXX")
started=0
L() { "${XK_LAB_XK:-$XK}" lab -n "$lab" "$@"; }
cleanup() {
	[ "$started" = 1 ] && L down >/dev/null 2>&1
	rm -rf "$W"
}
trap cleanup EXIT INT TERM
if ! L status >/dev/null 2>&1; then
	L up >&2
	started=1
fi

# dom0 has no libjansson and friends: bring what xk links against
for l in $(ldd "$XK" | awk '/=> \// { print $3 }'); do
	L exec -- test -e "$l" 2>/dev/null ||
	    L cp "$(readlink -f "$l")" "lab:$l" >/dev/null
done
L exec -- mkdir -p /usr/lib/xk-lab/tests
L cp "$XK" lab:/usr/local/bin/xk
L cp "$top/tests/lib.sh" lab:/usr/lib/xk-lab/lib.sh
# the tiny guest kernel is a build product, beside this xk's build
L exec -- mkdir -p /usr/lib/xk-lab/guests
L cp "$(dirname "$XK")/../guest/xk-guest-tiny" \
    lab:/usr/lib/xk-lab/guests/xk-guest-tiny >/dev/null || exit 1
for f in tests/lab/lib.sh tests/lab/events-lib.sh \
    bench/events-latency-dom0.sh; do
	L cp "$top/$f" "lab:/usr/lib/xk-lab/tests/$(basename "$f")"
done
if [ "${XK_BENCH_HOOK:-bash}" = static ]; then
	cc -static -O2 -o "$W/hook-stamp" "$top/bench/hook-stamp.c"
	L cp "$W/hook-stamp" lab:/usr/lib/xk-lab/tests/hook-stamp
fi
L exec -- chmod 755 /usr/local/bin/xk

# the bench guest: the lab's guest initramfs with our /init on top
mkdir -p "$W/root"
cat >"$W/root/init" <<'EOS'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
echo 1 >/proc/sys/kernel/sysrq
at=0
for w in $(cat /proc/cmdline); do
	case $w in xk.at=*) at=${w#xk.at=} ;; esac
done
us() { adjtimex | awk '/tv_sec/ { s = $2 } /tv_usec/ { u = $2 }
    END { printf "%d%06d\n", s, u }'; }
echo "xk-bench: up, poweroff at $at"
while [ $(( $(us) / 1000 )) -lt "$at" ]; do usleep 1000; done
t=$(us)
echo "xk-bench: t=$t"
poweroff -f
while :; do sleep 1; done
EOS
chmod 755 "$W/root/init"
(cd "$W/root" && echo init | cpio -o -H newc --quiet | gzip -9) >"$W/ov.gz"
L cp "$W/ov.gz" lab:/tmp/bench-ov.cpio.gz
L exec -- sh -c 'cat /usr/lib/xk-lab/guest.cpio.gz /tmp/bench-ov.cpio.gz \
    >/tmp/bench-guest.cpio.gz'

# stats FILE COLUMN: p50 p90 p99 max of (column - request) in ms
stats() {
	awk -v c="$2" '{ print $c - $2 }' "$1" | sort -n | awk '
	    { v[NR] = $1 }
	    END {
		if (NR == 0) { print "-"; exit }
		p = int(NR * 0.5 + 0.999); q = int(NR * 0.9 + 0.999)
		r = int(NR * 0.99 + 0.999)
		printf "%6d %6d %6d %6d", v[p], v[q], v[r], v[NR]
	    }'
}

printf '%-16s %4s  %-27s  %-27s  %-27s\n' case n \
    "xk log: p50 p90 p99 max ms" "hook start: p50 p90 p99 max" \
    "xl destroyed it (reference)"
for c in "linux ${XK_BENCH_LINUX:-10}" "tiny ${XK_BENCH_TINY:-20}" "tiny 1"; do
	# shellcheck disable=SC2086 # "CASE N": two words on purpose
	set -- $c
	[ "$2" -gt 0 ] || continue
	L exec --timeout 3000 -- env XK_BENCH_HOOK="${XK_BENCH_HOOK:-bash}" \
	    sh /usr/lib/xk-lab/tests/events-latency-dom0.sh \
	    "$1" "$2" >"$W/out" 2>"$W/err" || {
		cat "$W/err" >&2
		echo "events-latency: case $c failed" >&2
		continue
	}
	grep -E '^ev-b[0-9]+ [0-9]+ [0-9]+ [0-9]+ [0-9]+$' "$W/out" >"$W/rows" || true
	printf '%-16s %4s  %-27s  %-27s  %-27s\n' "$1 x$2" \
	    "$(wc -l <"$W/rows")" "$(stats "$W/rows" 3)" \
	    "$(stats "$W/rows" 4)" "$(stats "$W/rows" 5)"
done
