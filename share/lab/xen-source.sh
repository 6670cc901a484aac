#!/bin/sh
# xen-source.sh - where the lab's hypervisor builds get their source
# (xk lab xen; lib/lab/xenbuild.c runs it, build-xen.sh reads its
# functions).  Kept apart from build-xen.sh, whose content is part of a
# build's key: what only finds the source does not change a build (the
# source's own hash is in the key).
#
#   xen-source.sh sources APTDIR OUT
#	deb-src sources for the Debian 12 (bookworm) suites of the apt
#	configuration in APTDIR (its sources.list, sources.list.d/*.list
#	and *.sources): OUT/sources.list and OUT/sources.list.d/xk.sources
#   xen-source.sh resolve SOURCE
#	"version V" and "hash H" of SOURCE: "debian" (the newest Xen 4.17
#	source package the machine's mirrors serve, fetched into
#	$XK_XEN_CACHE/src) or a Xen source tree (its xen/ and what the
#	hypervisor's build reads outside it)
#
# The apt configuration is private ($XK_XEN_CACHE/apt): the machine's is
# only read.  Messages go to stderr, the last one says why it failed.
set -eu

suite=bookworm
die() { echo "xen-source: $*" >&2; exit 1; }
log() { echo "xen-source: $(date -u +%T) $*" >&2; }

# deb_src_list FILE: the one-line "deb" entries of FILE for $suite*,
# as deb-src
deb_src_list() {
	awk -v s="$suite" '
	/^[ \t]*deb[ \t]/ {
		sub(/^[ \t]*deb[ \t]+/, "")
		opts = ""
		if ($0 ~ /^\[/) {
			opts = substr($0, 1, index($0, "]"))
			$0 = substr($0, index($0, "]") + 1)
			sub(/^[ \t]+/, "")
		}
		split($0, f, /[ \t]+/)
		if (f[2] != s && index(f[2], s "-") != 1)
			next
		print "deb-src " (opts == "" ? "" : opts " ") $0
	}' "$1"
}

# deb_src_822 FILE: the deb822 stanzas of FILE with Types deb for
# $suite*, as deb-src (comments dropped, Enabled: no skipped)
deb_src_822() {
	awk -v s="$suite" '
	function flush(  i, n, w, ok) {
		if (nl == 0)
			return
		ok = deb && !disabled
		sub(/^[ \t]+/, "", suites)
		n = split(suites, w, /[ \t]+/)
		keep = ""
		for (i = 1; i <= n; i++)
			if (w[i] == s || index(w[i], s "-") == 1)
				keep = keep " " w[i]
		if (ok && keep != "") {
			print "Types: deb-src"
			print "Suites:" keep
			for (i = 1; i <= nl; i++)
				print line[i]
			print ""
		}
		nl = 0; deb = 0; disabled = 0; suites = ""; cur = ""
	}
	# Types and Suites are rewritten (their values may go on over
	# indented lines); the other fields are copied as they are
	function types(s,  i, n, w) {
		n = split(s, w, /[ \t]+/)
		for (i = 1; i <= n; i++)
			if (w[i] == "deb")
				deb = 1
	}
	/^#/ { next }
	/^[ \t]*$/ { flush(); next }
	/^[ \t]/ {
		if (cur == "types:")
			types($0)
		else if (cur == "suites:")
			suites = suites " " $0
		else
			line[++nl] = $0
		next
	}
	{
		cur = tolower($1)
		v = $0; sub(/^[^:]*:[ \t]*/, "", v)
		if (cur == "types:") {
			types(v)
			next
		}
		if (cur == "suites:") {
			suites = v
			next
		}
		k = cur
		if (k == "enabled:" && tolower($2) == "no")
			disabled = 1
		line[++nl] = $0
	}
	END { flush() }' "$1"
}

sources() {
	apt=$1 out=$2
	mkdir -p "$out/sources.list.d"
	: >"$out/sources.list"
	: >"$out/sources.list.d/xk.sources"
	for f in "$apt/sources.list" "$apt"/sources.list.d/*.list; do
		[ -f "$f" ] && deb_src_list "$f" >>"$out/sources.list"
	done
	for f in "$apt"/sources.list.d/*.sources; do
		[ -f "$f" ] && deb_src_822 "$f" >>"$out/sources.list.d/xk.sources"
	done
	[ -s "$out/sources.list" ] || [ -s "$out/sources.list.d/xk.sources" ] ||
	    die "$apt: no deb source for $suite in this machine's apt configuration"
}

# The private apt configuration's options.
apt_opts() {
	a=$XK_XEN_CACHE/apt
	echo "-o Dir::Etc::sourcelist=$a/etc/sources.list" \
	    "-o Dir::Etc::sourceparts=$a/etc/sources.list.d" \
	    "-o Dir::State::lists=$a/lists -o Dir::Cache=$a/cache" \
	    "-o APT::Sandbox::User=root"
}

# Refresh the private lists when the machine's sources changed or the
# lists are a day old (a miss costs seconds, a hit none).
apt_update() {
	a=$XK_XEN_CACHE/apt
	mkdir -p "$a/lists/partial" "$a/cache/archives/partial"
	rm -rf "$a/new"
	sources "${XK_XEN_APT_ETC:-/etc/apt}" "$a/new"
	if [ -d "$a/etc" ] && diff -r "$a/new" "$a/etc" >/dev/null &&
	    [ -n "$(find "$a/updated" -mmin -1440 2>/dev/null)" ]; then
		rm -rf "$a/new"
		return 0
	fi
	rm -rf "${a:?}/etc"
	mv "$a/new" "$a/etc"
	# shellcheck disable=SC2046 # one word per option
	if apt-get -q $(apt_opts) update >"$a/update.log" 2>&1; then
		touch "$a/updated"
		rm -f "$a/not-served"
	else
		tail -n 5 "$a/update.log" >&2
		log "apt-get update failed: using the lists as they are"
	fi
}

# The newest Xen 4.17 source the mirrors serve, fetched once into
# $XK_XEN_CACHE/src/VERSION (renamed into place when complete).
fetch_debian() {
	apt_update
	c=$XK_XEN_CACHE
	# shellcheck disable=SC2046
	vers=$(apt-cache $(apt_opts) showsrc xen 2>/dev/null |
	    sed -n 's/^Version: \(4\.17\..*\)$/\1/p' | sort -u -V -r)
	[ -n "$vers" ] || vers=$(ls "$c/src" 2>/dev/null |
	    grep -v -e '\.tmp$' -e '\.log$' | sort -V -r)
	[ -n "$vers" ] || die "no Xen 4.17 source package in the apt lists of $c/apt"
	newest=
	for v in $vers; do
		[ -n "$newest" ] || newest=$v
		if [ -f "$c/src/$v/xen_$v.dsc" ]; then
			picked=$v
			break
		fi
		grep -qxF "$v" "$c/apt/not-served" 2>/dev/null && continue
		rm -rf "$c/src/$v.tmp"
		mkdir -p "$c/src/$v.tmp"
		# shellcheck disable=SC2046
		if (cd "$c/src/$v.tmp" && apt-get -q $(apt_opts) source -d \
		    "xen=$v") >"$c/src/fetch.log" 2>&1; then
			mv "$c/src/$v.tmp" "$c/src/$v"
			picked=$v
			break
		fi
		rm -rf "$c/src/$v.tmp"
		echo "$v" >>"$c/apt/not-served"
	done
	[ -n "${picked:-}" ] || {
		tail -n 3 "$c/src/fetch.log" >&2
		die "no Xen 4.17 source package could be fetched (listed: $(echo "$vers" | tr "\n" " "))"
	}
	[ "$picked" = "$newest" ] ||
	    log "source xen $newest is listed but not served: using $picked"
	echo "version $picked"
	echo "hash $(sha256sum <"$c/src/$picked/xen_$picked.dsc" | cut -d' ' -f1)"
}

# What the hypervisor's build reads of a source tree.
tree_parts="xen Config.mk config version.sh tools/flask/policy"

# A tree's Xen version, from xen/Makefile; only 4.17.x is accepted.
tree_version() {
	mk=$1/xen/Makefile
	[ -f "$mk" ] || die "$1: not a Xen source tree (no xen/Makefile)"
	v=$(sed -n 's/^export XEN_VERSION *= *//p' "$mk")
	s=$(sed -n 's/^export XEN_SUBVERSION *= *//p' "$mk")
	e=$(sed -n 's/^export XEN_EXTRAVERSION *?= *\([^$]*\).*/\1/p' "$mk")
	[ "$v.$s" = 4.17 ] || die "$1: Xen $v.$s$e, but dom0's tools are" \
	    "Debian's Xen 4.17: only a 4.17.x hypervisor works with them"
	echo "$v.$s$e"
}

resolve() {
	if [ "$1" = debian ]; then
		fetch_debian
		return
	fi
	[ -d "$1" ] || die "$1: no such source directory"
	echo "version $(tree_version "$1")"
	h=$(cd "$1" && for p in $tree_parts; do [ -e "$p" ] && echo "$p"; done |
	    xargs -r find | LC_ALL=C sort | while read -r f; do
		[ -f "$f" ] && [ ! -L "$f" ] && sha256sum "$f"
		[ -L "$f" ] && echo "link $f $(readlink "$f")"
	done | sha256sum | cut -d' ' -f1)
	echo "hash $h"
}


[ -n "${XK_XEN_FUNCTIONS_ONLY:-}" ] && return 0
case ${1:-} in
sources) [ $# -eq 3 ] || die "usage: sources APTDIR OUT"; sources "$2" "$3" ;;
resolve) [ $# -eq 2 ] || die "usage: resolve SOURCE"
	: "${XK_XEN_CACHE:?}"; resolve "$2" ;;
*) die "usage: xen-source.sh sources|resolve ..." ;;
esac
