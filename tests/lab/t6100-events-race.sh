#!/bin/sh
# 200 guests started by plain `xl create`, each shutting down with a
# known reason while xl's own monitor races xk monitor to destroy (or
# restart) it: every one of the 200 reasons must be exported, none
# lost, none wrong.  The guests are tinypv kernels that shut down the
# moment they run: the race under test happens when the hypervisor
# marks the domain shut down, so booting Linux 200 times would add
# nothing but time.  EV_RACE_N and EV_RACE_PAR change the count (200)
# and how many `xl create` run at once (6).
. /usr/lib/xk-lab/tests/lib.sh
. /usr/lib/xk-lab/tests/events-lib.sh
ev_setup t6100
n=${EV_RACE_N:-200}
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
		timeout 120 xl create -q "/tmp/ev-r$i.cfg" >/dev/null 2>&1 &
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

ok=0 lost=0 wrong=0 dup=0 fromxl=0
for i in $(seq "$n"); do
	g=ev-r$i
	want=$(reason_of "$i" "$@")
	id=$(sed -n "s/.*domain $g (domid \([0-9]*\)).*/\1/p" \
	    "/var/log/xen/xl-$g.log" 2>/dev/null | head -n 1)
	if [ -z "$id" ]; then
		fail "$g: xl did not start it (see /var/log/xen/xl-$g.log)"
	fi
	wait_for 120 has_event death "$g" "$id" "$want" || true
	line=$(ev_line shutdown "$g" "$id" "$want")
	if [ -z "$line" ]; then
		got=$(grep "\"event\":\"shutdown\",\"domain\":\"[^\"]*\",\"domid\":$id," \
		    "$EV/events.jsonl" | sed 's/.*"reason":"\([^"]*\)".*/\1/')
		if [ -z "$got" ]; then
			echo "LOST: $g (domid $id, $want)"
			lost=$((lost + 1))
		else
			echo "WRONG: $g (domid $id): $got, not $want"
			wrong=$((wrong + 1))
		fi
		continue
	fi
	if [ "$(ev_count shutdown "$id")" -ne 1 ] ||
	    [ "$(ev_count death "$id")" -ne 1 ] ||
	    [ "$(ev_count create "$id")" -ne 1 ]; then
		echo "DUPLICATE or missing create/death: $g (domid $id)"
		grep "\"domid\":$id," "$EV/events.jsonl"
		dup=$((dup + 1))
		continue
	fi
	echo "$line" | grep -q '"source":"xl-log"' && fromxl=$((fromxl + 1))
	ok=$((ok + 1))
done
echo "$n guests: $ok correct, $lost lost, $wrong wrong, $dup duplicated;" \
    "$((ok - fromxl)) read from the hypervisor, $fromxl from xl's log" \
    "(xl's monitor had destroyed the domain first)"
[ "$ok" -eq "$n" ] || fail "$((n - ok)) of $n reasons not exported correctly"
mon_stop
