#!/bin/sh
# t6010-monitor-unit - xk monitor's systemd unit as the build makes it
# (share/systemd/xk-monitor.service, @bindir@ filled in): systemd's own
# checker accepts it without a warning, it runs the xk being installed,
# and the daemon accepts the command line the unit gives it.  No
# systemd needs to run here: systemd-analyze verify reads unit files.
# Usage: t6010-monitor-unit.sh XK BUILD-DIR
set -u
XK=$1
BUILD=$2
unit=$BUILD/src/xk-monitor.service
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xk-t6010.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# ok, notok, check, finish; check keeps its output files apart, in $T
. "$(dirname "$0")/../lib.sh"
T=$tmp/check
mkdir "$T" || exit 1

# verify UNIT-FILE: systemd-analyze verify, quiet when the unit is clean
verify() {
	systemd-analyze verify --man=no "$1" >"$tmp/verify" 2>&1 &&
	    [ ! -s "$tmp/verify" ]
}

if ! command -v systemd-analyze >/dev/null 2>&1; then
	notok "systemd-analyze missing (scripts/install-deps installs systemd)"
	finish
	exit 1
fi
opt() {
	meson introspect --buildoptions "$BUILD" |
	    jq -r ".[] | select(.name == \"$1\") | .value"
}
bindir=$(opt prefix)/$(opt bindir)
check "the unit is built" test -f "$unit"
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
check "ExecStart runs the installed xk ($exec_start)" \
    test "$exec_start" = "$bindir/xk monitor"

# systemd's checker wants the program to exist: point it at this build
mkdir -p "$tmp/u"
sed "s#^ExecStart=[^ ]*#ExecStart=$(cd "$(dirname "$XK")" && pwd)/$(basename "$XK")#" \
    "$unit" >"$tmp/u/xk-monitor.service"
if verify "$tmp/u/xk-monitor.service"; then
	ok "systemd-analyze verify: no error, no warning"
else
	sed 's/^/#   /' "$tmp/verify"
	notok "systemd-analyze verify: no error, no warning"
fi
# the checker itself catches a broken unit (else the check above is void)
sed 's/^KillMode=.*/KillMode=sometimes/' "$tmp/u/xk-monitor.service" \
    >"$tmp/u/bad.service"
if verify "$tmp/u/bad.service"; then
	notok "a broken unit is caught"
else
	ok "a broken unit is caught"
fi

# the command line the unit gives the daemon parses (no Xen here: it
# fails for that reason, never for a usage error, exit status 2)
# shellcheck disable=SC2046 # its words, as systemd splits them
set -- $(sed -n 's/^ExecStart=[^ ]* //p' "$unit")
"$XK" "$@" --log "$tmp/ev.jsonl" --socket "$tmp/mon.sock" \
    --no-syslog >"$tmp/out" 2>&1 </dev/null
rc=$?
check "xk $* accepts the unit's command line (exit $rc, not 2)" \
    test "$rc" -ne 2
finish
