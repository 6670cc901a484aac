#!/bin/sh
# t3103-ovf-manifest - a plain .ovf (an unpacked OVA, or what a tool
# left in a directory) has its manifest NAME.mf verified by `xk
# inspect` and `xk import` as an OVA's is: the descriptor's own digest
# and every listed file's, SHA256 (OVF 2.x) or SHA1 (OVF 1.x).  A
# mismatch names the file and both digests and exits 1; no manifest is
# a note, not an error.
#
# usage: t3103-ovf-manifest.sh XK BUILD-DIR
NAME=t3103-ovf-manifest
. "$(dirname "$0")/lib.sh"
need jq sha1sum sha256sum tar

# An OVA of a VM with two disks, unpacked: web.ovf, web.mf, two VHDs.
mkdir "$T/in"
truncate -s 8M "$T/in/a.raw" "$T/in/b.raw"
dd if=/dev/urandom of="$T/in/a.raw" bs=64K count=20 seek=3 conv=notrunc \
    status=none
dd if=/dev/urandom of="$T/in/b.raw" bs=64K count=7 seek=90 conv=notrunc \
    status=none
cat >"$T/in/web.cfg" <<EOF
name = "web"
type = "hvm"
memory = 256
disk = [ 'format=raw, vdev=xvda, access=rw, target=$T/in/a.raw',
         'format=raw, vdev=xvdb, access=rw, target=$T/in/b.raw' ]
EOF
check "export ova" "$XK" export "$T/in/web.cfg" -o "$T/web.ova"
mkdir "$T/good"
check "unpack it" tar -C "$T/good" -xf "$T/web.ova"
d0=web-disk0.vhd
d1=web-disk1.vhd

# copy NAME: a fresh copy of the unpacked package in $T/NAME
copy() { rm -rf "${T:?}/$1" && cp -r "$T/good" "$T/$1"; }
check "inspect: the SHA256 manifest verifies" "$XK" inspect "$T/good/web.ovf"
grep -q '^checksums: sha256, verified$' "$T/out" &&
    ok "inspect text: sha256, verified" ||
    { sed 's/^/#   /' "$T/out"; notok "inspect text: sha256, verified"; }
[ ! -s "$T/err" ] && ok "inspect: no note when the manifest is there" ||
    { sed 's/^/#   /' "$T/err"; notok "inspect: no note when the manifest is there"; }
check "inspect --json" "$XK" inspect --json "$T/good/web.ovf"
jq -e '.format == "ovf" and .checksum == "sha256" and .verified == true and
    .notes == [] and (.disks | length) == 2' "$T/out" >/dev/null &&
    ok "inspect --json: ovf, sha256, verified, no notes, 2 disks" ||
    { sed 's/^/#   /' "$T/out"; notok "inspect --json: ovf, sha256, verified, no notes, 2 disks"; }

# A corrupt second disk: the file, both digests, exit 1.
copy bad1
flip "$T/bad1/$d1" 70000
want=$(sed -n "s/^SHA256($d1)= //p" "$T/bad1/web.mf")
have=$(sha256sum "$T/bad1/$d1" | cut -d' ' -f1)
fails "inspect: corrupt disk refused" \
    "^xk: inspect: $T/bad1/web.mf: $d1: SHA256 mismatch: the manifest says $want, the file has $have$" \
    "$XK" inspect "$T/bad1/web.ovf"
[ ! -s "$T/out" ] && ok "inspect: no summary for a corrupt package" ||
    notok "inspect: no summary for a corrupt package"
fails "inspect --json: corrupt disk refused" "$d1: SHA256 mismatch" \
    "$XK" inspect --json "$T/bad1/web.ovf"
fails "import: corrupt disk refused" "$d1: SHA256 mismatch" \
    "$XK" import "$T/bad1/web.ovf" -o "$T/x1"
[ ! -e "$T/x1" ] && ok "import: nothing created for a corrupt package" ||
    notok "import: nothing created for a corrupt package"

# The descriptor changed after the manifest was made.
copy bad2
sed -i 's/<ovf:Info>/<ovf:Info>changed /' "$T/bad2/web.ovf"
if cmp -s "$T/good/web.ovf" "$T/bad2/web.ovf"; then
	sed -i 's/web/bew/' "$T/bad2/web.ovf"
fi
fails "inspect: changed descriptor refused" \
    "web.mf: web.ovf: SHA256 mismatch: the manifest says" \
    "$XK" inspect "$T/bad2/web.ovf"
fails "import: changed descriptor refused" "web.ovf: SHA256 mismatch" \
    "$XK" import "$T/bad2/web.ovf" -o "$T/x2"

# A listed file that is missing.
copy gone
rm "$T/gone/$d0"
fails "inspect: a listed file that is missing is an error" \
    "$T/gone/$d0: No such file" "$XK" inspect "$T/gone/web.ovf"

# OVF 1.x: SHA1 lines, verified the same way.
copy sha1
(cd "$T/sha1" && for f in web.ovf $d0 $d1; do
	echo "SHA1($f)= $(sha1sum "$f" | cut -d' ' -f1)"
done >web.mf)
check "inspect: a SHA1 manifest verifies" "$XK" inspect --json \
    "$T/sha1/web.ovf"
jq -e '.checksum == "sha1" and .verified == true' "$T/out" >/dev/null &&
    ok "inspect --json: sha1, verified" ||
    { sed 's/^/#   /' "$T/out"; notok "inspect --json: sha1, verified"; }
flip "$T/sha1/$d0" 600
want=$(sed -n "s/^SHA1($d0)= //p" "$T/sha1/web.mf")
have=$(sha1sum "$T/sha1/$d0" | cut -d' ' -f1)
fails "inspect: SHA1 mismatch refused" \
    "$d0: SHA1 mismatch: the manifest says $want, the file has $have" \
    "$XK" inspect "$T/sha1/web.ovf"

# No manifest: a note on stderr and in the JSON, exit 0, not verified.
copy nomf
rm "$T/nomf/web.mf"
check "inspect: no manifest is not an error" "$XK" inspect "$T/nomf/web.ovf"
grep -q "^xk: inspect: note: no manifest $T/nomf/web.mf: no digest verified$" \
    "$T/err" && ok "inspect: no manifest is a note" ||
    { sed 's/^/#   /' "$T/err"; notok "inspect: no manifest is a note"; }
grep -q '^checksums: none, not verified$' "$T/out" &&
    ok "inspect text: none, not verified" ||
    { sed 's/^/#   /' "$T/out"; notok "inspect text: none, not verified"; }
check "inspect --json without a manifest" "$XK" inspect --json \
    "$T/nomf/web.ovf"
# the notes import gives as warnings: no manifest, each disk unverified
jq -e '.checksum == "none" and .verified == false and
    (.notes | length) == 3 and (.notes[0] | startswith("no manifest"))' \
    "$T/out" >/dev/null &&
    ok "inspect --json: none, not verified, the notes" ||
    { sed 's/^/#   /' "$T/out"; notok "inspect --json: none, not verified, the notes"; }
check "import without a manifest" "$XK" import "$T/nomf/web.ovf" -o "$T/x3"
grep -q "warning: no manifest $T/nomf/web.mf" "$T/err" &&
    ok "import: no manifest is a warning" ||
    { sed 's/^/#   /' "$T/err"; notok "import: no manifest is a warning"; }

# A manifest that lists one disk only: verified as far as it goes.
copy part
sed -i "/($d1)/d" "$T/part/web.mf"
check "inspect: a partial manifest" "$XK" inspect --json "$T/part/web.ovf"
jq -e '.checksum == "partial" and .verified == false' "$T/out" \
    >/dev/null && ok "inspect --json: partial, not verified" ||
    { sed 's/^/#   /' "$T/out"; notok "inspect --json: partial, not verified"; }

# And the good package imports with identical disks.
check "import the verified package" "$XK" import "$T/good/web.ovf" -o "$T/x4"
cmp -s "$T/in/a.raw" "$T/x4/web-xvda.img" &&
    cmp -s "$T/in/b.raw" "$T/x4/web-xvdb.img" &&
    ok "imported disks are byte-identical" ||
    notok "imported disks are byte-identical"

finish
