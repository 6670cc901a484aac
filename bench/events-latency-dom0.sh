#!/bin/sh
# events-latency-dom0.sh - the dom0 half of bench/events-latency.sh
# (copied into the lab and run there; see that script).
#   linux N  N Linux guests (the lab kernel, bench init) that request a
#            poweroff together at a wallclock instant they were given;
#            each prints its own clock just before the request
#   tiny N   N xk-guest-tiny guests that sleep in Xen until a wallclock instant
#            they were given, then stamp their console (Xen's wallclock,
#            ns) just before SCHEDOP_shutdown
# Prints one line per guest: NAME REQUEST_MS LOG_MS HOOK_MS DEATH_MS
# (LOG: the shutdown line's timestamp; HOOK: the first thing the hook
# did, `date`; DEATH: when the monitor saw the domain destroyed by xl's
# own monitor, the reference it races).
set -u
# shellcheck source=../tests/lab/lib.sh
. /usr/lib/xk-lab/tests/lib.sh
# shellcheck source=../tests/lab/events-lib.sh
. /usr/lib/xk-lab/tests/events-lib.sh
mode=$1
n=$2
ev_setup bench
if [ "${XK_BENCH_HOOK:-bash}" = static ]; then
	cp /usr/lib/xk-lab/tests/hook-stamp "$EV/hooks/10-stamp"
else
	# bash's clock is a builtin: the stamp costs no fork of its own
	cat >"$EV/hooks/10-stamp" <<'EOS'
#!/bin/bash
t=${EPOCHREALTIME/./}
echo "$XK_EVENT $XK_DOMAIN ${t}000" >>"${0%/*}/../hook-stamps"
EOS
fi
chmod 755 "$EV/hooks/10-stamp"
mon_start --hook-timeout 60
trap 'ev_cleanup; rm -f /tmp/ev-b*.cfg /var/log/xen/xl-ev-b*.log*' EXIT

ms_of() {	# RFC 3339 ms -> epoch ms
	s=$(date -u -d "$(echo "$1" | sed 's/T/ /; s/\..*//')" +%s)
	echo $((s * 1000 + $(echo "$1" | sed 's/.*\.\([0-9]*\)Z/\1/' | sed 's/^0*//;s/^$/0/')))
}

case $mode in
linux)
	at=$(( $(now_ms) + 90000 + n * 20000 ))
	for i in $(seq "$n"); do
		g=ev-b$i
		{
			echo "name = \"$g\""
			echo 'type = "pv"'
			echo 'kernel = "/usr/lib/xk-lab/vmlinux"'
			echo 'ramdisk = "/tmp/bench-guest.cpio.gz"'
			echo "extra = \"console=hvc0 xk.at=$at\""
			echo 'memory = 128'
			echo 'on_poweroff = "destroy"'
		} >"/tmp/$g.cfg"
		rm -f "$CONSOLE/guest-$g.log"
		create "$g"
	done
	wait_for $(( (at - $(now_ms)) / 1000 + 300 )) sh -c \
	    "[ \$(grep -c '\"event\":\"death\"' $EV/events.jsonl 2>/dev/null) -ge $n ]" ||
	    fail "not all guests died"
	for i in $(seq "$n"); do
		g=ev-b$i
		req=$(sed -n 's/.*xk-bench: t=\([0-9]*\).*/\1/p' "$CONSOLE/guest-$g.log" |
		    head -n 1)
		[ -n "$req" ] || { echo "$g: no request stamp" >&2; continue; }
		echo "$g $((req / 1000)) $(grep "\"event\":\"shutdown\",\"domain\":\"$g\"" \
		    "$EV/events.jsonl" | sed 's/.*"ts":"\([^"]*\)".*/\1/')" \
		    "$(sed -n "s/^shutdown $g //p" "$EV/hook-stamps")" \
		    "$(grep "\"event\":\"death\",\"domain\":\"$g\"" "$EV/events.jsonl" |
		    sed 's/.*"ts":"\([^"]*\)".*/\1/')"
	done >"$EV/raw"
	;;
tiny)
	# each guest sleeps in Xen until the instant, then stamps its
	# console just before its SCHEDOP_shutdown
	# (the margin covers creating them under TCG on a loaded host: up
	# to ~5 s each was seen)
	at=$(( $(now_ms) + 60000 + n * 8000 ))
	for i in $(seq "$n"); do
		tiny_cfg "ev-b$i" "poweroff at=$at"
		rm -f "$CONSOLE/guest-ev-b$i.log"
		timeout 120 xl create -q "/tmp/ev-b$i.cfg" >/dev/null 2>&1 ||
		    fail "xl create ev-b$i"
	done
	[ "$(now_ms)" -lt "$at" ] || fail "the guests were not all created before $at"
	wait_for $(( (at - $(now_ms)) / 1000 + 300 )) sh -c \
	    "[ \$(grep -c '\"event\":\"death\"' $EV/events.jsonl 2>/dev/null) -ge $n ]" ||
	    fail "not all guests died"
	wait_for 120 sh -c "[ \$(grep -c '^shutdown' $EV/hook-stamps) -ge $n ]" ||
	    fail "not all hooks ran"
	for i in $(seq "$n"); do
		g=ev-b$i
		req=$(sed -n 's/.*xk-tiny: t=\([0-9]*\).*/\1/p' "$CONSOLE/guest-$g.log" |
		    head -n 1)
		[ -n "$req" ] || { echo "$g: no request stamp" >&2; continue; }
		req=$((req / 1000000))
		echo "$g $req $(grep "\"event\":\"shutdown\",\"domain\":\"$g\"" \
		    "$EV/events.jsonl" | sed 's/.*"ts":"\([^"]*\)".*/\1/')" \
		    "$(sed -n "s/^shutdown $g //p" "$EV/hook-stamps")" \
		    "$(grep "\"event\":\"death\",\"domain\":\"$g\"" "$EV/events.jsonl" |
		    sed 's/.*"ts":"\([^"]*\)".*/\1/')"
	done >"$EV/raw"
	;;
esac
# to numbers: NAME REQ LOG HOOK DEATH (ms since the epoch)
while read -r g req log hook death; do
	echo "$g $req $(ms_of "$log") $((hook / 1000000)) $(ms_of "$death")"
done <"$EV/raw"
mon_stop
