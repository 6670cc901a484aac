#!/bin/sh
# build-xen.sh - the lab's hypervisor built from source (xk lab xen;
# lib/lab/xenbuild.c drives it).  Only the hypervisor: make -C xen.
#
#   build-xen.sh sources APTDIR OUT
#	deb-src sources for the Debian 12 (bookworm) suites of the apt
#	configuration in APTDIR (its sources.list, sources.list.d/*.list
#	and *.sources): OUT/sources.list and OUT/sources.list.d/xk.sources
#   build-xen.sh resolve SOURCE
#	"version V" and "hash H" of SOURCE: "debian" (the newest Xen 4.17
#	source package the machine's mirrors serve, fetched into
#	$XK_XEN_CACHE/src) or a Xen source tree (its xen/ and what the
#	hypervisor's build reads outside it)
#   build-xen.sh build SOURCE OUT
#	build into OUT: xen.elf (multiboot, what QEMU boots), xen-syms,
#	config (the .config); $XK_XEN_PATCHES lists the patches in order,
#	one a line, $XK_XEN_CONFIG the CONFIG_NAME=VALUE options
#
# The apt configuration is private ($XK_XEN_CACHE/apt): the machine's is
# only read.  Messages go to stderr, the last one says why it failed.
set -eu

suite=bookworm
die() { echo "build-xen: $*" >&2; exit 1; }
log() { echo "build-xen: $(date -u +%T) $*" >&2; }

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
		nl = 0; deb = 0; disabled = 0; suites = ""
	}
	/^#/ { next }
	/^[ \t]*$/ { flush(); next }
	/^[ \t]/ { if (skip == 0) line[++nl] = $0; next }
	{
		skip = 0
		k = tolower($1)
		if (k == "types:") {
			for (i = 2; i <= NF; i++)
				if ($i == "deb")
					deb = 1
			skip = 1
			next
		}
		if (k == "suites:") {
			suites = $0; sub(/^[^:]*:[ \t]*/, "", suites)
			skip = 1
			next
		}
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

# apply_patches SRC: each patch of $XK_XEN_PATCHES with patch -p1; the
# first that does not apply is an error naming it and its failed hunk
apply_patches() {
	[ -n "${XK_XEN_PATCHES:-}" ] || return 0
	while IFS= read -r p; do
		[ -n "$p" ] || continue
		log "patch $p"
		if ! out=$(patch -d "$1" -p1 --batch --forward -i "$p" 2>&1); then
			echo "$out" | grep -E 'patching file|FAILED|malformed|Only garbage|can.t find file|Reversed' >&2 ||
			    echo "$out" | tail -n 5 >&2
			die "$p: does not apply"
		fi
	done <<EOF
$XK_XEN_PATCHES
EOF
}

# configure SRC BASE: BASE (or defconfig) plus $XK_XEN_CONFIG, through
# olddefconfig; every option must exist and keep its value
configure() {
	src=$1
	if [ -n "$2" ]; then
		cp "$2" "$src/xen/.config"
	else
		make -s -C "$src/xen" defconfig >&2 || die "make defconfig failed"
	fi
	if [ -n "${XK_XEN_CONFIG:-}" ]; then
		printf '%s\n' "$XK_XEN_CONFIG" >>"$src/xen/.config"
	fi
	make -s -C "$src/xen" olddefconfig >&2 || die "make olddefconfig failed"
	[ -n "${XK_XEN_CONFIG:-}" ] || return 0
	while IFS= read -r kv; do
		[ -n "$kv" ] || continue
		k=${kv%%=*} val=${kv#*=}
		grep -rqE "^[[:space:]]*(menu)?config[[:space:]]+${k#CONFIG_}[[:space:]]*\$" \
		    --include='Kconfig*' "$src/xen" ||
		    die "$kv: no option ${k} in this Xen's Kconfig"
		if [ "$val" = n ]; then
			grep -qx "$k=.*" "$src/xen/.config" || continue
		else
			grep -qxF "$kv" "$src/xen/.config" && continue
		fi
		got=$(grep -E "^$k=|^# $k is not set" "$src/xen/.config" || echo "absent")
		die "$kv did not stick: the .config has '$got' (a dependency of it is off?)"
	done <<EOF
$XK_XEN_CONFIG
EOF
}

build() {
	source=$1 out=$2
	work=${XK_XEN_WORK:-$out.work}
	rm -rf "$work"
	mkdir -p "$work/src" "$out"
	base=
	if [ "$source" = debian ]; then
		v=${XK_XEN_VERSION:?}
		log "unpack Debian's source xen $v (its patches applied)"
		# (apt checked the files against the signed archive: the
		# missing maintainer key dpkg-source warns about is moot)
		dpkg-source -x "$XK_XEN_CACHE/src/$v/xen_$v.dsc" "$work/src/x" \
		    >"$work/unpack.log" 2>&1 || { tail -n 5 "$work/unpack.log" >&2
		    die "dpkg-source -x xen_$v.dsc failed"; }
		src=$work/src/x
		base=$src/debian/xen-kconfig
		maint=$(sed -n 's/^Maintainer: //p' "$src/debian/control")
		set -- "DEB_VERSION=$v" "DEB_MAINTAINER=$maint"
	else
		tree_version "$source" >/dev/null
		log "copy $source"
		src=$work/src/x
		mkdir -p "$src"
		(cd "$source" && for p in $tree_parts; do [ -e "$p" ] && echo "$p"; done |
		    xargs -r cp -a --parents -t "$src") || die "cannot copy $source"
		# what a build in the user's tree left would confuse ours
		make -s -C "$src/xen" distclean >/dev/null 2>&1 || true
		set --
	fi
	apply_patches "$src"
	configure "$src" "$base"
	log "make -C xen (-j$(nproc))"
	make -C "$src/xen" -j"$(nproc)" "$@" >"$work/make.log" 2>&1 || {
		tail -n 30 "$work/make.log" >&2
		die "make -C xen failed"
	}
	cp "$src/xen/xen" "$out/xen.elf"
	cp "$src/xen/xen-syms" "$out/xen-syms"
	cp "$src/xen/.config" "$out/config"
	rm -rf "$work"
	log "built"
}

case ${1:-} in
sources) [ $# -eq 3 ] || die "usage: sources APTDIR OUT"; sources "$2" "$3" ;;
resolve) [ $# -eq 2 ] || die "usage: resolve SOURCE"
	: "${XK_XEN_CACHE:?}"; resolve "$2" ;;
build) [ $# -eq 3 ] || die "usage: build SOURCE OUT"
	: "${XK_XEN_CACHE:?}"; build "$2" "$3" ;;
*) die "usage: build-xen.sh sources|resolve|build ..." ;;
esac
