#!/bin/sh
# t5110-xen-build - xk lab xen on the host, short of a build (the lab
# suite builds and boots one, tests/lab/run): the deb-src lines derived
# from sample apt sources, and the errors that end a build before make
# (a patch that does not apply, a config option that does not exist or
# does not stick, a missing source, a source that is not Xen 4.17), each
# clear and leaving nothing in the cache, and a source tree never
# written.  The source is Debian's real xen source package, fetched
# through the private apt configuration into the lab's cache (once: the
# lab suite's build takes it from there).
#   t5110-xen-build.sh XK BUILD-DIR
set -u
XK=$1
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
T=$tmp/check && mkdir "$T"
trap 'rm -rf "$tmp"' EXIT
# ok, notok, check, finish
. "$here/../lib.sh"

# The deb-src lines for the bookworm suites of sample sources: one-line
# and deb822, options and inline keys kept, other suites, disabled
# stanzas, other types and *.disabled files left out.
"$top/share/lab/xen-source.sh" sources "$here/apt-samples/etc" "$tmp/apt" \
    2>"$tmp/err"
if diff -r "$here/apt-samples/want" "$tmp/apt" >"$tmp/diff"; then
	ok "deb-src sources derived from the machine's sources"
else
	sed 's/^/#   /' "$tmp/diff" "$tmp/err"
	notok "deb-src sources derived from the machine's sources"
fi
mkdir -p "$tmp/none/sources.list.d"
echo "deb http://mirror.example.org/debian bullseye main" \
    >"$tmp/none/sources.list"
if ! "$top/share/lab/xen-source.sh" sources "$tmp/none" "$tmp/apt2" \
    2>"$tmp/err" && grep -q "no deb source for bookworm" "$tmp/err"; then
	ok "no bookworm source: a clear error"
else
	sed 's/^/#   /' "$tmp/err"
	notok "no bookworm source: a clear error"
fi

# The lab's own cache (the run's, as xk finds it): its fetched source is
# reused, and what a failed build leaves is seen against what was there.
cache=${XK_LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xenkit/lab}
# cache_entries: the builds and temporaries, not the source or apt lists
cache_entries() {
	ls -a "$cache/xen" 2>/dev/null | grep -v -x -e . -e .. -e apt -e src \
	    -e build.lock
}

# fails NAME WANT-MESSAGE XK-ARGS...: exit 1, the message, and nothing
# new in the cache (no entry, no temporary)
fails() {
	name=$1 want=$2
	shift 2
	cache_entries >"$tmp/before"
	"$XK" lab xen "$@" >"$tmp/out" 2>&1
	st=$?
	left=$(cache_entries | grep -v -x -F -f "$tmp/before")
	if [ "$st" -eq 1 ] && grep -qF -- "$want" "$tmp/out" &&
	    [ -z "$left" ]; then
		ok "$name"
	else
		sed 's/^/#   /' "$tmp/out" | tail -n 15
		echo "#   status $st; left in the cache: $left"
		notok "$name"
	fi
}

fails "a patch that does not apply: named, with its failed hunk" \
    "bad-context.patch: does not apply" --patch "$here/bad-context.patch"
check "... and the hunk is shown" grep -q "Hunk #1 FAILED" "$tmp/out"
fails "a config option Xen does not have" \
    "CONFIG_XK_NO_SUCH_OPTION=y: no option CONFIG_XK_NO_SUCH_OPTION" \
    --config CONFIG_XK_NO_SUCH_OPTION=y
# UBSAN sits under DEBUG or EXPERT, both off in Debian's config
fails "a config option whose dependencies are off" \
    "CONFIG_UBSAN=y did not stick" --config CONFIG_UBSAN=y
# COVERAGE also needs LIVEPATCH off: said before anything is fetched
fails "coverage without what it needs: said what to add" \
    "CONFIG_COVERAGE=y needs CONFIG_LIVEPATCH=n" --config CONFIG_COVERAGE=y \
    --config CONFIG_DEBUG=y
fails "a missing source directory" "source $tmp/nowhere" \
    --source "$tmp/nowhere"
mkdir -p "$tmp/notxen"
fails "a directory that is no Xen tree" "not a Xen source tree" \
    --source "$tmp/notxen"

# A source tree: Debian's, unpacked here.  A 4.18 one is refused (dom0's
# tools are 4.17); a failed build with a patch leaves it as it was.
dsc=$(ls "$cache"/xen/src/*/xen_*.dsc 2>/dev/null | head -n 1)
if [ -n "$dsc" ] && dpkg-source -x "$dsc" "$tmp/tree" >/dev/null 2>&1; then
	ok "Debian's source fetched and unpacked"
else
	notok "Debian's source fetched and unpacked"
	finish
	exit
fi
cp -a "$tmp/tree" "$tmp/tree418"
sed -i 's/^export XEN_SUBVERSION .*/export XEN_SUBVERSION    = 18/' \
    "$tmp/tree418/xen/Makefile"
fails "a Xen 4.18 tree: refused, dom0's tools are 4.17" \
    "only a 4.17.x hypervisor works with them" --source "$tmp/tree418"
sums() { (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z |
    xargs -0 sha256sum | sha256sum); }
before=$(sums "$tmp/tree")
fails "a tree with a good patch and a bad option" \
    "no option CONFIG_XK_NO_SUCH_OPTION" --source "$tmp/tree" \
    --patch "$top/tests/lab/xen-patches" --config CONFIG_XK_NO_SUCH_OPTION=y
check "... and the tree is not written" test "$before" = "$(sums "$tmp/tree")"
check "... patched in the copy" grep -q "patch .*0001-xk-extraversion.patch" \
    "$tmp/out"
finish
