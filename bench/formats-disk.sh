#!/bin/sh
# formats-disk.sh - raw -> dynamic VHD: xenkit against qemu-img,
# against a plain sequential read of the same file and against the
# kernel copying it (cp: copy_file_range, then sync: the least any
# converter that writes the data durably can cost), side by side, with
# wall time, throughput over the virtual size and peak RSS; then raw ->
# XVA and XVA -> raw (xk export / xk import) on the same file.
#
#   bench/formats-disk.sh [-d] [-c] [XK [OLD-XK]]   (default: build/src/xk)
#
# -d: the dense case only (the one that measures throughput).
# -c: cold page cache: every row starts with the caches dropped
#     (sync; echo 3 > /proc/sys/vm/drop_caches; root only), so the
#     source is read from the disk as a disk image usually is, and the
#     sequential read is the disk's own read rate, not memcpy's.
# OLD-XK: another xk binary (a build before a change) timed the same
# way just before XK, in rows marked "(old)": before/after in one run.
#
# Cases: a 4 GiB raw disk fully written (random data) and a 20 GiB raw
# disk with 5% written (1 MiB every 20 MiB), plus the same 20 GiB with
# nothing written, to show what sparse cost depends on.  Files live in
# XK_BENCH_DIR (default /var/tmp; an XFS or btrfs mount shows xk
# convert's clones) and are removed at the end.  The page cache is warmed by one
# read before each case (every tool sees the same warm cache) unless
# -c is given.  xenkit fsyncs its output before renaming it into
# place; `qemu-img convert` defaults to cache=unsafe (no flush: the
# data may still be in the page cache when it exits), so it is shown
# both as is and followed by `sync FILE`, the comparable figure.  cpu is user + system time of
# the tool itself, steadier than wall time on a busy machine.  Numbers
# only, no pass/fail.
set -eu
dense_only=false
cold=false
while [ $# -gt 0 ]; do
	case $1 in
	-d) dense_only=true ;;
	-c) cold=true ;;
	*) break ;;
	esac
	shift
done
if $cold && ! [ -w /proc/sys/vm/drop_caches ]; then
	echo "formats-disk: -c needs root (/proc/sys/vm/drop_caches)" >&2
	exit 1
fi
top=$(cd "$(dirname "$0")/.." && pwd)
XK=${1:-$top/build/src/xk}
OLD=${2:-}
[ -x "$XK" ] || { echo "formats-disk: no xk at $XK (build first)" >&2; exit 1; }
[ -z "$OLD" ] || [ -x "$OLD" ] ||
	{ echo "formats-disk: no xk at $OLD" >&2; exit 1; }
for p in qemu-img /usr/bin/time; do
	command -v "$p" >/dev/null || {
		echo "formats-disk: $p missing (scripts/install-deps)" >&2
		exit 1
	}
done
W=$(mktemp -d "${XK_BENCH_DIR:-/var/tmp}/xk-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM

# run LABEL SIZE CMD...: time CMD, print one row
run() {
	label=$1
	size=$2
	shift 2
	if $cold; then
		sync
		echo 3 >/proc/sys/vm/drop_caches
	fi
	/usr/bin/time -v -o "$W/time" "$@" >/dev/null 2>"$W/err" || {
		cat "$W/err" >&2
		echo "formats-disk: $label failed" >&2
		exit 1
	}
	secs=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' \
	    "$W/time" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++)
	    s = s * 60 + $i; print s }')
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$W/time")
	cpu=$(awk -F': ' '/User time|System time/ { c += $2 } END { print c }' \
	    "$W/time")
	awk -v l="$label" -v s="$secs" -v z="$size" -v r="$rss" -v c="$cpu" \
	    'BEGIN { printf "  %-34s %7.2f s %9.0f MiB/s %7.2f s %8.1f MiB\n",
	    l, s, (s > 0 ? z / 1048576 / s : 0), c, r / 1024 }'
}

# bench NAME FILE: the tools on FILE
bench() {
	name=$1
	f=$2
	size=$(stat -c %s "$f")
	written=$(du -k "$f" | cut -f1)
	echo
	echo "$name: $((size >> 20)) MiB virtual, $((written >> 10)) MiB allocated"
	printf "  %-34s %9s %15s %9s %12s\n" tool wall "virtual/wall" cpu \
	    "peak RSS"
	$cold || cat "$f" >/dev/null	# warm the page cache once
	run "sequential read (cat > /dev/null)" "$size" cat "$f"
	# the floor for any converter that writes the data out durably:
	# the kernel copying the file itself (copy_file_range), then sync
	run "cp --reflink=never && sync FILE" "$size" sh -c "cp \
	    --reflink=never --sparse=always '$f' '$W/c.raw' && sync '$W/c.raw'"
	rm -f "$W/c.raw"
	sync
	run "qemu-img convert -O vpc force_size" "$size" qemu-img convert \
	    -O vpc -o subformat=dynamic,force_size=on "$f" "$W/q.vhd"
	rm -f "$W/q.vhd"
	sync
	run "qemu-img convert ... && sync FILE" "$size" sh -c "qemu-img \
	    convert -O vpc -o subformat=dynamic,force_size=on '$f' \
	    '$W/q.vhd' && sync '$W/q.vhd'"
	sync
	if [ -n "$OLD" ]; then
		run "xk (old) convert raw -> vhd" "$size" "$OLD" convert \
		    "$f" "$W/x.vhd"
		rm -f "$W/x.vhd"
		sync
	fi
	run "xk convert raw -> vhd" "$size" "$XK" convert "$f" "$W/x.vhd"
	if qemu-img compare -q "$W/q.vhd" "$W/x.vhd"; then
		same="identical content"
	else
		same="CONTENT DIFFERS"
	fi
	echo "  outputs (size / allocated): qemu-img" \
	    "$(($(stat -c %s "$W/q.vhd") >> 20)) / $(($(du -k "$W/q.vhd" |
	    cut -f1) >> 10)) MiB, xenkit $(($(stat -c %s "$W/x.vhd") >> 20))" \
	    "/ $(($(du -k "$W/x.vhd" | cut -f1) >> 10)) MiB, $same"
	rm -f "$W/q.vhd" "$W/x.vhd"
	# XVA both ways (the issue's raw -> XVA and XVA -> raw): a config
	# naming the disk; the import writes a sparse raw disk back
	printf '%s\n' 'name = "bench"' 'type = "hvm"' 'memory = 512' \
	    "disk = [ 'format=raw, vdev=xvda, access=rw, target=$f' ]" \
	    >"$W/bench.cfg"
	sync
	if [ -n "$OLD" ]; then
		run "xk (old) export raw -> xva" "$size" "$OLD" export \
		    "$W/bench.cfg" -o "$W/x.xva"
		rm -f "$W/x.xva"
		sync
	fi
	run "xk export raw -> xva" "$size" "$XK" export "$W/bench.cfg" \
	    -o "$W/x.xva"
	echo "  xva: $(($(stat -c %s "$W/x.xva") >> 20)) MiB"
	sync
	if [ -n "$OLD" ]; then
		mkdir "$W/imp"
		run "xk (old) import xva -> raw" "$size" "$OLD" import \
		    "$W/x.xva" -o "$W/imp"
		rm -rf "$W/imp"
		sync
	fi
	mkdir "$W/imp"
	run "xk import xva -> raw" "$size" "$XK" import "$W/x.xva" \
	    -o "$W/imp"
	if cmp -s "$f" "$W/imp/$(ls "$W/imp" | grep -v '\.cfg$' | head -n 1)"
	then
		same="identical content"
	else
		same="CONTENT DIFFERS"
	fi
	echo "  imported raw disk: $same"
	rm -rf "$W/x.xva" "$W/imp" "$W/bench.cfg"
}

echo "xenkit $("$XK" --version 2>/dev/null || echo '?'), $(qemu-img --version | head -n 1)"
echo "$(nproc) CPUs, $(awk '/MemTotal/ { printf "%d MiB RAM", $2 / 1024 }' \
    /proc/meminfo), $W on $(df -T "$W" | awk 'NR == 2 { print $2 }'),"\
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
if $cold; then
	echo "cold page cache: caches dropped before every row"
fi

dd if=/dev/urandom of="$W/dense.raw" bs=1M count=4096 status=none
bench "dense" "$W/dense.raw"
rm -f "$W/dense.raw"
$dense_only && exit 0

truncate -s 20G "$W/sparse.raw"
i=0
while [ $i -lt 1024 ]; do
	dd if=/dev/urandom of="$W/sparse.raw" bs=1M count=1 seek=$((i * 20)) \
	    conv=notrunc status=none
	i=$((i + 1))
done
bench "sparse 5%" "$W/sparse.raw"
rm -f "$W/sparse.raw"

truncate -s 20G "$W/empty.raw"
bench "sparse 0%" "$W/empty.raw"
