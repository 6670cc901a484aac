#!/bin/sh
# t4895-fuzz-guided (on the host, against the suite's own hypervisor, a
# coverage build) - xk fuzz guided for one minute: the first input adds
# edges to an empty set, the totals are the sum of what each input
# added, every input that added one is kept in --corpus as a log, and
# mutations of the corpus run beside fresh inputs; a kept input replays.
# On this hypervisor the hypercall engine may meet tests/lab/xen-patches'
# planted crash within the minute (it did in 1 of 1 runs): then the
# finding must be in a report.
#   t4895-fuzz-guided.xen.sh XK LAB
set -u
XK=$1
LAB=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xk-t4895.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
T=$tmp/check
mkdir "$T" "$tmp/corpus" || exit 1
# ok, notok, check, exits, show, finish
. "$here/../lib.sh"

check "one minute, guided" "$XK" fuzz guided --lab "$LAB" --minutes 1 \
    --seed 4895 --ops 100 --corpus "$tmp/corpus" --reports "$tmp/reports"
cp "$T/out" "$tmp/run.out"
grep '^[0-9.]* s: input' "$tmp/run.out" | sed -n '1p;$p' | sed 's/^/#   /'
tail -n 1 "$tmp/run.out" | sed 's/^/#   /'

first=$(grep -m 1 '^[0-9.]* s: input 1 (fresh): ' "$tmp/run.out" |
    sed -n 's/.* +\([0-9]*\) edges.*/\1/p')
[ "${first:-0}" -gt 0 ] && ok "the first input adds edges ($first)" ||
    notok "the first input adds edges"

# the totals: the edges kept = the sum of the gains (each reached by
# both of its input's runs), corpus = the inputs with one; an input that
# seemed to add edges ran twice
sum=$(sed -n 's/^[0-9.]* s: input [0-9]* ([a-z]*): [0-9]* calls, +\([0-9]*\) edges.*/\1/p' \
    "$tmp/run.out" | awk '{ s += $1 } END { print s + 0 }')
gained=$(grep -c '^[0-9.]* s: input .* +[1-9][0-9]* edges' "$tmp/run.out")
total=$(sed -n 's/^guided: .*calls, [0-9]* edges (\([0-9]*\) kept), corpus \([0-9]*\),.*/\1 \2/p' \
    "$tmp/run.out")
twice=$(sed -n 's/^guided: [0-9]* inputs (\([0-9]*\) run twice).*/\1/p' "$tmp/run.out")
[ "${twice:-0}" -ge 1 ] && ok "inputs that seemed to add edges ran twice ($twice)" ||
    notok "inputs that seemed to add edges ran twice"
[ "$total" = "$sum $gained" ] &&
    ok "the totals add up: $sum edges, $gained inputs kept" ||
    notok "the totals add up: '$total', want '$sum $gained'"
[ "$(ls "$tmp/corpus" | wc -l)" -eq "$gained" ] &&
    ok "each input kept is a log in --corpus" ||
    notok "each input kept is a log in --corpus ($(ls "$tmp/corpus" | wc -l) of $gained)"
grep -Eq '^[0-9.]* s: input [0-9]+ \((replace|tail|splice)\)' "$tmp/run.out" &&
    ok "mutations of the corpus ran" || notok "mutations of the corpus ran"

found=$(sed -n 's/^guided: .* \([0-9]*\) findings in .*/\1/p' "$tmp/run.out")
if [ "${found:-0}" -gt 0 ]; then
	ls "$tmp"/reports/*/report >/dev/null 2>&1 &&
	    ok "$found finding(s), kept as a report" ||
	    notok "$found finding(s), kept as a report"
fi
exits "a kept input replays" 0 '^passed: ' "$XK" fuzz replay --lab "$LAB" \
    --reports "$tmp/reports" "$tmp/corpus/input-000001.log"
finish
