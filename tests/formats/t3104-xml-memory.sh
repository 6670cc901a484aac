#!/bin/sh
# t3104-xml-memory - hostile XML in an XVA's ova.xml and in an OVF
# descriptor costs bounded memory: every shape below is refused or
# accepted with a peak RSS under 64 MiB (what xk-import(1) promises),
# measured by /usr/bin/time.  The shapes are the ones that used to be
# parsed whole before any limit applied: a long run of whitespace, a
# million small values, eight million empty ones, 50 MB of text, and
# a 50 MB ova.xml of a real export (padded), which must still import.
#
# usage: t3104-xml-memory.sh XK BUILD-DIR
NAME=t3104-xml-memory
. "$(dirname "$0")/lib.sh"
need tar cmp awk seq

LIMIT=65536	# KiB
# The promise is the product's: under AddressSanitizer (the build-san
# run) every allocation carries redzones and the runtime its own tens of
# MB, so there the same shapes run for memory errors against twice the
# bound (a shape parsed whole, as they once were, still breaks it).
if ldd "$XK" 2>/dev/null | grep -q libasan; then
	LIMIT=$((LIMIT * 2))
fi

# rss NAME CMD...: run CMD (refused or accepted), its peak RSS < LIMIT;
# the exit status is left in $rc and stderr in $T/err
rss() {
	name=$1
	shift
	/usr/bin/time -f %M -o "$T/rss" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	kib=$(tail -n 1 "$T/rss")
	case $kib in
	''|*[!0-9]*)
		sed 's/^/#   /' "$T/rss" "$T/err"
		notok "$name: no RSS measured"
		return
		;;
	esac
	if [ "$rc" -le 1 ] && [ "$kib" -lt "$LIMIT" ]; then
		ok "$name: exit $rc, peak RSS $kib KiB < $((LIMIT / 1024)) MiB"
	else
		sed 's/^/#   /' "$T/err" | head -n 5
		notok "$name: exit $rc, peak RSS $kib KiB (limit $((LIMIT / 1024)) MiB)"
	fi
}

# xva NAME: an XVA whose only member is ova.xml, read from stdin
xva() {
	mkdir "$T/x-$1" && cat >"$T/x-$1/ova.xml" &&
	    tar --format=ustar -C "$T/x-$1" -cf "$T/$1.xva" ova.xml &&
	    rm -r "${T:?}/x-$1"
}

# spaces N-MiB [CHAR]: N MiB of one character (a space by default)
spaces() { head -c "$1M" /dev/zero | tr '\0' "${2:- }"; }

# repeat N TEXT: TEXT N times, no separator
repeat() { yes "$2" | head -n "$1" | tr -d '\n'; }

{ printf '<value>'; spaces 63; printf '</value>'; } | xva ws-text
rss "ova.xml: 63 MiB of whitespace as a value's text" \
    "$XK" inspect "$T/ws-text.xva"
grep -q 'more than the' "$T/err" && ok "... refused for its size" ||
    notok "... refused for its size: $(cat "$T/err")"

{ printf '<value><struct>'; spaces 63 '\n'; printf '</struct></value>'; } |
    xva ws-between
rss "ova.xml: 63 MiB of whitespace between elements" \
    "$XK" inspect "$T/ws-between.xva"

{ printf '<value><array><data>'; repeat 1000000 '<value>x</value>'
    printf '</data></array></value>'; } | xva million
rss "ova.xml: a million <value>x</value>" "$XK" inspect "$T/million.xva"
grep -q 'too many values' "$T/err" && ok "... refused: too many values" ||
    notok "... refused: too many values: $(cat "$T/err")"

{ printf '<value><array><data>'; repeat 8000000 '<value/>'
    printf '</data></array></value>'; } | xva eight
rss "ova.xml: eight million <value/>" "$XK" inspect "$T/eight.xva"
grep -q 'too many values' "$T/err" && ok "... refused: too many values" ||
    notok "... refused: too many values: $(cat "$T/err")"

{ printf '<value><struct><member><name>a</name><value>'; spaces 50 a
    printf '</value></member></struct></value>'; } | xva text50
rss "ova.xml: one value of 50 MB" "$XK" inspect "$T/text50.xva"

{ printf '<value><struct>'; repeat 300000 \
    '<member><name>a</name><value>1</value></member>'
    printf '</struct></value>'; } | xva members
rss "ova.xml: 300000 members of one struct" "$XK" inspect "$T/members.xva"
grep -q "member 'a' appears twice" "$T/err" &&
    ok "... refused: a member twice" ||
    notok "... refused: a member twice: $(cat "$T/err")"

# distinct names: duplicates are looked up in a hash set, not by
# scanning the struct (which took a minute for this one)
{ printf '<value><struct>'
    seq 1 130000 | awk '{ printf "<member><name>m%d</name><value/></member>", $1 }'
    printf '</struct></value>'; } | xva distinct
rss "ova.xml: 130000 distinct members of one struct" \
    "$XK" inspect "$T/distinct.xva"
grep -q 'no objects array' "$T/err" && ok "... parsed, then refused" ||
    notok "... parsed, then refused: $(cat "$T/err")"

# A real export whose ova.xml is padded to 50 MB between two elements:
# accepted, imported, the disk intact.
truncate -s 8M "$T/a.raw"
rnd "$T/a.raw" 1024 512
cat >"$T/web.cfg" <<EOF
name = "web"
type = "hvm"
memory = 256
disk = [ 'format=raw, vdev=xvda, access=rw, target=$T/a.raw' ]
EOF
check "export an XVA" "$XK" export "$T/web.cfg" -o "$T/web.xva"
mkdir "$T/u"
tar -tf "$T/web.xva" >"$T/members"
tar -C "$T/u" -xf "$T/web.xva"
at=$(grep -bo '<struct>' "$T/u/ova.xml" | head -n 1 | cut -d: -f1)
{ head -c $((at + 8)) "$T/u/ova.xml"; spaces 50 '\n'
    tail -c +$((at + 9)) "$T/u/ova.xml"; } >"$T/padded.xml"
mv "$T/padded.xml" "$T/u/ova.xml"
tar --format=ustar -C "$T/u" -cf "$T/big.xva" -T "$T/members"
rss "a real ova.xml padded to 50 MB: import" \
    "$XK" import "$T/big.xva" -o "$T/imp"
[ "$rc" -eq 0 ] && ok "... accepted" || notok "... accepted: $(cat "$T/err")"
check "... the disk intact" cmp "$T/a.raw" "$T/imp/web-xvda.img"

# The OVF descriptor (at most 4 MiB, read whole): the same shapes,
# read from a plain .ovf.
ENV='<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1">'
{ echo "$ENV"; spaces 15 '\n'; echo '</Envelope>'; } >"$T/ws15.ovf"
rss "ovf: 15 MiB of whitespace" "$XK" inspect "$T/ws15.ovf"
grep -q 'larger than' "$T/err" && ok "... refused for its size" ||
    notok "... refused for its size: $(cat "$T/err")"
{ echo "$ENV"; head -c 4000000 /dev/zero | tr '\0' '\n'
    echo '</Envelope>'; } >"$T/ws.ovf"
rss "ovf: 4 MB of whitespace" "$XK" inspect "$T/ws.ovf"
{ echo "$ENV"; repeat 250000 '<Info>x</Info>'; echo '</Envelope>'; } \
    >"$T/million.ovf"
rss "ovf: 250000 <Info>x</Info>" "$XK" inspect "$T/million.ovf"
grep -q 'more than 32768 elements' "$T/err" &&
    ok "... refused while parsing" ||
    notok "... refused while parsing: $(cat "$T/err")"
{ echo "$ENV"; repeat 1000000 '<i/>'; echo '</Envelope>'; } >"$T/many.ovf"
rss "ovf: a million <i/>" "$XK" inspect "$T/many.ovf"
{ printf '<Envelope a="'; head -c 4000000 /dev/zero | tr '\0' a
    echo '"/>'; } >"$T/attr.ovf"
rss "ovf: an attribute of 4 MB" "$XK" inspect "$T/attr.ovf"
# ... and inside an OVA (the descriptor read from the archive)
mkdir "$T/o"
{ echo "$ENV"; repeat 250000 '<Info>x</Info>'; echo '</Envelope>'; } \
    >"$T/o/vm.ovf"
tar --format=ustar -C "$T/o" -cf "$T/million.ova" vm.ovf
rss "ova: a descriptor of 250000 <Info>x</Info>" \
    "$XK" import "$T/million.ova" -o "$T/imp2"

finish
