#!/bin/sh
# Hooks that hang, hooks that fail, a hooks directory that does not
# exist: each is reported, and none holds up the log or another
# domain's hooks.
# shellcheck source=lib.sh
. /usr/lib/xk-lab/tests/lib.sh
# shellcheck source=events-lib.sh
. /usr/lib/xk-lab/tests/events-lib.sh
ev_setup t6300
trap 'ev_cleanup; rm -f /tmp/ev-h*.cfg' EXIT
ev_record_hook
# hangs on ev-ha's shutdown only, until killed
cat >"$EV/hooks/10-hang" <<'EOS'
#!/bin/sh
[ "$XK_DOMAIN/$XK_EVENT" = ev-ha/shutdown ] || exit 0
echo $$ >"$(dirname "$0")/../hang.pid"
exec sleep 1000
EOS
printf '#!/bin/sh\necho "failing on purpose" >&2\nexit 7\n' >"$EV/hooks/20-fail"
chmod 755 "$EV/hooks/10-hang" "$EV/hooks/20-fail"
# a limit well beyond the time ev-hb needs (create, hooks, both
# deaths: over 20 s on a loaded host), so the hang is still on when
# checked below
mon_start --hook-timeout 90

tiny_cfg ev-ha poweroff
tiny_cfg ev-hb crash
create ev-ha
wait_for 120 test -s "$EV/hang.pid" || fail "the hanging hook did not start"
ida=$(sed -n 's/.*"event":"shutdown","domain":"ev-ha","domid":\([0-9]*\),.*/\1/p' \
    "$EV/events.jsonl")
hang=$(cat "$EV/hang.pid")
create ev-hb
idb=$(sed -n 's/.*domain ev-hb (domid \([0-9]*\)).*/\1/p' /var/log/xen/xl-ev-hb.log)
# while ev-ha's hook hangs: ev-hb's hooks run, both logs are written
wait_for 120 test -f "$EV/hook-shutdown-$idb" ||
    fail "ev-hb's hook waited for ev-ha's"
wait_event 60 death ev-ha "$ida" poweroff
wait_event 60 death ev-hb "$idb" crash
kill -0 "$hang" 2>/dev/null ||
    fail "the hanging hook ended too early for this test to mean anything"
echo "ev-hb's hooks ran and both logs were written while ev-ha's hook hung"
# the hang is killed at its limit, then ev-ha's next hooks run
wait_for 180 sh -c "! kill -0 $hang 2>/dev/null" || fail "hung hook not killed"
wait_for 60 grep -q "10-hang (shutdown ev-ha domid $ida): timed out after 90000 ms, killed" \
    "$EV/mon.out" || fail "the timeout is not reported"
wait_for 60 test -f "$EV/hook-death-$ida" || fail "ev-ha's death hook never ran"
grep -q "20-fail (shutdown ev-hb domid $idb): failing on purpose" "$EV/mon.out" &&
grep -q "20-fail (shutdown ev-hb domid $idb): failed, exit status 7" \
    "$EV/mon.out" || fail "the failing hook is not reported"
[ -f "$EV/hook-death-$idb" ] || fail "a failing hook stopped the next one"
mon_stop

# no hooks directory: said at start and per event; events still logged
rm -rf "$EV/hooks"
mon_start
grep -q "hooks directory $EV/hooks: No such file or directory: events are still logged" \
    "$EV/mon.out" || fail "a missing hooks directory is not reported"
tiny_cfg ev-hc poweroff
create ev-hc
idc=$(sed -n 's/.*domain ev-hc (domid \([0-9]*\)).*/\1/p' /var/log/xen/xl-ev-hc.log)
wait_event 120 death ev-hc "$idc" poweroff
wait_for 60 grep -q "hooks for death ev-hc domid $idc: hooks directory $EV/hooks: No such file or directory; no hook run" \
    "$EV/mon.out" || fail "no report for the missing directory"
# the directory appears: hooks run from the next event on
mkdir "$EV/hooks"
ev_record_hook
tiny_cfg ev-hd poweroff
create ev-hd
idd=$(sed -n 's/.*domain ev-hd (domid \([0-9]*\)).*/\1/p' /var/log/xen/xl-ev-hd.log)
wait_for 120 test -f "$EV/hook-death-$idd" || fail "hooks did not run once the directory exists"
mon_stop
rm -f /var/log/xen/xl-ev-h*.log
