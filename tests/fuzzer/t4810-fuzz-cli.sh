#!/bin/sh
# t4810-fuzz-cli - xk fuzz on bad input, without a lab: a corrupt log, an
# unknown operation, a cut log, an unknown planted bug, bad options (run's,
# shrink's, guided's, each refused by the others) and a
# lab that is not running all end with a clear message (FILE:LINE:COLUMN
# for a log) and exit 1 or 2, and nothing is written where it should
# not be.
# Usage: t4810-fuzz-cli.sh XK BUILD-DIR
set -u
XK=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xk-t4810.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib.sh"
T=$tmp/check
mkdir "$T" || exit 1
# a lab no one runs: a state directory of our own
export XK_LAB_STATE="$tmp/nolab"
lab=xk-t4810-none
hdr='xk-fuzz-log 1 engine=toolstack seed=7'

printf '%s\npause d0\nfrobnicate d1\n' "$hdr" >"$tmp/unknown.log"
exits "unknown operation: FILE:LINE:COLUMN" 1 \
    "unknown.log:3:1: unknown operation 'frobnicate'" \
    "$XK" fuzz replay --lab "$lab" "$tmp/unknown.log"

printf '%s\nmem d0 target=99999\n' "$hdr" >"$tmp/range.log"
exits "operand out of range: where and why" 1 \
    'range.log:2:15: target: want a number from 64 to 1024' \
    "$XK" fuzz shrink --lab "$lab" "$tmp/range.log" -o "$tmp/out.log"
[ ! -e "$tmp/out.log" ] && ok "a refused log writes no reproducer" ||
    notok "a refused log writes no reproducer"

{ printf '\177ELF\002\001\001'; head -c 3000 /dev/zero; } >"$tmp/corrupt.log"
exits "corrupt log: not a fuzz log" 1 'corrupt.log:1:1: not an xk fuzz log' \
    "$XK" fuzz replay --lab "$lab" "$tmp/corrupt.log"

printf '%s\npause d0\ncreate d1 mem=12' "$hdr" >"$tmp/cut.log"
exits "a cut log is named as such" 1 'cut.log:3:.*no newline' \
    "$XK" fuzz replay --lab "$lab" "$tmp/cut.log"

exits "missing log file" 1 'missing.log.*No such file' \
    "$XK" fuzz replay --lab "$lab" "$tmp/missing.log"

printf '%s\npause d0\n' "$hdr" >"$tmp/good.log"
cp "$tmp/good.log" "$tmp/good.copy"
exits "no lab running: said so" 1 "no lab running in $tmp/nolab" \
    "$XK" fuzz replay --lab "$lab" "$tmp/good.log"
cmp -s "$tmp/good.log" "$tmp/good.copy" && ok "the log is left as it was" ||
    notok "the log is left as it was"
printf '%s\npause d0\n\001\377\n' "$hdr" >"$tmp/binary.log"
exits "a corrupt line: where and why" 1 'binary.log:3:1: unknown operation' \
    "$XK" fuzz replay --lab "$lab" "$tmp/binary.log"
exits "run: no lab running" 1 "no lab running" \
    "$XK" fuzz run --lab "$lab" --seed 1 --ops 3 --log "$tmp/run.log"
exits "run: an existing log is not written over" 1 'will not write over it' \
    "$XK" fuzz run --lab "$lab" --seed 1 --ops 3 --log "$tmp/good.log"
cmp -s "$tmp/good.log" "$tmp/good.copy" && ok "...and is left as it was" ||
    notok "...and is left as it was"

exits "shrink needs -o" 2 '-o OUT is needed' \
    "$XK" fuzz shrink --lab "$lab" "$tmp/good.log"
exits "bad --seed" 2 "bad --seed 'x'" "$XK" fuzz run --seed x
exits "bad --ops" 2 "bad --ops '0'" "$XK" fuzz run --ops 0
exits "bad lab name" 2 "bad lab name" "$XK" fuzz run --lab a/b
exits "replay takes no --seed" 2 "run's options" \
    "$XK" fuzz replay --seed 3 "$tmp/good.log"
XK_FUZZ_PLANT=nonsense exits "unknown planted bug" 2 \
    "unknown planted bug 'nonsense'" "$XK" fuzz run --lab "$lab" --ops 1
exits "bad --tries" 2 "bad --tries '0': want 1 to 100" \
    "$XK" fuzz shrink --tries 0 -o "$tmp/min.log" "$tmp/good.log"
exits "bad --tries: over 100" 2 "bad --tries '101'" \
    "$XK" fuzz shrink --tries 101 -o "$tmp/min.log" "$tmp/good.log"
exits "run takes no --tries" 2 "--tries is shrink's option" \
    "$XK" fuzz run --tries 3
exits "replay takes no --tries" 2 "--tries is shrink's option" \
    "$XK" fuzz replay --tries 3 "$tmp/good.log"
exits "bad --checkpoint" 2 "bad --checkpoint '0'" \
    "$XK" fuzz run --checkpoint 0
exits "replay takes no --checkpoint" 2 "run's options" \
    "$XK" fuzz replay --checkpoint 3 "$tmp/good.log"
exits "--checkpoint is the toolstack engine's" 2 "toolstack engine's" \
    "$XK" fuzz run --engine hypercall --checkpoint 10 --lab "$lab"
XK_FUZZ_CRASH_AT=x exits "a bad XK_FUZZ_CRASH_AT" 2 \
    "XK_FUZZ_CRASH_AT: bad operation 'x'" "$XK" fuzz run --lab "$lab"
exits "engine: --resume is not a replay's" 2 "toolstack engine's" \
    "$XK" fuzz engine --replay --resume
exits "lab save: no lab running" 1 "no lab running" \
    env XK_LAB_STATE="$tmp/nolab" "$XK" lab save "$tmp/x.ckpt"
[ ! -e "$tmp/x.ckpt" ] && [ -z "$(find "$tmp" -maxdepth 1 -name '.x.ckpt.*')" ] &&
    ok "lab save: nothing written without a lab" ||
    notok "lab save: nothing written without a lab"
: >"$tmp/a b.ckpt"
exits "lab restore: a path QEMU's shell would split" 1 "cannot go to QEMU" \
    env XK_LAB_STATE="$tmp/nolab" "$XK" lab restore "$tmp/a b.ckpt"
exits "lab restore: FILE is needed" 2 "a checkpoint FILE is needed" \
    "$XK" lab restore

# the hypercall engine's logs
hc='xk-fuzz-log 1 engine=hypercall seed=7'
printf '%s\nhc domctl.frobnicate dom=@1\n' "$hc" >"$tmp/hc-unknown.log"
exits "hc: unknown call: where and why" 1 \
    "hc-unknown.log:2:4: hc: unknown call 'domctl.frobnicate'" \
    "$XK" fuzz replay --lab "$lab" "$tmp/hc-unknown.log"
printf '%s\nhc domctl.pausedomain dom=0\n' "$hc" >"$tmp/hc-dom0.log"
exits "hc: a call that would stop the host is refused" 1 \
    'hc-dom0.log:2:27: dom: this call is not made on dom0' \
    "$XK" fuzz replay --lab "$lab" "$tmp/hc-dom0.log"
printf '%s\nhc domctl.createdomain dom=@4 flags=0x0 max_vcpus=1 grant_opts=1 '\
'max_grant_frames=1 emulation=0x0\n' "$hc" >"$tmp/hc-slot.log"
exits "hc: a slot out of range" 1 'hc-slot.log:2:28: dom: want a slot @1 to @3' \
    "$XK" fuzz replay --lab "$lab" "$tmp/hc-slot.log"
printf '%s\nhc sysctl.readconsole clear=1 incremental=0 index=0 count=9 '\
'buffer=buf\n' "$hc" >"$tmp/hc-strict.log"
exits "hc: a value that would wreck the host is refused" 1 \
    'hc-strict.log:2:29: clear: out of the range' \
    "$XK" fuzz replay --lab "$lab" "$tmp/hc-strict.log"
printf '%s\nhc xen_version cmd=1 arg=wild\n' "$hc" >"$tmp/hc-buf.log"
exits "hc: a bad buffer" 1 'hc-buf.log:2:26: arg: want a buffer null, buf or bad' \
    "$XK" fuzz replay --lab "$lab" "$tmp/hc-buf.log"
printf '%s\nhc xen_version cmd=1\n' "$hc" >"$tmp/hc-short.log"
exits "hc: a missing argument" 1 'hc-short.log:2:21: xen_version: missing arg=' \
    "$XK" fuzz replay --lab "$lab" "$tmp/hc-short.log"
printf '%s\npause d0\n' "$hc" >"$tmp/hc-mixed.log"
exits "hc: a toolstack operation in a hypercall log" 1 \
    'hc-mixed.log:2:1: an operation of the toolstack engine' \
    "$XK" fuzz replay --lab "$lab" "$tmp/hc-mixed.log"
printf '%s\nhc xen_version cmd=1 arg=buf\n' "$hdr" >"$tmp/ts-mixed.log"
exits "hc: a call in a toolstack log" 1 \
    'ts-mixed.log:2:1: a call in a log of the toolstack engine' \
    "$XK" fuzz replay --lab "$lab" "$tmp/ts-mixed.log"
exits "bad --engine" 2 "bad --engine 'trinity'" \
    "$XK" fuzz run --engine trinity
exits "replay takes no --engine (the log says)" 2 "run's options" \
    "$XK" fuzz replay --engine hypercall "$tmp/good.log"
XK_FUZZ_PLANT=vcpus-pause exits "the toolstack plant is not the hypercall \
engine's" 2 "hypercall engine's planted bug is in the hypervisor" \
    "$XK" fuzz run --lab "$lab" --engine hypercall --ops 1

# guided: its own options, a corpus that must be a directory, a lab
exits "guided: --corpus must be a directory" 2 \
    "--corpus $tmp/none: not a directory" \
    "$XK" fuzz guided --lab "$lab" --corpus "$tmp/none"
exits "guided: bad --minutes" 2 "bad --minutes '0'" \
    "$XK" fuzz guided --minutes 0
exits "guided drives the hypercall engine only" 2 "not guided's" \
    "$XK" fuzz guided --engine toolstack
exits "run takes no --minutes" 2 "guided's options" \
    "$XK" fuzz run --minutes 5
exits "replay takes no --unguided" 2 "guided's options" \
    "$XK" fuzz replay --unguided "$tmp/good.log"
exits "guided: a lab that is not running" 1 \
    "no lab running in $XK_LAB_STATE" \
    "$XK" fuzz guided --lab "$lab" --minutes 1
[ ! -e "$tmp/none" ] && ok "guided made no corpus of its own" ||
    notok "guided made no corpus of its own"
finish
