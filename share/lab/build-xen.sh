#!/bin/sh
# build-xen.sh - the lab's hypervisor built from source (xk lab xen;
# lib/lab/xenbuild.c drives it).  Only the hypervisor: make -C xen.
# Its content is part of every build's key (xenbuild.h).
#
#   build-xen.sh build SOURCE OUT
#	build into OUT: xen.elf (multiboot, what QEMU boots), xen-syms,
#	config (the .config), and with CONFIG_COVERAGE=y gcov.tar.gz
#	(keep_gcov); $XK_XEN_PATCHES lists the patches in order,
#	one a line, $XK_XEN_CONFIG the CONFIG_NAME=VALUE options
#	SOURCE is "debian" (the version xen-source.sh fetched is
#	$XK_XEN_VERSION) or a Xen source tree.
# Messages go to stderr, the last one says why it failed.
set -eu

# tree_parts and tree_version: xen-source.sh's
XK_XEN_FUNCTIONS_ONLY=1 . "$(dirname "$0")/xen-source.sh"
# Debian's python3: a wrapper earlier on PATH (pyenv's shim takes
# seconds a call) would make the build's many generator runs crawl.
[ -x /usr/bin/python3 ] && export PYTHON=/usr/bin/python3
die() { echo "build-xen: $*" >&2; exit 1; }
log() { echo "build-xen: $(date -u +%T) $*" >&2; }

# apply_patches SRC: each patch of $XK_XEN_PATCHES with patch -p1; the
# first that does not apply is an error naming it and its failed hunk
apply_patches() {
	[ -n "${XK_XEN_PATCHES:-}" ] || return 0
	while IFS= read -r p; do
		[ -n "$p" ] || continue
		log "patch $p"
		if ! said=$(patch -d "$1" -p1 --batch --forward -i "$p" 2>&1); then
			echo "$said" | grep -E 'patching file|FAILED|malformed|Only garbage|can.t find file|Reversed' >&2 ||
			    echo "$said" | tail -n 5 >&2
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

# keep_gcov XENDIR OUT: what gcov needs to read the coverage counters
# xencov collects (xk lab coverage): the build's .gcno files and the
# sources and headers they name, at their places under xen/, and
# build-dir, the directory the build ran in, which the counters' file
# names (an object's path with .gcda) start with
keep_gcov() {
	log "keep the .gcno files and sources for gcov (gcov.tar.gz)"
	(cd "$1" && pwd -P >build-dir &&
	    find . -type f \( -name '*.gcno' -o -name '*.[ch]' \) -print |
	    LC_ALL=C sort | tar -czf "$2/gcov.tar.gz.tmp" --owner=0 \
	    --group=0 --numeric-owner build-dir -T -) &&
	    mv "$2/gcov.tar.gz.tmp" "$2/gcov.tar.gz" ||
	    die "cannot pack the coverage build's .gcno files"
	[ "$(tar -tzf "$2/gcov.tar.gz" | grep -c '\.gcno$')" -gt 0 ] ||
	    die "a coverage build without .gcno files"
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
	if grep -qx 'CONFIG_COVERAGE=y' "$src/xen/.config"; then
		keep_gcov "$src/xen" "$out"
	fi
	rm -rf "$work"
	log "built"
}

case ${1:-} in
build) [ $# -eq 3 ] || die "usage: build SOURCE OUT"
	: "${XK_XEN_CACHE:?}"; build "$2" "$3" ;;
*) die "usage: build-xen.sh build SOURCE OUT" ;;
esac
