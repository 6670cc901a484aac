#!/bin/sh
# xen-coverage.sh - the report of a coverage hypervisor's counters (xk
# lab coverage collect; lib/lab/coverage.c drives it).
#
#   xen-coverage.sh report ENTRY TMP OUT
#	TMP holds xencov.raw and src/, the .gcda files xk split it into at
#	their places under xen/; the build's gcov.tar.gz (its .gcno files
#	and sources, ENTRY/gcov.tar.gz) goes beside them, lcov makes
#	coverage.info (every instrumented function and line with its
#	count), and TMP is renamed OUT.  The tracefile names the sources
#	under OUT/src, where they stay.
# Messages go to stderr, the last one says why it failed.
set -eu
die() { echo "xen-coverage: $*" >&2; exit 1; }

report() {
	entry=$1 tmp=$2 out=$3
	command -v lcov >/dev/null || die "lcov not found: install the Debian package lcov"
	command -v gcov >/dev/null || die "gcov not found: install the Debian package gcc"
	tar -xzf "$entry/gcov.tar.gz" -C "$tmp/src" ||
	    die "$entry/gcov.tar.gz: cannot unpack"
	build=$(cat "$tmp/src/build-dir")
	# lcov runs gcov, the same gcc's, in each .gcda's directory; the
	# hypervisor's functions that never ran are in the .gcno files
	# and show with count 0.
	(cd "$tmp/src" && lcov --quiet --capture --directory . \
	    --base-directory . --output-file "$tmp/coverage.info.tmp") >&2 ||
	    die "lcov --capture failed"
	# the names as the build saw them (its directory, or this one) as
	# they will be once renamed
	awk -v a="$build/" -v b="$tmp/src/" -v to="$out/src/" '
	    /^SF:/ { p = substr($0, 4)
		if (index(p, a) == 1) p = to substr(p, length(a) + 1)
		else if (index(p, b) == 1) p = to substr(p, length(b) + 1)
		$0 = "SF:" p }
	    { print }' "$tmp/coverage.info.tmp" >"$tmp/coverage.info" ||
	    die "cannot write $tmp/coverage.info"
	rm -f "$tmp/coverage.info.tmp"
	[ ! -e "$out" ] || die "$out: exists"
	mv -T "$tmp" "$out" || die "cannot rename $tmp to $out"
}

case ${1:-} in
report) [ $# -eq 4 ] || die "usage: report ENTRY TMP OUT"
	report "$2" "$3" "$4" ;;
*) die "usage: xen-coverage.sh report ENTRY TMP OUT" ;;
esac
