#!/bin/sh
# t2020-cfg-memory - xk cfg check, show --json and show --canonical stay
# within the memory xk-cfg(1) promises for any file under 1 MiB: at most 40 times
# the file's size beyond what the program needs for an empty file,
# measured as the peak RSS of the child (/usr/bin/time %M), on hostile
# shapes (issue 21, item 7).  Sanitizer builds are held to a looser
# factor: ASan adds a header and redzones to every allocation.
#   t2020-cfg-memory.sh XK BUILD-DIR
set -u
XK=$1
BUILD=${2:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
factor=40
if [ -n "$BUILD" ] && grep -q '"name": "b_sanitize", "value": "address' \
    "$BUILD/meson-info/intro-buildoptions.json" 2>/dev/null; then
	factor=100
fi
max=1048000	# under XLCFG_MAX_SIZE, with room for the closing bytes

# rep TEXT N: TEXT repeated N times, without newlines between
rep() {
	yes "$1" | head -n "$2" | tr -d '\n'
}

# peak KIB CMD...: the child's peak RSS in KiB (its exit status ignored)
peak() {
	/usr/bin/time -f '%M' -o "$tmp/rss" "$@" >/dev/null 2>&1
	tail -n 1 "$tmp/rss"
}

# shape NAME: $tmp/NAME.cfg is written; check both commands on it
shape() {
	f=$tmp/$1.cfg
	size=$(wc -c <"$f")
	for cmd in check "show --json" "show --canonical"; do
		case $cmd in
		check) base=$base_check ;;
		*json) base=$base_json ;;
		*) base=$base_canonical ;;
		esac
		# shellcheck disable=SC2086
		got=$(peak "$XK" cfg $cmd "$f")
		limit=$((base + factor * size / 1024))
		if [ "$size" -gt 900000 ] && [ "$size" -lt 1048576 ] &&
		    [ "$got" -le "$limit" ]; then
			echo "ok - $1: cfg $cmd: $got KiB, at most $limit" \
			    "($size bytes)"
			passed=$((passed + 1))
		else
			echo "not ok - $1: cfg $cmd: $got KiB over $limit" \
			    "($size bytes, empty file $base KiB)"
			failed=$((failed + 1))
		fi
	done
}

: >"$tmp/empty.cfg"
base_check=$(peak "$XK" cfg check "$tmp/empty.cfg")
base_json=$(peak "$XK" cfg show --json "$tmp/empty.cfg")
base_canonical=$(peak "$XK" cfg show --canonical "$tmp/empty.cfg")
{ printf 'x=['; rep '1,' $((max / 2)); printf ']\n'; } >"$tmp/numbers.cfg"
shape numbers
{ printf 'x=['; rep '"",' $((max / 3)); printf ']\n'; } >"$tmp/strings.cfg"
shape strings
{ printf 'vif=['; rep '"",' $((max / 3)); printf ']\n'; } >"$tmp/vifs.cfg"
shape vifs
{ printf 'disk=['; rep '"/d,raw,xvda,rw",' $((max / 17)); printf ']\n'; } \
    >"$tmp/disks.cfg"
shape disks
{ printf 'x=['; rep '[],' $((max / 3)); printf ']\n'; } >"$tmp/lists.cfg"
shape lists
deep=$(rep '[' 63)$(rep ']' 63),
{ printf 'x=['; rep "$deep" $((max / 127)); printf ']\n'; } >"$tmp/deep.cfg"
shape deep
awk -v max="$max" 'BEGIN { n = 0; for (i = 0; n < max; i++) {
	s = sprintf("k%x=1;", i); n += length(s); printf "%s", s } print "" }' \
    >"$tmp/keys.cfg"
shape keys
{ printf 'x="'; head -c "$max" /dev/zero | tr '\0' a; printf '"\n'; } \
    >"$tmp/string.cfg"
shape string
{ printf 'x="a"\n'; rep 'x+="ab";' $((max / 8)); echo; } >"$tmp/append.cfg"
shape append
{ rep 'a=1;' $((max / 4)); echo; } >"$tmp/repeats.cfg"
shape repeats
{ printf 'x="'; rep '\0111' $((max / 5)); printf '"\n'; } >"$tmp/escapes.cfg"
shape escapes

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
