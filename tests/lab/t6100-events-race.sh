#!/bin/sh
# 200 guests started by plain `xl create`, each shutting down with a
# known reason while xl's own monitor races xk monitor to destroy (or
# restart) it: every one of the 200 reasons must be exported, none
# lost, none wrong.  The guests are xk-guest-tiny kernels that shut down the
# moment they run: the race under test happens when the hypervisor
# marks the domain shut down, so booting Linux 200 times would add
# nothing but time.  EV_RACE_N and EV_RACE_PAR change the count (60 here, see below)
# and how many `xl create` run at once (6).
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
# shellcheck source=events-lib.sh
. /usr/lib/xk-lab/tests/events-lib.sh
ev_setup t6100
# The suite (and so CI, 90 minutes on 2 cores for everything) runs 60
# guests: the full 200 of issue 6 take 16-30 minutes under TCG.  Run the
# full count by hand:
#   xk lab exec -- env EV_RACE_N=200 sh /usr/lib/xk-lab/tests/t6100-events-race.sh
# (2026-11-22, load ~4: "200 correct, 0 lost, 0 wrong, 0 duplicated",
# 16 min 18 s; bench/lab-results.txt)
n=${EV_RACE_N:-60}
par=${EV_RACE_PAR:-6}
cleanup() {
	ev_cleanup
	for i in $(seq "$n"); do
		rm -f "/tmp/ev-r$i.cfg" "/var/log/xen/xl-ev-r$i.log"*
	done
}
trap cleanup EXIT
mon_start
set -- poweroff reboot crash soft_reset suspend watchdog
reason_of() {
	shift $(( $1 % 6 + 1 ))
	echo "$1"
}

t0=$(now_ms)
i=1
while [ "$i" -le "$n" ]; do
	j=0
	while [ "$j" -lt "$par" ] && [ "$i" -le "$n" ]; do
		tiny_cfg "ev-r$i" "$(reason_of "$i" "$@")"
		rm -f "/var/log/xen/xl-ev-r$i.log"*
		timeout 300 xl create -q "/tmp/ev-r$i.cfg" >/dev/null 2>&1 &
		i=$((i + 1))
		j=$((j + 1))
	done
	wait
done
echo "created $n guests in $(( ($(now_ms) - t0) / 1000 )) s"

# xl leaves suspended guests to `xl save`: destroy them ourselves
suspended() {
	timeout 20 xl list 2>/dev/null | awk 'NR > 2 && $1 ~ /^ev-r/ &&
	    $5 !~ /s/ { bad = 1 } END { exit bad }'
}
wait_for 300 suspended || fail "guests still running: $(xl list)"
for d in $(timeout 20 xl list | awk 'NR > 2 && $1 ~ /^ev-r/ { print $1 }'); do
	timeout 60 xl destroy "$d"
done

# one pass over xl's logs (which domid each guest got) and the event
# log: dom0 under TCG forks slowly, so no per-guest greps
deaths() {
	[ "$(grep -c '"event":"death","domain":"ev-r' "$EV/events.jsonl")" -ge "$n" ]
}
wait_for 300 deaths || echo "(not all deaths logged: counted as lost below)"
grep -H "Waiting for domain ev-r" /var/log/xen/xl-ev-r*.log 2>/dev/null |
    sed 's/.*domain \(ev-r[0-9]*\) (domid \([0-9]*\)).*/\1 \2/' >"$EV/domids"
awk -v n="$n" -v ids="$EV/domids" '
BEGIN {
	split("poweroff reboot crash soft_reset suspend watchdog", R, " ")
	while ((getline l < ids) > 0) {
		split(l, f, " ")
		if (!(f[1] in id))
			id[f[1]] = f[2]
	}
}
function field(k,	v) {
	v = $0
	if (!match(v, "\"" k "\":\"?[^\",}]*"))
		return ""
	v = substr(v, RSTART + length(k) + 3, RLENGTH - length(k) - 3)
	sub(/^"/, "", v)
	return v
}
{
	e = field("event"); d = field("domid")
	count[e, d]++
	if (e == "shutdown") {
		reason[d] = field("reason")
		source[d] = field("source")
	}
}
END {
	for (i = 1; i <= n; i++) {
		g = "ev-r" i
		want = R[i % 6 + 1]
		if (!(g in id)) {
			print "NOT STARTED by xl: " g
			notstarted++
			continue
		}
		d = id[g]
		if (count["shutdown", d] == 0 || reason[d] == "unknown") {
			print "LOST: " g " (domid " d ", " want ")"
			lost++
		} else if (reason[d] != want) {
			print "WRONG: " g " (domid " d "): " reason[d] ", not " want
			wrong++
		} else if (count["shutdown", d] != 1 || count["death", d] != 1 ||
		    count["create", d] != 1) {
			print "DUPLICATE or missing create/death: " g " (domid " d ")"
			dup++
		} else {
			ok++
			if (source[d] == "xl-log")
				fromxl++
		}
	}
	printf "%d guests: %d correct, %d lost, %d wrong, %d duplicated, " \
	    "%d not started; %d read from the hypervisor, %d from xl'"'"'s " \
	    "log (xl'"'"'s monitor had destroyed the domain first)\n", n, ok,
	    lost, wrong, dup, notstarted, ok - fromxl, fromxl
	# xl itself fails to start some guests when this lab is loaded
	# (17% in one run at load 11; it destroys them before they run,
	# and they are exported as destroyed): reported, tolerated up to
	# half; every guest that did run must have its reason, once
	exit (lost + wrong + dup == 0 && notstarted * 2 <= n) ? 0 : 1
}' "$EV/events.jsonl" || fail "not every reason exported correctly"
mon_stop
