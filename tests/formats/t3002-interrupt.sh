#!/bin/sh
# t3002-interrupt - SIGINT and SIGTERM in the middle of `xk convert`,
# `xk export` and `xk import`: each must remove its temporary files,
# say so, die of the signal, leave nothing under the final name and
# never touch its input.
#
# The input is a 256 MiB image of pseudo-random data written by the
# test, so every run really copies data for a while.  The signal is
# sent as soon as a temporary file (.NAME.xk-*) shows up in the
# destination: the test polls for it, it never sleeps in its stead.
#
# usage: t3002-interrupt.sh XK BUILD-DIR
NAME=t3002-interrupt
. "$(dirname "$0")/lib.sh"
need qemu-img sha256sum tar

# 256 MiB that neither a hole nor a zero check can skip: AES-CTR of
# zeros (fast), or /dev/urandom when there is no openssl(1).
B="$T/in/big.raw"
mkdir "$T/in"
if command -v openssl >/dev/null; then
	openssl enc -aes-128-ctr -pass pass:t3002 -pbkdf2 -nosalt \
	    </dev/zero 2>/dev/null | head -c 256M >"$B"
else
	head -c 256M /dev/urandom >"$B"
fi
if [ "$(stat -c %s "$B")" -ne $((256 * 1024 * 1024)) ]; then
	echo "not ok - cannot write the 256 MiB input"
	echo "0 passed, 1 failed"
	exit 1
fi
cat >"$T/in/vm.cfg" <<EOF
name = "big"
type = "hvm"
memory = 512
disk = [ 'format=raw, vdev=xvda, access=rw, target=$B' ]
EOF
inputs() { sha256sum "$B" "$T/in/vm.cfg"; }
before=$(inputs)

# has_temp DIR: a temporary file of xenkit's is in DIR
has_temp() { ls -A "$1" 2>/dev/null | grep -q '\.xk-'; }

# await_temp DIR PID: poll (10 ms steps, 120 s at most) until a
# temporary file is in DIR; false if PID exited or time ran out first
await_temp() {
	tries=0
	while ! has_temp "$1"; do
		kill -0 "$2" 2>/dev/null && [ "$tries" -lt 12000 ] || return 1
		tries=$((tries + 1))
		sleep 0.01
	done
}

# interrupt NAME SIG DIR CMD...: run CMD in the background, send SIG
# once a temporary file exists in DIR (polled, 120 s at most), then
# check what is left.  SIGINT is reset to its default action first:
# a shell script starts background jobs with SIGINT ignored, and xk
# keeps ignored signals ignored.
interrupt() {
	name=$1
	sig=$2
	dir=$3
	shift 3
	env --default-signal=INT "$@" >"$T/out" 2>"$T/err" &
	pid=$!
	if ! await_temp "$dir" "$pid"; then
		wait "$pid"
		echo "#   no temporary file in $dir before exit $? or timeout"
		sed 's/^/#   /' "$T/err"
		notok "$name: interrupted"
		return
	fi
	kill -s "$sig" "$pid"
	wait "$pid"
	rc=$?
	case $sig in
	INT) want=130 ;;
	TERM) want=143 ;;
	esac
	if [ "$rc" -eq "$want" ]; then
		ok "$name: dies of SIG$sig (exit $rc)"
	else
		sed 's/^/#   /' "$T/err"
		notok "$name: dies of SIG$sig (exit $rc, not $want)"
	fi
	if grep -q "^xk: [a-z]*: interrupted by SIG$sig: removed partial output $dir/\.[^ ]*\.xk-" "$T/err"
	then
		ok "$name: says what it removed"
	else
		sed 's/^/#   /' "$T/err"
		notok "$name: says what it removed"
	fi
	# every file the message names is gone
	gone=true
	for p in $(sed -n 's/.*removed partial output //p' "$T/err" |
	    tr ',' ' '); do
		[ -e "$p" ] && gone=false && echo "#   $p is still there"
	done
	$gone && ok "$name: the files it names are gone" ||
	    notok "$name: the files it names are gone"
}

# nothing_in NAME DIR: DIR is empty (or gone, when xk made it)
nothing_in() {
	if [ -z "$(ls -A "$2" 2>/dev/null)" ]; then ok "$1"; else
		ls -lA "$2" | sed 's/^/#   /'
		notok "$1"
	fi
}

# convert, one signal each way, and qcow2 output (qemu-nbd writes it)
mkdir "$T/c1" "$T/c2" "$T/c3"
interrupt "convert raw -> vhd, SIGINT" INT "$T/c1" \
    "$XK" convert "$B" "$T/c1/out.vhd"
nothing_in "convert SIGINT: no output, no temporary file" "$T/c1"
interrupt "convert raw -> raw, SIGTERM" TERM "$T/c2" \
    "$XK" convert "$B" "$T/c2/out.raw"
nothing_in "convert SIGTERM: no output, no temporary file" "$T/c2"
interrupt "convert raw -> qcow2, SIGTERM" TERM "$T/c3" \
    "$XK" convert "$B" "$T/c3/out.qcow2"
nothing_in "convert to qcow2: no output, no temporary file" "$T/c3"
mkdir "$T/c4"
interrupt "convert --json, SIGINT" INT "$T/c4" \
    "$XK" convert --json "$B" "$T/c4/out.vhd"
grep -q '"ok": false' "$T/out" &&
    grep -q '"error": "interrupted by SIGINT: removed partial output' \
    "$T/out" && ok "convert --json reports the interruption" ||
    { sed 's/^/#   /' "$T/out"; notok "convert --json reports the interruption"; }
nothing_in "convert --json: no output, no temporary file" "$T/c4"

# export: XVA (a tar written in one go), VHD (a disk sink) and OVA
# (images made first, then the archive)
for f in xva vhd ova; do
	mkdir "$T/e-$f"
	sig=INT
	[ "$f" = vhd ] && sig=TERM
	interrupt "export $f, SIG$sig" $sig "$T/e-$f" \
	    "$XK" export "$T/in/vm.cfg" -o "$T/e-$f/big.$f"
	nothing_in "export $f: no output, no temporary file" "$T/e-$f"
done

# import: the sinks of a VHD, an XVA's disks and an OVF's disk, into
# a directory import creates (then removes) or one that exists
if "$XK" convert "$B" "$T/in/big.vhd" >"$T/out" 2>&1 &&
    "$XK" export "$T/in/vm.cfg" -o "$T/in/big.xva" >"$T/out" 2>&1 &&
    "$XK" export "$T/in/vm.cfg" -o "$T/in/big.ova" >"$T/out" 2>&1 &&
    mkdir "$T/in/ovf" && tar -C "$T/in/ovf" -xf "$T/in/big.ova"; then
	ok "inputs for import made"
else
	sed 's/^/#   /' "$T/out"
	notok "inputs for import made"
fi
before_imp=$(sha256sum "$T/in/big.vhd" "$T/in/big.xva" "$T/in"/ovf/*)
interrupt "import vhd, SIGINT" INT "$T/i-vhd" \
    "$XK" import "$T/in/big.vhd" -o "$T/i-vhd"
[ ! -e "$T/i-vhd" ] && ok "import vhd: the directory it made is gone" ||
    { ls -lA "$T/i-vhd" | sed 's/^/#   /'; notok "import vhd: the directory it made is gone"; }
mkdir "$T/i-xva"
interrupt "import xva, SIGTERM" TERM "$T/i-xva" \
    "$XK" import "$T/in/big.xva" -o "$T/i-xva"
nothing_in "import xva: nothing left in the directory" "$T/i-xva"
mkdir "$T/i-ovf"
interrupt "import ovf, SIGINT" INT "$T/i-ovf" \
    "$XK" import "$T/in/ovf/big.ovf" -o "$T/i-ovf"
nothing_in "import ovf: nothing left in the directory" "$T/i-ovf"
mkdir "$T/i-ova"
interrupt "import ova, SIGTERM" TERM "$T/i-ova" \
    "$XK" import "$T/in/big.ova" -o "$T/i-ova"
nothing_in "import ova: nothing left in the directory" "$T/i-ova"

# An ignored SIGINT stays ignored (nohup, background jobs): the
# conversion completes.
mkdir "$T/ign"
env --ignore-signal=INT "$XK" convert "$B" "$T/ign/out.vhd" \
    >"$T/out" 2>"$T/err" &
pid=$!
sent=false
await_temp "$T/ign" "$pid" && kill -s INT "$pid" && sent=true
wait "$pid"
rc=$?
$sent && [ "$rc" -eq 0 ] && qemu-img compare -q "$B" "$T/ign/out.vhd" &&
    ok "an ignored SIGINT is not caught: the conversion completes" ||
    { sed 's/^/#   /' "$T/err"; notok "an ignored SIGINT is not caught (sent: $sent, exit $rc)"; }

# SIGKILL cannot be caught: the temporary stays, named for its writer
# (host and pid), and the next run into the directory removes it and
# says so (that a live writer's temporary is kept: t1100).
# killed DIR CMD...: run CMD, SIGKILL it once its temporary exists
killed() {
	dir=$1
	shift
	"$@" >"$T/out" 2>"$T/err" &
	pid=$!
	await_temp "$dir" "$pid" && kill -s KILL "$pid"
	wait "$pid"
}
mkdir "$T/k1"
killed "$T/k1" "$XK" convert "$B" "$T/k1/out.vhd"
stale=$(ls -A "$T/k1")
case $stale in
.out.vhd.xk-*.$pid.*) ok "convert SIGKILL: its temporary names its pid" ;;
*) echo "#   left: $stale"; notok "convert SIGKILL: its temporary names its pid" ;;
esac
check "convert after a SIGKILL: succeeds" \
    "$XK" convert "$B" "$T/k1/again.vhd"
grep -q "^xk: convert: removed $T/k1/$stale: a temporary file left by an earlier run that was killed" \
    "$T/err" && [ ! -e "$T/k1/$stale" ] &&
    ok "convert after a SIGKILL: removes the dead run's temporary, says so" ||
    { sed 's/^/#   /' "$T/err"; notok "convert after a SIGKILL: removes the dead run's temporary, says so"; }
qemu-img compare -q "$B" "$T/k1/again.vhd" &&
    ok "convert after a SIGKILL: the output is right" ||
    notok "convert after a SIGKILL: the output is right"
rm -rf "$T/k1"

# the same for export (XVA: one temporary for the archive) and import
# (an XVA's disk written through a sink into the directory)
for what in export import; do
	mkdir "$T/k-$what"
	if [ $what = export ]; then
		killed "$T/k-$what" "$XK" export "$T/in/vm.cfg" -o "$T/k-$what/big.xva"
	else
		killed "$T/k-$what" "$XK" import "$T/in/big.xva" -o "$T/k-$what"
	fi
	stale=$(ls -A "$T/k-$what" | grep '\.xk-')
	if [ $what = export ]; then
		check "$what after a SIGKILL: succeeds" \
		    "$XK" export "$T/in/vm.cfg" -o "$T/k-$what/big.xva"
	else
		check "$what after a SIGKILL: succeeds" \
		    "$XK" import "$T/in/big.xva" -o "$T/k-$what"
	fi
	n=0
	for f in $stale; do
		grep -q "^xk: $what: removed $T/k-$what/$f: a temporary file left by an earlier run" \
		    "$T/err" && [ ! -e "$T/k-$what/$f" ] && n=$((n + 1))
	done
	[ -n "$stale" ] && [ "$n" -eq "$(echo "$stale" | wc -l)" ] &&
	    ok "$what after a SIGKILL: every temporary of the dead run removed, and said" ||
	    { echo "#   stale: $stale"; sed 's/^/#   /' "$T/err"; notok "$what after a SIGKILL: every temporary of the dead run removed, and said"; }
	rm -rf "$T/k-$what"
done

[ "$(inputs)" = "$before" ] && ok "inputs unchanged (sha256)" ||
    notok "inputs unchanged (sha256)"
[ "$(sha256sum "$T/in/big.vhd" "$T/in/big.xva" "$T/in"/ovf/*)" = \
    "$before_imp" ] && ok "import inputs unchanged (sha256)" ||
    notok "import inputs unchanged (sha256)"
if ls -A "$T" "$T/in" "$T/in/ovf" | grep -q '\.xk-'; then
	ls -lAR "$T" | grep '\.xk-' | sed 's/^/#   /'
	notok "no temporary file anywhere"
else
	ok "no temporary file anywhere"
fi

finish
