#!/bin/sh
# t4830-fuzz-edges - lib/fuzz/edges.c reads the arcs a coverage build
# counted as gcc itself does: a program built with gcc --coverage runs
# twice on different paths, each .gcda goes into a blob as xencov read
# gives it (lab/coverage.h), and edges-count's numbers (edges, new in
# the second run, the union) match what gcc's gcov-dump shows of the
# same files; two objects' arcs stay apart; cut and corrupt data are
# refused with where and why.
# Usage: t4830-fuzz-edges.sh XK BUILD-DIR
set -u
BUILD=$2
count=$BUILD/tests/fuzzer/edges-count
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xk-t4830.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib.sh"
T=$tmp/check
mkdir "$T" || exit 1

# le32 N: N as 4 bytes, little-endian (the lab and the host are x86)
le32() {
	# shellcheck disable=SC2059 # the format is the bytes
	printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($1 & 255)) \
	    $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)))"
}
# blob OUT NAME FILE [NAME FILE...]: xencov's blob of the .gcda files
blob() {
	_out=$1
	shift
	{
		le32 1480806230	# 0x58434f56, XCOV
		while [ $# -ge 2 ]; do
			printf '%s\0' "$1"
			le32 "$(stat -c %s "$2")"
			cat "$2"
			shift 2
		done
	} >"$_out"
}
# arcs GCDA: "IDENT:INDEX" of each non-zero arc counter, as gcov-dump
# prints them (a FUNCTION line, then COUNTERS arcs and their values,
# each value line starting with the index of its first)
arcs() {
	gcov-dump-12 -l "$1" | awk '
	    /FUNCTION ident=/ { sub(/.*ident=/, ""); sub(/,.*/, ""); id = $0; a = 0; next }
	    /COUNTERS arcs/ { a = 1; next }
	    a && /^[^:]*: +[0-9]+:/ {
		sub(/^[^:]*: +/, ""); i = $1 + 0; sub(/^[0-9]+:/, "")
		for (k = 1; k <= NF; k++) { if ($k != 0) print id ":" i; i++ }
		next }
	    { a = 0 }' | sort -u
}

cat >"$tmp/p.c" <<'C'
#include <stdio.h>
static int f(int x) { if (x > 2) return x * 2; return x; }
static void g(int n) { while (n-- > 0) if (n % 3 == 0) putchar('.'); }
int main(int argc, char **argv)
{
	int s = 0;
	(void)argv;
	for (int i = 0; i < argc; i++)
		s += f(i);
	if (s > 5)
		g(s);
	return 0;
}
C
check "gcc --coverage builds the sample" \
    gcc --coverage -O0 -o "$tmp/p" "$tmp/p.c"
(cd "$tmp" && ./p >/dev/null) && mv "$tmp/p.gcda" "$tmp/a.gcda"
(cd "$tmp" && ./p x y z w >/dev/null) && mv "$tmp/p.gcda" "$tmp/b.gcda"
arcs "$tmp/a.gcda" >"$tmp/a.arcs"
arcs "$tmp/b.gcda" >"$tmp/b.arcs"
na=$(wc -l <"$tmp/a.arcs")
nb=$(wc -l <"$tmp/b.arcs")
nnew=$(comm -13 "$tmp/a.arcs" "$tmp/b.arcs" | wc -l)
nuni=$(sort -u "$tmp/a.arcs" "$tmp/b.arcs" | wc -l)
[ "$na" -gt 0 ] && [ "$nnew" -gt 0 ] &&
    ok "gcov-dump: $na arcs, then $nb, $nnew of them new" ||
    notok "gcov-dump shows arcs, and new ones in the second run ($na, $nnew)"

blob "$tmp/a.blob" xen/common/p.gcda "$tmp/a.gcda"
blob "$tmp/b.blob" xen/common/p.gcda "$tmp/b.gcda"
exits "edges of the first run as gcov-dump counts them" 0 "^edges $na\$" \
    "$count" "$tmp/a.blob"
"$count" "$tmp/a.blob" "$tmp/b.blob" >"$tmp/ab.out" 2>&1
if grep -qx "new $nnew" "$tmp/ab.out" && grep -qx "union $nuni" "$tmp/ab.out"
then
	ok "new in the second run and the union: $nnew, $nuni"
else
	show "$tmp/ab.out"
	notok "new in the second run and the union: want $nnew, $nuni"
fi
blob "$tmp/two.blob" xen/common/p.gcda "$tmp/a.gcda" xen/arch/q.gcda "$tmp/a.gcda"
exits "the same arcs in two objects are two edges each" 0 \
    "^edges $((na * 2))\$" "$count" "$tmp/two.blob"
exits "a blob against itself has nothing new" 0 "^new 0\$" \
    "$count" "$tmp/b.blob" "$tmp/b.blob"

# Xen's own writer before GCC 12: no checksum, lengths in words
head -c 12 "$tmp/a.gcda" >"$tmp/w.gcda"
{ le32 16777216; le32 3; le32 7; le32 0; le32 0
  le32 27328512; le32 6; le32 5; le32 0; le32 0; le32 0; le32 9; le32 0
} >>"$tmp/w.gcda"
blob "$tmp/w.blob" xen/common/w.gcda "$tmp/w.gcda"
exits "the pre-GCC 12 format (lengths in words): 2 of 3 counters" 0 \
    '^edges 2$' "$count" "$tmp/w.blob"

# bad data
size=$(stat -c %s "$tmp/a.gcda")
head -c $((size - 3)) "$tmp/a.gcda" >"$tmp/cut.gcda"
blob "$tmp/cut.blob" xen/common/cut.gcda "$tmp/cut.gcda"
exits "a .gcda cut short: which object, where" 1 \
    'xen/common/cut.gcda at offset [0-9]+: (a record of [0-9]+ bytes, [0-9]+ bytes are left|a record cut short)' \
    "$count" "$tmp/cut.blob"
printf 'nope' >"$tmp/magic.gcda"
cat "$tmp/a.gcda" >>"$tmp/magic.gcda"
blob "$tmp/magic.blob" xen/common/m.gcda "$tmp/magic.gcda"
exits "no gcda magic" 1 'xen/common/m.gcda: no gcda magic' \
    "$count" "$tmp/magic.blob"
{ head -c 16 "$tmp/a.gcda"; le32 27328512; le32 8; le32 1; le32 0; } \
    >"$tmp/orphan.gcda"
blob "$tmp/orphan.blob" xen/common/o.gcda "$tmp/orphan.gcda"
exits "arc counters before any function" 1 \
    'o.gcda at offset 16: arc counters outside a function' \
    "$count" "$tmp/orphan.blob"
head -c 20 "$tmp/a.blob" >"$tmp/short.blob"
exits "a blob cut in a record's header" 1 'xencov data at offset 4' \
    "$count" "$tmp/short.blob"
finish
